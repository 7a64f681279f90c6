// The browser's way to the API when the API does not allow this app's origin (no CORS grant: the local
// stack, or a deployment without KIROKU_PUBLIC_GRAPHQL_URL): the request's JSON body and its
// Authorization (and Accept) headers forwarded to KIROKU_GRAPHQL_URL, the answer handed back as it came,
// streamed: a subscription's Server-Sent Events pass through as the API writes them, and the API's stream
// is dropped when the browser goes away. It adds no authority of its own: the API checks the caller's
// token and the trusted documents as for any caller.
import { postToApi, serverGraphqlUrl } from "@/lib/kiroku/client";

const MAX_BODY_BYTES = 64 * 1024;

function answer(status: number, message: string): Response {
  return Response.json({ errors: [{ message, extensions: { code: status === 413 ? "BAD_USER_INPUT" : "INTERNAL" } }] }, { status });
}

export async function POST(request: Request): Promise<Response> {
  const body = await request.text();
  if (body.length > MAX_BODY_BYTES) {
    return answer(413, "request too large");
  }
  let reply: globalThis.Response;
  try {
    reply = await postToApi(serverGraphqlUrl(), body, {
      authorization: request.headers.get("Authorization"),
      accept: request.headers.get("Accept"),
      signal: request.signal,
    });
  } catch {
    return answer(502, "the API could not be reached");
  }
  return new Response(reply.body, {
    status: reply.status,
    headers: { "Content-Type": reply.headers.get("Content-Type") ?? "application/json", "Cache-Control": "no-store" },
  });
}
