"use client";
// The saga monitor kept current: the API pushes which saga changed (sagaChanges), and the counts and the
// page shown are read again, at most once a second however many sagas change. While no stream can be
// had, they are read again every half minute instead.
import { useEffect, useRef, useState } from "react";

import { SagaChangesSubscription } from "@/lib/kiroku/console-operations";
import { useLive } from "@/lib/kiroku/live";

import { SagaCounts } from "./saga-counts";
import { SagaList } from "./saga-list";

const REFRESH_MS = 1000;
const UNFOLLOWED_REFRESH_MS = 30_000;

const never = () => false;

/** A number that grows (at most once per REFRESH_MS) after each value pushed, or every
 * UNFOLLOWED_REFRESH_MS while nothing is pushed: what the monitor reads again on. */
function useRefreshes(pushed: unknown, live: boolean): number {
  const [refreshes, setRefreshes] = useState(0);
  const last = useRef(0);
  useEffect(() => {
    if (pushed === undefined) {
      return;
    }
    // A later push before the timer fires moves nothing: the refresh stays due at the same moment.
    const timer = setTimeout(
      () => {
        last.current = Date.now();
        setRefreshes((count) => count + 1);
      },
      Math.max(0, last.current + REFRESH_MS - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [pushed]);
  useEffect(() => {
    if (live) {
      return;
    }
    const timer = setInterval(() => setRefreshes((count) => count + 1), UNFOLLOWED_REFRESH_MS);
    return () => clearInterval(timer);
  }, [live]);
  return refreshes;
}

export function LiveSagaMonitor({ after, status, stuck }: { after: string | null; status: string | null; stuck: boolean }) {
  const pushed = useLive(SagaChangesSubscription, {}, never);
  const refreshes = useRefreshes(pushed.value, pushed.live);
  return (
    <div data-testid="saga-monitor" data-followed={pushed.live ? "pushed" : "read"}>
      <SagaCounts refreshes={refreshes} />
      <SagaList key={`${status}/${stuck}/${after}`} after={after} status={status} stuck={stuck} refreshes={refreshes} />
    </div>
  );
}
