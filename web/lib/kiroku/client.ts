// The one module that talks to Kiroku's GraphQL API: a typed `execute` over fetch for server and client
// components alike, and the API's coded errors as a KirokuError. Every operation is a typed document
// generated from schema.graphql (src/gql); each is sent with its hash, which production's trusted
// documents require, and with its text, which a development server that does not know the hash yet runs.
import type { TypedDocumentString } from "@/src/gql/graphql";

export type ErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "BAD_USER_INPUT"
  | "NOT_FOUND"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "INTERNAL";

interface ApiError {
  message: string;
  extensions?: { code?: ErrorCode; reason?: string; field?: string };
}

/** A refusal the API answered with a code (and often a reason and the input field at fault). */
export class KirokuError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode,
    readonly reason?: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "KirokuError";
  }

  static of(error: ApiError): KirokuError {
    const { code = "INTERNAL", reason, field } = error.extensions ?? {};
    return new KirokuError(error.message, code, reason, field);
  }
}

export interface ExecuteOptions {
  /** The signed-in user's Firebase ID token; none: the anonymous reader. */
  token?: string | null;
  /** The GraphQL endpoint; server components default to KIROKU_GRAPHQL_URL. */
  url?: string;
}

/** The GraphQL endpoint as the server knows it (an environment variable read at request time). */
export function serverGraphqlUrl(): string {
  return process.env.KIROKU_GRAPHQL_URL ?? "http://127.0.0.1:8080/";
}

/** A kept-alive connection the API had closed meanwhile (gunicorn drops one idle for 2 s, Node's fetch
 * keeps it for 4 s): the request never reached it. */
function staleConnection(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } } | null)?.cause?.code;
  return error instanceof TypeError && (code === "UND_ERR_SOCKET" || code === "ECONNRESET");
}

/** What a call forwards besides its body. */
export interface ApiCall {
  authorization?: string | null;
  /** `text/event-stream` for a subscription. */
  accept?: string | null;
  /** Ends the call (a browser gone from the relay). */
  signal?: AbortSignal;
}

/** POSTs a JSON body to the API, sent again once on a fresh connection when the kept-alive one it went
 * out on was found closed: every mutation the app sends carries its commandId, so even a request that did
 * arrive has one effect. */
export async function postToApi(url: string, body: string, call: ApiCall = {}, retried = false): Promise<Response> {
  const { authorization, accept, signal } = call;
  try {
    return await fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(authorization ? { Authorization: authorization } : {}),
        ...(accept ? { Accept: accept } : {}),
      },
      body,
      cache: "no-store", // read models change under every order: nothing here is cached
      signal,
    });
  } catch (error) {
    if (!retried && staleConnection(error)) {
      return postToApi(url, body, call, true);
    }
    throw error;
  }
}

export async function execute<Result, Variables>(
  document: TypedDocumentString<Result, Variables>,
  variables: Variables,
  { token, url }: ExecuteOptions = {},
): Promise<Result> {
  const hash = document.__meta__?.hash;
  const response = await postToApi(
    url ?? serverGraphqlUrl(),
    JSON.stringify({
      documentId: typeof hash === "string" ? `sha256:${hash}` : undefined,
      query: document.toString(),
      variables,
    }),
    { authorization: token ? `Bearer ${token}` : null },
  );
  const body = (await response.json()) as { data?: Result | null; errors?: ApiError[] };
  const first = body.errors?.[0];
  if (first !== undefined) {
    throw KirokuError.of(first);
  }
  if (body.data === undefined || body.data === null) {
    throw new KirokuError(`the API answered HTTP ${response.status} without data`, "INTERNAL");
  }
  return body.data;
}
