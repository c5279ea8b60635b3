import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { GatewayError } from "../../errors.js";
import { createUrlSource } from "./url-source.js";

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const refused = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof GatewayError);
  assert.equal(error.code, "policy_invalid");
  assert.match(error.detail, pattern);
  return true;
};

describe("policy bundle URL", () => {
  it("must be https; plain http only on loopback", () => {
    assert.throws(() => createUrlSource("http://bundles.example.com/b.tar.gz"), /must be https/);
    assert.throws(() => createUrlSource("http://10.0.0.5/b.tar.gz"), /must be https/);
    assert.throws(() => createUrlSource("ftp://bundles.example.com/b.tar.gz"), /must be https/);
    for (const ok of [
      "https://bundles.example.com/b.tar.gz",
      "http://127.0.0.1:8181/b",
      "http://localhost/b",
      "http://[::1]:1/b",
    ]) {
      assert.doesNotThrow(() => createUrlSource(ok), ok);
    }
  });

  it("is read with a size bound even without Content-Length (chunked)", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/gzip" });
      for (let i = 0; i < 64; i++) res.write(Buffer.alloc(1024, 1));
      res.end();
    });
    const source = createUrlSource(`${url}/b`, { maxBytes: 16 * 1024 });
    await assert.rejects(source.load(null), refused(/too large/));
  });

  it("refuses redirects (they could lead to plain http or another host)", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(302, { location: "http://bundles.example.com/b.tar.gz" }).end();
    });
    await assert.rejects(createUrlSource(`${url}/b`).load(null), refused(/could not be fetched/));
  });
});
