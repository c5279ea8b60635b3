// The smaller holes of issue 11 point 10, each observed over HTTP against a real gateway:
// token binding to the agent, live scope ceilings, request ids, stream scrubbing, request
// encodings, the metrics endpoint, 405s, pagination cursors and signing-key rotation.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { type AllFakes, startAllFakes } from "../fakes/index.js";
import { assertProblemShape, type RegisteredAgent, registerAgent, signedCall } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { allowAllPolicy, policyFolder, writeConfig } from "../support/policies.js";
import { callModels, forgeToken, gatewaySigningKey, getToken } from "../support/tokens.js";

let fakes: AllFakes;
let gw: GatewayProcess;
let agent: RegisteredAgent;
const nowSec = () => Math.floor(Date.now() / 1000);

before(async () => {
  fakes = await startAllFakes();
  const config = writeConfig({ tokens: { maxPublishedKeys: 2 } });
  gw = await startGateway({
    env: { ...fakes.env, AGENTGW_POLICY: policyFolder(allowAllPolicy()) },
    args: ["--config", config],
  });
  agent = await registerAgent(gw, { name: "holes" });
});
after(async () => {
  await gw.stop();
  gw.cleanup();
  await fakes.close();
});

describe("tool tokens", () => {
  it("a token whose sub is another agent is refused even when bound to the signing key", async () => {
    const other = await registerAgent(gw, { name: "other" });
    const token = await forgeToken(await gatewaySigningKey(gw.dataDir), {
      iss: gw.url,
      sub: other.id,
      aud: "openai",
      scope: "openai:models",
      jti: "sub-mismatch-1",
      iat: nowSec(),
      nbf: nowSec(),
      exp: nowSec() + 120,
      cnf: { jkt: agent.key.kid },
      rev: "r",
    });
    const res = await callModels(gw, agent.key, token);
    assertProblemShape(res, 401, "token_invalid");
    assert.match(res.body.detail, /another agent/);
  });

  it("narrowing an agent's scopes applies to the tokens it already holds", async () => {
    const narrowed = await registerAgent(gw, { name: "narrowed", scopes: ["openai:models", "openai:chat"] });
    const { token } = await getToken(gw, narrowed.key, { tool: "openai", scopes: ["openai:models"] });
    assert.equal((await callModels(gw, narrowed.key, token)).status, 200);
    const patched = await gw.admin("PATCH", `/admin/agents/${narrowed.id}`, { scopes: ["openai:chat"] });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const res = await callModels(gw, narrowed.key, token);
    assertProblemShape(res, 403, "scope_missing");
  });
});

