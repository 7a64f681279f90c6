// The GraphQL function's readiness (/health/ready: storage and Pub/Sub answer) for the console's health
// page, asked by the server since the browser may not reach the API itself. Only for a caller the API
// takes for an admin: the caller's token is checked by asking the API an admin-only field with it.
import { execute, serverGraphqlUrl } from "@/lib/kiroku/client";
import { ConsoleAccessQuery } from "@/lib/kiroku/console-operations";

const PROBE_TIMEOUT_MS = 10_000;

export async function GET(request: Request): Promise<Response> {
  const token = request.headers.get("Authorization")?.replace(/^Bearer\s+/i, "") ?? null;
  try {
    await execute(ConsoleAccessQuery, {}, { token });
  } catch {
    return Response.json({ error: "admins only" }, { status: 403 });
  }
  try {
    const ready = await fetch(new URL("/health/ready", serverGraphqlUrl()), {
      cache: "no-store",
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return Response.json({ httpStatus: ready.status, body: await ready.json() }, { headers: { "Cache-Control": "no-store" } });
  } catch {
    return Response.json({ httpStatus: null, body: null }, { headers: { "Cache-Control": "no-store" } });
  }
}
