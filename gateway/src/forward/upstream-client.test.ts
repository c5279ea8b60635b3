import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { GatewayError } from "../errors.js";
import { createUpstreamClient, UpstreamFailure } from "./upstream-client.js";

let server: Server;
let origin: string;
let received = 0;

before(async () => {
  server = createServer((_req, res) => {
    received++;
    res.end("ok");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
});

const trace = { requestId: "req_1", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
const signals = () => ({ attempt: new AbortController().signal, client: new AbortController().signal });

describe("upstream client failures", () => {
  it("a request the client refuses to write is invalid_request, not an upstream failure", async () => {
    const client = createUpstreamClient({ origin, connectTimeoutMs: 1000, timeoutMs: 1000 });
    const cases: Array<Record<string, string>> = [{ expect: "100-continue" }, { "x-bad": "a\r\nb" }];
    for (const headers of cases) {
      await assert.rejects(
        client.request({ method: "POST", url: new URL(`${origin}/`), headers, body: "x" }, trace, signals()),
        (error: unknown) =>
          error instanceof GatewayError &&
          error.code === "invalid_request" &&
          !(error instanceof UpstreamFailure),
        JSON.stringify(headers),
      );
    }
    assert.equal(received, 0, "nothing reached the upstream");
    await client.close();
  });

  it("a refused connection is an upstream failure in the connect phase", async () => {
    const closed = createServer();
    closed.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const client = createUpstreamClient({ connectTimeoutMs: 1000, timeoutMs: 1000 });
    await assert.rejects(
      client.request(
        { method: "GET", url: new URL(`http://127.0.0.1:${port}/`), headers: {} },
        trace,
        signals(),
      ),
      (error: unknown) => error instanceof UpstreamFailure && error.phase === "connect",
    );
    await client.close();
  });
});