describe("answers from upstream", () => {
  it("the gateway's X-Request-Id is kept; the upstream's goes on as X-Upstream-Request-Id", async () => {
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:models"] });
    const res = await signedCall(gw.url, agent.key, {
      path: "/v1/tools/openai/v1/models",
      headers: { authorization: `Bearer ${token}`, "x-request-id": "mine-1" },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-request-id"), "mine-1");
    assert.match(res.headers.get("x-upstream-request-id") ?? "", /^req_fake_/);
  });

  it("an upstream secret echoed in a stream is scrubbed, as in a plain answer", async () => {
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:chat"] });
    const secret = fakes.openai.apiKey;
    const res = await signedCall(gw.url, agent.key, {
      path: "/v1/tools/openai/v1/chat/completions",
      json: { model: "gpt-4o-mini", messages: [{ role: "user", content: `say ${secret}` }], stream: true },
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    const text = String(res.body);
    assert.match(text, /^data: /m);
    assert.ok(!text.includes(secret), "the upstream key reached the agent");
    assert.match(text, /\[redacted\]/);
  });
});

describe("request encodings and routes", () => {
  it("a gzip-encoded body is refused with 415 unsupported_encoding and Accept-Encoding: identity", async () => {
    const gzipped = gzipSync(JSON.stringify({ name: "zipped", publicKey: "x" }));
    // Once the caller is authenticated (bodies are read only after that), the encoding is refused.
    const res = await fetch(`${gw.url}/admin/agents`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${gw.adminToken}`,
        "content-type": "application/json",
        "content-encoding": "gzip",
      },
      body: gzipped,
    });
    assert.equal(res.status, 415);
    assert.equal(res.headers.get("accept-encoding"), "identity");
    assert.equal(((await res.json()) as { code: string }).code, "unsupported_encoding");
    const signed = await signedCall(gw.url, agent.key, {
      path: "/v1/tokens",
      body: gzipped.toString("latin1"),
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
    });
    assertProblemShape(signed, 415, "unsupported_encoding");
  });

  it("/metrics needs a token outside dev mode: the admin token when no metrics token is set", async () => {
    const open = await fetch(`${gw.url}/metrics`);
    assert.equal(open.status, 401);
    assert.equal(((await open.json()) as { code: string }).code, "unauthorized");
    const scraped = await fetch(`${gw.url}/metrics`, {
      headers: { authorization: `Bearer ${gw.adminToken}` },
    });
    assert.equal(scraped.status, 200);
    assert.match(await scraped.text(), /^# HELP agentgw_/m);
  });

  it("a known path with a method it does not serve is 405 method_not_allowed with Allow", async () => {
    const whoami = await fetch(`${gw.url}/v1/whoami`, { method: "DELETE" });
    assert.equal(whoami.status, 405);
    assert.equal(whoami.headers.get("allow"), "GET, HEAD");
    assert.equal(((await whoami.json()) as { code: string }).code, "method_not_allowed");
    const agents = await gw.admin("PUT", "/admin/agents");
    assert.equal(agents.status, 405);
    assert.equal(agents.headers.get("allow"), "GET, HEAD, POST");
    assert.equal((await fetch(`${gw.url}/nowhere`, { method: "DELETE" })).status, 404);
  });
});

describe("admin API", () => {
  it("a pagination cursor this API did not return is a 400, not a silent page", async () => {
    await registerAgent(gw, { name: "page-a" });
    await registerAgent(gw, { name: "page-b" });
    const first = await gw.admin("GET", "/admin/agents?limit=1");
    assert.ok(first.body.nextCursor);
    assert.equal(
      (await gw.admin("GET", `/admin/agents?limit=1&cursor=${first.body.nextCursor}`)).status,
      200,
    );
    const foo = Buffer.from("foo").toString("base64url");
    for (const path of [
      `/admin/agents?cursor=${foo}`,
      "/admin/agents?cursor=AAAA",
      `/admin/decisions?cursor=${foo}`,
      `/admin/decisions?cursor=${Buffer.from("-5").toString("base64url")}`,
      `/admin/audit?cursor=${foo}`,
    ]) {
      const res = await gw.admin("GET", path);
      assert.equal(res.status, 400, path);
      assert.equal(res.body.code, "invalid_request", path);
    }
    const decisions = await gw.admin("GET", "/admin/decisions?limit=1");
    assert.ok(decisions.body.nextCursor);
    assert.equal(
      (await gw.admin("GET", `/admin/decisions?limit=1&cursor=${decisions.body.nextCursor}`)).status,
      200,
    );
  });

  it("signing-key rotation is throttled: refused with 429 and Retry-After while the JWKS is full", async () => {
    const rotated = await gw.admin("POST", "/admin/signing-keys/rotate");
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const again = await gw.admin("POST", "/admin/signing-keys/rotate");
    assert.equal(again.status, 429, JSON.stringify(again.body));
    assert.equal(again.body.code, "rate_limited");
    assert.ok(Number(again.headers.get("retry-after")) > 0);
    const jwks = (await (await fetch(`${gw.url}/.well-known/jwks.json`)).json()) as { keys: unknown[] };
    assert.equal(jwks.keys.length, 2);
  });
});
