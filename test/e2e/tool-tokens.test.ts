// Tool tokens end to end (CONTRACT.md §4, issue 5): minted only when the policy
// allows, bound to the agent key, verifiable by third parties, revocable at once.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateKeyPair } from "@agentgw/sdk";
import { createLocalJWKSet, generateKeyPair as joseKeyPair, jwtVerify } from "jose";
import { assertProblemShape, type RegisteredAgent, registerAgent, signedCall } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { callModels, forgeToken, gatewaySigningKey, getToken } from "../support/tokens.js";

let gw: GatewayProcess;
let agent: RegisteredAgent;
const nowSec = () => Math.floor(Date.now() / 1000);

before(async () => {
  gw = await startGateway();
  agent = await registerAgent(gw, { name: "token-user" });
});
after(async () => {
  await gw.stop();
  gw.cleanup();
});

describe("minting", () => {
  it("a token verifies with jose against the served JWKS, every claim checked", async () => {
    const before = nowSec();
    const issued = await getToken(gw, agent.key, {
      tool: "openai",
      scopes: ["openai:chat", "openai:models"],
      intent: "summarise the news",
    });
    assert.equal(issued.tool, "openai");
    assert.deepEqual(issued.scopes, ["openai:chat", "openai:models"]);
    assert.equal(issued.expiresIn, 300, "configured maximum by default");
    const jwks = await (await fetch(`${gw.url}/.well-known/jwks.json`)).json();
    const { payload, protectedHeader } = await jwtVerify(issued.token, createLocalJWKSet(jwks), {
      issuer: gw.url,
      audience: "openai",
      typ: "at+jwt",
      algorithms: ["EdDSA"],
      requiredClaims: ["iss", "sub", "aud", "scope", "jti", "iat", "nbf", "exp", "cnf", "rev"],
    });
    assert.equal(protectedHeader.alg, "EdDSA");
    assert.ok(jwks.keys.some((k: { kid: string }) => k.kid === protectedHeader.kid));
    assert.equal(payload.sub, agent.id);
    assert.equal(payload.scope, "openai:chat openai:models");
    assert.equal(payload.jti, issued.jti);
    assert.deepEqual(payload.cnf, { jkt: agent.key.kid });
    assert.equal(payload.intent, "summarise the news");
    const policy = (await gw.admin("GET", "/admin/policy")).body;
    assert.equal(payload.rev, policy.revision);
    assert.ok(payload.iat! >= before - 1 && payload.iat! <= nowSec() + 1);
    assert.equal(payload.nbf, payload.iat);
    assert.equal(payload.exp, payload.iat! + 300);
    assert.equal(new Date(issued.expiresAt).getTime(), payload.exp! * 1000);
  });

  it("is refused for scopes above the agent's ceiling, unknown tools and foreign scopes", async () => {
    const narrow = await registerAgent(gw, { scopes: ["openai:models"] });
    assertProblemShape(
      await signedCall(gw.url, narrow.key, {
        path: "/v1/tokens",
        json: { tool: "openai", scopes: ["openai:chat"] },
      }),
      403,
      "scope_missing",
    );
    assertProblemShape(
      await signedCall(gw.url, narrow.key, { path: "/v1/tokens", json: { tool: "nope", scopes: ["x:y"] } }),
      404,
      "unknown_tool",
    );
    assertProblemShape(
      await signedCall(gw.url, narrow.key, {
        path: "/v1/tokens",
        json: { tool: "openai", scopes: ["gmail:send"] },
      }),
      400,
      "invalid_request",
    );
    assertProblemShape(
      await signedCall(gw.url, narrow.key, { path: "/v1/tokens", json: { tool: "openai" } }),
      400,
      "invalid_request",
    );
  });

  it("a policy denial at mint answers 403 with the reasons", async () => {
    const res = await signedCall(gw.url, agent.key, {
      path: "/v1/tokens",
      json: { tool: "gmail", scopes: ["gmail:send"] },
    });
    assertProblemShape(res, 403, "policy_denied");
    assert.ok(Array.isArray(res.body.reasons) && res.body.reasons.length > 0);
    assert.match(res.body.reasons.join(" "), /intent/i);
  });

  it("the TTL is capped by the policy's max_ttl_seconds obligation and by the asked value", async () => {
    const gmail = await getToken(gw, agent.key, {
      tool: "gmail",
      scopes: ["gmail:send"],
      intent: "send the weekly report to the team",
      ttlSeconds: 300,
    });
    assert.equal(gmail.expiresIn, 120, "the example policy caps gmail tokens at 120 s");
    const short = await getToken(gw, agent.key, {
      tool: "openai",
      scopes: ["openai:models"],
      ttlSeconds: 42,
    });
    assert.equal(short.expiresIn, 42);
  });
});

