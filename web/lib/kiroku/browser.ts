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

export function useKiroku(): Run {
  const session = useSession();
  return useCallback(
    async (document, variables) =>
      execute(document, variables, { token: await session.token(), url: session.config.graphqlUrl }),
    [session],
  );
}
