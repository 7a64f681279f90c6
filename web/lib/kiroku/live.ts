"use client";
// Following something as it changes, pushed by the API: a GraphQL subscription over Server-Sent Events
// (graphql-sse, distinct connections: one POST per subscription, through the app's relay where the API
// does not allow this origin). The API ends a stream when what it follows has ended, or after its
// `subscriptionSeconds`; the hook subscribes again while `settled` says more may come. When a stream
// cannot be had or breaks, `live` turns false (the page falls back to asking again, usePolling) and the
// hook tries again later, less and less often.
import { createClient, type Client } from "graphql-sse";
import { useEffect, useRef, useState } from "react";

import type { TypedDocumentString } from "@/src/gql/graphql";

import { useSession } from "../session/session";

export interface Live<T> {
  /** The latest result pushed, if any came. */
  value: T | undefined;
  /** Whether a stream is open now: while it is not, the page should ask again by itself. */
  live: boolean;
}

const FIRST_RETRY_MS = 2000;
const LAST_RETRY_MS = 30000;

export function useLive<Result, Variables>(
  document: TypedDocumentString<Result, Variables>,
  variables: Variables,
  settled: (value: Result) => boolean,
): Live<Result> {
  const { token, config, user } = useSession();
  const [state, setState] = useState<Live<Result>>({ value: undefined, live: false });
  const latestSettled = useRef(settled);
  useEffect(() => {
    latestSettled.current = settled;
  });
  const key = JSON.stringify(variables);
  const uid = user?.uid ?? null;
  const url = config.graphqlUrl;

  useEffect(() => {
    let stopped = false;
    let unsubscribe: (() => void) | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let retryMs = FIRST_RETRY_MS;
    let last: Result | undefined;
    const client: Client = createClient({
      url: new URL(url, window.location.href).toString(),
      singleConnection: false,
      retryAttempts: 0, // retried here, with the fallback to polling meanwhile
      headers: async (): Promise<Record<string, string>> => {
        const current = uid === null ? null : await token();
        return current ? { Authorization: `Bearer ${current}` } : {};
      },
    });
    const hash = document.__meta__?.hash;
    const again = (delay: number) => {
      if (!stopped) {
        timer = setTimeout(follow, delay);
      }
    };
    const broken = () => {
      setState((previous) => ({ ...previous, live: false }));
      again(retryMs);
      retryMs = Math.min(LAST_RETRY_MS, retryMs * 2);
    };
    const follow = () => {
      unsubscribe = client.subscribe<Result>(
        {
          query: document.toString(),
          variables: JSON.parse(key) as Record<string, unknown>,
          // The trusted document, by its hash (as `execute` names it): production runs no other.
          extensions: typeof hash === "string" ? { persistedQuery: { version: 1, sha256Hash: hash } } : {},
        },
        {
          next: (result) => {
            if (result.errors?.length) {
              // A refusal (signed out meanwhile, say): the page's own reads show it; try again later.
              unsubscribe?.();
              broken();
            } else if (result.data !== undefined && result.data !== null) {
              last = result.data;
              retryMs = FIRST_RETRY_MS;
              setState({ value: result.data, live: true });
            }
          },
          error: broken,
          complete: () => {
            // The API ended the stream: either nothing more will come, or its time was up.
            if (last === undefined || !latestSettled.current(last)) {
              again(0);
            } else {
              setState((previous) => ({ ...previous, live: false }));
            }
          },
        },
      );
    };
    follow();
    return () => {
      stopped = true;
      clearTimeout(timer);
      unsubscribe?.();
      client.dispose();
    };
  }, [document, key, token, uid, url]);

  return state;
}