describe("using a token: each failure with its code", () => {
  it("a good token passes the token stage", async () => {
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:models"] });
    // No OpenAI upstream is configured here, so passing every check ends at upstream_unavailable.
    assertProblemShape(await callModels(gw, agent.key, token), 503, "upstream_unavailable");
  });
  it("no token", async () => {
    assertProblemShape(
      await signedCall(gw.url, agent.key, { path: "/v1/tools/openai/v1/models" }),
      401,
      "token_missing",
    );
  });
  it("a token for another tool", async () => {
    const { token } = await getToken(gw, agent.key, { tool: "serpapi", scopes: ["serpapi:search"] });
    assertProblemShape(await callModels(gw, agent.key, token), 401, "token_invalid");
  });
  it("expired", async () => {
    const signing = await gatewaySigningKey(gw.dataDir);
    const token = await forgeToken(signing, {
      iss: gw.url,
      sub: agent.id,
      aud: "openai",
      scope: "openai:models",
      jti: "expired-1",
      iat: nowSec() - 600,
      nbf: nowSec() - 600,
      exp: nowSec() - 300,
      cnf: { jkt: agent.key.kid },
      rev: "r",
    });
    assertProblemShape(await callModels(gw, agent.key, token), 401, "token_expired");
  });
  it("not yet valid", async () => {
    const signing = await gatewaySigningKey(gw.dataDir);
    const token = await forgeToken(signing, {
      iss: gw.url,
      sub: agent.id,
      aud: "openai",
      scope: "openai:models",
      jti: "future-1",
      iat: nowSec(),
      nbf: nowSec() + 600,
      exp: nowSec() + 900,
      cnf: { jkt: agent.key.kid },
      rev: "r",
    });
    const res = await callModels(gw, agent.key, token);
    assertProblemShape(res, 401, "token_invalid");
    assert.match(res.body.detail, /not valid before/);
  });
  it("a tampered signature", async () => {
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:models"] });
    const [h, p, s] = token.split(".");
    // Flip one bit of the decoded signature: rewriting its last base64url characters can leave
    // the bytes unchanged (e.g. "…BA" rewritten to "…BA"), which let this test pass a valid token.
    const signature = Buffer.from(s!, "base64url");
    signature[0]! ^= 1;
    const flipped = signature.toString("base64url");
    assert.notEqual(flipped, s);
    assertProblemShape(await callModels(gw, agent.key, `${h}.${p}.${flipped}`), 401, "token_invalid");
  });
  it("tampered claims (scope widened) under the original signature", async () => {
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:models"] });
    const [h, p, s] = token.split(".");
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString());
    claims.scope = "openai:models openai:chat";
    assertProblemShape(
      await callModels(
        gw,
        agent.key,
        `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`,
      ),
      401,
      "token_invalid",
    );
  });
  it("signed by an unknown key", async () => {
    const { privateKey } = await joseKeyPair("EdDSA", { crv: "Ed25519" });
    const token = await forgeToken(
      { kid: "A".repeat(43), key: privateKey },
      {
        iss: gw.url,
        sub: agent.id,
        aud: "openai",
        scope: "openai:models",
        jti: "x",
        iat: nowSec(),
        nbf: nowSec(),
        exp: nowSec() + 60,
        cnf: { jkt: agent.key.kid },
        rev: "r",
      },
    );
    assertProblemShape(await callModels(gw, agent.key, token), 401, "token_invalid");
  });
  it("a stolen token is useless with another agent's key", async () => {
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:models"] });
    const thief = await registerAgent(gw, { name: "thief" });
    assertProblemShape(await callModels(gw, thief.key, token), 401, "token_key_mismatch");
  });
  it("a stolen token is useless without any registered key", async () => {
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:models"] });
    assertProblemShape(await callModels(gw, await generateKeyPair(), token), 401, "unknown_key");
  });
  it("the action's scope is not in the token", async () => {
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:models"] });
    const res = await signedCall(gw.url, agent.key, {
      path: "/v1/tools/openai/v1/chat/completions",
      json: { model: "gpt-4o-mini", messages: [] },
      headers: { authorization: `Bearer ${token}` },
    });
    assertProblemShape(res, 403, "scope_missing");
  });
  it("revoked by jti", async () => {
    const { token, jti } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:models"] });
    assertProblemShape(await callModels(gw, agent.key, token), 503, "upstream_unavailable");
    assert.deepEqual((await gw.admin("POST", "/admin/tokens/revoke", { jti })).body, { revoked: 1 });
    assertProblemShape(await callModels(gw, agent.key, token), 401, "token_revoked");
  });
  it("revoked by agent (admin) and by suspension, staying revoked after re-activation", async () => {
    const user = await registerAgent(gw, { name: "suspend-me" });
    const first = await getToken(gw, user.key, { tool: "openai", scopes: ["openai:models"] });
    assert.deepEqual((await gw.admin("POST", "/admin/tokens/revoke", { agentId: user.id })).body, {
      revoked: 1,
    });
    assertProblemShape(await callModels(gw, user.key, first.token), 401, "token_revoked");

    const second = await getToken(gw, user.key, { tool: "openai", scopes: ["openai:models"] });
    await gw.admin("PATCH", `/admin/agents/${user.id}`, { status: "suspended" });
    assertProblemShape(await callModels(gw, user.key, second.token), 403, "agent_suspended");
    await gw.admin("PATCH", `/admin/agents/${user.id}`, { status: "active" });
    assertProblemShape(await callModels(gw, user.key, second.token), 401, "token_revoked");
  });
});

