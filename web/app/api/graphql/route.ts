// The browser's way to the API when the API does not allow this app's origin (no CORS grant: the local
// stack, or a deployment without KIROKU_PUBLIC_GRAPHQL_URL): the request's JSON body and its
// Authorization header forwarded to KIROKU_GRAPHQL_URL, the answer handed back as it came. It adds no
// authority of its own: the API checks the caller's token and the trusted documents as for any caller.
import { serverGraphqlUrl } from "@/lib/kiroku/client";

const MAX_BODY_BYTES = 64 * 1024;

function answer(status: number, message: string): Response {
  return Response.json({ errors: [{ message, extensions: { code: status === 413 ? "BAD_USER_INPUT" : "INTERNAL" } }] }, { status });
}

/** A kept-alive connection the API had closed meanwhile: the request never reached it. */
function staleConnection(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } } | null)?.cause?.code;
  return error instanceof TypeError && (code === "UND_ERR_SOCKET" || code === "ECONNRESET");
}

async function forward(body: string, authorization: string | null, retried = false): Promise<globalThis.Response> {
  try {
    return await fetch(serverGraphqlUrl(), {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(authorization ? { Authorization: authorization } : {}) },
      body,
      cache: "no-store",
    });
  } catch (error) {
    // Sent again once on a fresh connection: every mutation the app sends carries its commandId, so
    // even a request that did arrive has one effect.
    if (!retried && staleConnection(error)) {
      return forward(body, authorization, true);
    }
    throw error;
  }
}

export async function POST(request: Request): Promise<Response> {
  const body = await request.text();
  if (body.length > MAX_BODY_BYTES) {
    return answer(413, "request too large");
  }
  let reply: globalThis.Response;
  try {
    reply = await forward(body, request.headers.get("Authorization"));
  } catch {
    return answer(502, "the API could not be reached");
  }
  return new Response(reply.body, {
    status: reply.status,
    headers: { "Content-Type": reply.headers.get("Content-Type") ?? "application/json", "Cache-Control": "no-store" },
  });
}
