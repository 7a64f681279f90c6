"use client";
// Following something that changes on the server by asking again: soon after each change, then less and
// less often while nothing changes (a backoff up to `slowest`), never while the tab is hidden (it asks at
// once when the tab shows again), and no more once `settled` says nothing will change.
import { useEffect, useRef, useState } from "react";

export interface PollingOptions<T> {
  /** Nothing more will change: stop asking. */
  settled(value: T): boolean;
  /** A fingerprint of what matters: the backoff restarts when it changes. */
  fingerprint(value: T): string;
  fastest?: number;
  slowest?: number;
}

export interface Polled<T> {
  value: T | undefined;
  error: unknown;
  /** How many answers came so far. */
  answers: number;
  /** Ask again now (after an action changed what is followed). */
  refresh(): void;
}

export function usePolling<T>(
  fetcher: () => Promise<T>,
  { settled, fingerprint, fastest = 1000, slowest = 8000 }: PollingOptions<T>,
): Polled<T> {
  const [state, setState] = useState<{ value: T | undefined; error: unknown; answers: number }>({
    value: undefined,
    error: null,
    answers: 0,
  });
  const [generation, setGeneration] = useState(0);
  // The latest callbacks, read by the loop without restarting it.
  const latest = useRef({ fetcher, settled, fingerprint });
  useEffect(() => {
    latest.current = { fetcher, settled, fingerprint };
  });

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = fastest;
    let last: string | null = null;
    let waitingForVisible = false;

    const schedule = () => {
      if (!stopped) {
        timer = setTimeout(() => void tick(), delay);
      }
    };
    const tick = async () => {
      if (stopped) {
        return;
      }
      if (document.hidden) {
        waitingForVisible = true; // visibilitychange asks again
        return;
      }
      try {
        const value = await latest.current.fetcher();
        if (stopped) {
          return;
        }
        setState((previous) => ({ value, error: null, answers: previous.answers + 1 }));
        const now = latest.current.fingerprint(value);
        delay = now === last ? Math.min(slowest, delay * 1.6) : fastest;
        last = now;
        if (latest.current.settled(value)) {
          return;
        }
      } catch (error) {
        if (stopped) {
          return;
        }
        setState((previous) => ({ ...previous, error }));
        delay = Math.min(slowest, delay * 2);
      }
      schedule();
    };
    const visibility = () => {
      if (!document.hidden && waitingForVisible) {
        waitingForVisible = false;
        delay = fastest;
        void tick();
      }
    };
    document.addEventListener("visibilitychange", visibility);
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", visibility);
    };
  }, [fastest, slowest, generation]);

  return { ...state, refresh: () => setGeneration((count) => count + 1) };
}