describe("signing-key rotation and restart", () => {
  it("a token minted before rotation still verifies after it; the old key leaves the JWKS once its tokens expired", async () => {
    const configFile = join(gw.dataDir, "..", `rotation-${process.pid}.json`);
    writeFileSync(
      configFile,
      JSON.stringify({ tokens: { maxTtlSeconds: 2 }, signature: { skewSeconds: 1 } }),
    );
    const small = await startGateway({ args: ["--config", configFile] });
    try {
      const user = await registerAgent(small);
      const before = await getToken(small, user.key, { tool: "openai", scopes: ["openai:models"] });
      const oldKid = (await small.admin("GET", "/.well-known/jwks.json")).body.keys[0].kid;
      const rotated = await small.admin("POST", "/admin/signing-keys/rotate");
      assert.equal(rotated.status, 200);
      assert.notEqual(rotated.body.kid, oldKid);
      const kids = (await small.admin("GET", "/.well-known/jwks.json")).body.keys.map(
        (k: { kid: string }) => k.kid,
      );
      assert.deepEqual(kids, [rotated.body.kid, oldKid], "both keys published, the new one first");
      assertProblemShape(await callModels(small, user.key, before.token), 503, "upstream_unavailable");
      const after = await getToken(small, user.key, { tool: "openai", scopes: ["openai:models"] });
      assert.equal(
        JSON.parse(Buffer.from(after.token.split(".")[0]!, "base64url").toString()).kid,
        rotated.body.kid,
      );
      // maxTtl 2 s + skew 1 s: then nothing the old key signed can still be valid.
      await new Promise((r) => setTimeout(r, 3500));
      const later = (await small.admin("GET", "/.well-known/jwks.json")).body.keys.map(
        (k: { kid: string }) => k.kid,
      );
      assert.deepEqual(later, [rotated.body.kid]);
    } finally {
      await small.stop();
      small.cleanup();
    }
  });

  it("signing keys, revocations and agents survive a restart", async () => {
    const user = await registerAgent(gw, { name: "durable" });
    const kept = await getToken(gw, user.key, { tool: "openai", scopes: ["openai:models"] });
    const revoked = await getToken(gw, user.key, { tool: "openai", scopes: ["openai:models"] });
    await gw.admin("POST", "/admin/tokens/revoke", { jti: revoked.jti });
    const jwksBefore = (await gw.admin("GET", "/.well-known/jwks.json")).body;
    gw = await gw.restart();
    assert.deepEqual((await gw.admin("GET", "/.well-known/jwks.json")).body, jwksBefore);
    assert.equal((await signedCall(gw.url, user.key, { path: "/v1/whoami" })).status, 200);
    assertProblemShape(await callModels(gw, user.key, kept.token), 503, "upstream_unavailable");
    assertProblemShape(await callModels(gw, user.key, revoked.token), 401, "token_revoked");
  });
});
