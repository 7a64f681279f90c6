"use client";
// The API as client components call it: the same typed `execute`, with the signed-in user's fresh ID
// token and the endpoint the browser reaches (the API, or the app's relay).
import { useCallback } from "react";

import type { TypedDocumentString } from "@/src/gql/graphql";

import { useSession } from "../session/session";
import { execute } from "./client";

export type Run = <Result, Variables>(
  document: TypedDocumentString<Result, Variables>,
  variables: Variables,
) => Promise<Result>;

/**
 * The API as the signed-in user. The function changes when who is signed in does (so a page reads again
 * as them), and not when their token is refreshed.
 */
export function useKiroku(): Run {
  const { token, config, user } = useSession();
  const url = config.graphqlUrl;
  const uid = user?.uid ?? null;
  return useCallback(
    // `uid` makes a new function for a new user; the token read is always the current user's.
    async (document, variables) => execute(document, variables, { token: uid === null ? null : await token(), url }),
    [token, uid, url],
  );
}
