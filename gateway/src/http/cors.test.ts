import assert from "node:assert/strict";
import { once } from "node:events";
import type { Server } from "node:http";
import { after, before, describe, it } from "node:test";
import express from "express";
import { createCors } from "./cors.js";

let server: Server;
let base = "";
before(async () => {
  const app = express();
  app.use(createCors({ allowedOrigins: ["https://app.example.com"], maxAgeSeconds: 600 }));
  app.all("/*rest", (_req, res) => {
    res.status(418).json({ reached: true });
  });
  server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => server.close());

const preflight = (path: string, origin: string) =>
  fetch(base + path, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers":
        "signature, signature-input, content-digest, authorization, content-type",
    },
  });

describe("cors", () => {
  it("answers a preflight from an allowed origin without reaching the routes", async () => {
    const res = await preflight("/v1/tokens", "https://app.example.com");
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example.com");
    assert.match(res.headers.get("access-control-allow-headers") ?? "", /signature-input/);
    assert.match(res.headers.get("access-control-allow-methods") ?? "", /POST/);
    assert.equal(res.headers.get("access-control-max-age"), "600");
    assert.match(res.headers.get("vary") ?? "", /Origin/);
  });

  it("marks answers to an allowed origin and exposes the request id", async () => {
    const res = await fetch(`${base}/v1/whoami`, { headers: { origin: "https://app.example.com" } });
    assert.equal(res.status, 418);
    assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example.com");
    assert.match(res.headers.get("access-control-expose-headers") ?? "", /x-request-id/);
  });

  it("gives other origins and the admin API nothing", async () => {
    const other = await preflight("/v1/tokens", "https://evil.example");
    assert.equal(other.headers.get("access-control-allow-origin"), null);
    assert.equal(other.status, 418, "not answered as a preflight");
    const admin = await preflight("/admin/agents", "https://app.example.com");
    assert.equal(admin.headers.get("access-control-allow-origin"), null);
  });
});
