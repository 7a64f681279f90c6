// The browser's way to the API when the API does not allow this app's origin (no CORS grant: the local
// stack, or a deployment without KIROKU_PUBLIC_GRAPHQL_URL): the request's JSON body and its
// Authorization header forwarded to KIROKU_GRAPHQL_URL, the answer handed back as it came. It adds no
// authority of its own: the API checks the caller's token and the trusted documents as for any caller.
import { serverGraphqlUrl } from "@/lib/kiroku/client";

const MAX_BODY_BYTES = 64 * 1024;

export async function POST(request: Request): Promise<Response> {
  const body = await request.text();
  if (body.length > MAX_BODY_BYTES) {
    return Response.json({ errors: [{ message: "request too large", extensions: { code: "BAD_USER_INPUT" } }] }, { status: 413 });
  }
  const authorization = request.headers.get("Authorization");
  const answer = await fetch(serverGraphqlUrl(), {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(authorization ? { Authorization: authorization } : {}) },
    body,
    cache: "no-store",
  });
  return new Response(answer.body, {
    status: answer.status,
    headers: { "Content-Type": answer.headers.get("Content-Type") ?? "application/json", "Cache-Control": "no-store" },
  });
}
