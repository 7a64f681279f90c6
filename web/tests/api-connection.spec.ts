// How the app's server reaches the API (no browser needed): a kept-alive connection the API closed while
// it sat idle is met by sending again on a fresh one, once; an API that keeps closing is an error.
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";

import { expect, test } from "@playwright/test";

import { execute } from "../lib/kiroku/client";
import type { TypedDocumentString } from "../src/gql/graphql";

const Ping = "query Ping { __typename }" as unknown as TypedDocumentString<{ __typename: string }, object>;

const ANSWER = JSON.stringify({ data: { __typename: "Query" } });

/** An API whose first `closing` connections are closed as soon as a request arrives on them, with no
 * answer, as gunicorn closes an idle kept-alive one; later ones are answered. */
async function apiClosing(closing: number): Promise<{ server: Server; url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket: Socket) => {
    connections += 1;
    const closes = connections <= closing;
    socket.once("data", () => {
      if (closes) {
        socket.destroy();
        return;
      }
      socket.end(
        `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${ANSWER.length}\r\n` +
          `Connection: close\r\n\r\n${ANSWER}`,
      );
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error("no port");
  }
  return { server, url: `http://127.0.0.1:${address.port}/`, connections: () => connections };
}

test("a request that meets a connection the API closed is sent again on a fresh one", async () => {
  const api = await apiClosing(1);
  try {
    expect(await execute(Ping, {}, { url: api.url })).toEqual({ __typename: "Query" });
    expect(api.connections()).toBe(2);
  } finally {
    api.server.close();
  }
});

test("an API that closes every connection is an error after one more try, not a loop", async () => {
  const api = await apiClosing(Number.POSITIVE_INFINITY);
  try {
    await expect(execute(Ping, {}, { url: api.url })).rejects.toThrow(TypeError);
    expect(api.connections()).toBe(2);
  } finally {
    api.server.close();
  }
});
