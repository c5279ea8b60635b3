// createApp in-process with an injected clock: the whole signed pipeline runs on
// the test's time, so expiry is tested by moving the clock, not by sleeping.
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateKeyPair, signRequest, toBase64Url } from "@agentgw/sdk";
import { createApp } from "./app.js";
import { withReadCaches } from "./cache/cached-store.js";
import { createLocalInvalidationBus } from "./cache/invalidation.js";
import { loadConfig } from "./config.js";
import { createLogger } from "./log.js";
import { createServices, type Services } from "./services.js";
import { openSqliteStore } from "./store/sqlite/open.js";
import type { Store } from "./store/types.js";

const ADMIN = "in-process-admin-token";
const PUBLIC = "http://gw.test";
let clockMs = Date.parse("2023-03-01T12:00:00Z");
let server: Server;
let port = 0;
let store: Store;
let services: Services;

before(async () => {
  const policyDir = mkdtempSync(join(tmpdir(), "agentgw-app-policy-"));
  writeFileSync(
    join(policyDir, "policy.rego"),
    'package agentgw\n\ndecision := {"allow": true, "reasons": [], "obligations": {}}\n',
  );
  const config = loadConfig({
    argv: [],
    env: {
      AGENTGW_ADMIN_TOKEN: ADMIN,
      AGENTGW_PUBLIC_URL: PUBLIC,
      AGENTGW_POLICY: policyDir,
      AGENTGW_DATA_DIR: mkdtempSync(join(tmpdir(), "agentgw-app-")),
    },
  });
  // As main.ts builds it: the request path reads agents, keys and revocations from memory.
  store = withReadCaches(
    openSqliteStore({ dataDir: ":memory:", now: () => new Date(clockMs) }),
    createLocalInvalidationBus(),
  );
  const logger = createLogger("silent");
  services = await createServices(config, store, logger, { now: () => clockMs });
  server = createApp({ config, store, logger, services, now: () => clockMs }).listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as { port: number }).port;
});
after(async () => {
  server.close();
  await services.close();
  await store.close();
});

/** Sends to the in-process app with Host: gw.test, as an agent addressing the public URL would. */
function send(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method, path, headers: { ...headers, host: "gw.test" } },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function signed(
  key: Awaited<ReturnType<typeof generateKeyPair>>,
  method: string,
  path: string,
  extra: { json?: unknown; headers?: Record<string, string>; created?: number } = {},
) {
  const body = extra.json === undefined ? undefined : JSON.stringify(extra.json);
  const headers = { ...(body ? { "content-type": "application/json" } : {}), ...extra.headers };
  const sig = await signRequest({ method, url: PUBLIC + path, headers, body: body ?? null }, key, {
    created: extra.created ?? Math.floor(clockMs / 1000),
  });
  return send(method, path, { ...headers, ...sig }, body);
}

describe("createApp with an injected clock", () => {
  it("accepts a signature made at the injected time and refuses it once the clock moves past its expiry", async () => {
    const key = await generateKeyPair();
    const created = await send(
      "POST",
      "/admin/agents",
      { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      JSON.stringify({
        name: "in-process",
        publicKey: toBase64Url(key.publicKey),
        scopes: ["openai:models"],
      }),
    );
    assert.equal(created.status, 201);
    assert.equal(created.body.createdAt, "2023-03-01T12:00:00.000Z", "the store uses the injected clock too");

    const signedAt = Math.floor(clockMs / 1000);
    assert.equal(
      (await signed(key, "GET", "/v1/whoami", { created: signedAt })).status,
      200,
      "valid in 2023, although the real clock says otherwise",
    );
    clockMs += 120_000;
    const stale = await signed(key, "GET", "/v1/whoami", { created: signedAt });
    assert.equal(stale.status, 401);
    assert.equal(stale.body.code, "signature_expired");
  });

  it("a token expires when the clock passes exp + skew", async () => {
    const key = await generateKeyPair();
    await send(
      "POST",
      "/admin/agents",
      { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      JSON.stringify({ name: "ttl", publicKey: toBase64Url(key.publicKey), scopes: ["openai:models"] }),
    );
    const minted = await signed(key, "POST", "/v1/tokens", {
      json: { tool: "openai", scopes: ["openai:models"], ttlSeconds: 60 },
    });
    assert.equal(minted.status, 201);
    const call = () =>
      signed(key, "GET", "/v1/tools/openai/v1/models", {
        headers: { authorization: `Bearer ${minted.body.token}` },
      });
    assert.equal(
      (await call()).body.code,
      "upstream_unavailable",
      "valid token; no OpenAI configured in this test",
    );
    clockMs += 89_000;
    assert.equal((await call()).body.code, "upstream_unavailable", "still inside exp + 30 s skew");
    clockMs += 2_000;
    assert.equal((await call()).body.code, "token_expired");
  });
});
