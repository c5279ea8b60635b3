import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { openSqliteStore } from "../store/sqlite/open.js";
import { issueToolToken, mintToolToken } from "./mint-token.js";
import { createSigningKeyRing } from "./signing-keys.js";
import { agentKid, ISSUER, testClock } from "./testing/fixtures.js";

async function setUp() {
  const clock = testClock();
  const keyRing = await createSigningKeyRing({ now: clock.now, maxTokenTtlSeconds: 300 });
  const kid = await agentKid();
  const base = {
    keyRing,
    issuer: ISSUER,
    agentId: "agt_1",
    kid,
    tool: "openai",
    scopes: ["openai:chat", "openai:models"],
    ttlSeconds: 120,
    policyRevision: "sha256:abc123",
    now: clock.now,
  };
  return { clock, keyRing, kid, base };
}

describe("mintToolToken", () => {
  it("makes a token any service verifies with plain jose against the served JWKS, every claim as specified", async () => {
    const { clock, keyRing, kid, base } = await setUp();
    const minted = await mintToolToken({ ...base, intent: "summarise the inbox" });

    // A third party: only the JWKS document (through JSON, as served) and jose.
    const jwks = createLocalJWKSet(JSON.parse(JSON.stringify(keyRing.jwks())));
    const { payload, protectedHeader } = await jwtVerify(minted.token, jwks, {
      issuer: ISSUER,
      audience: "openai",
      typ: "at+jwt",
      algorithms: ["EdDSA"],
      currentDate: clock.now(),
    });
    assert.deepEqual(protectedHeader, { alg: "EdDSA", kid: keyRing.current().kid, typ: "at+jwt" });
    const iat = clock.unix();
    assert.deepEqual(payload, {
      iss: ISSUER,
      sub: "agt_1",
      aud: "openai",
      scope: "openai:chat openai:models",
      jti: minted.jti,
      iat,
      nbf: iat,
      exp: iat + 120,
      cnf: { jkt: kid },
      intent: "summarise the inbox",
      rev: "sha256:abc123",
    });
    assert.deepEqual(minted.claims, payload);
    assert.equal(minted.expiresIn, 120);
    assert.equal(minted.expiresAt, "2026-01-01T00:02:00.000Z");
    assert.equal(minted.signingKid, keyRing.current().kid);
    assert.deepEqual(minted.issued, {
      jti: minted.jti,
      agentId: "agt_1",
      kid,
      tool: "openai",
      scopes: ["openai:chat", "openai:models"],
      issuedAt: iat,
      expiresAt: iat + 120,
    });
  });

  it("leaves intent out when none is given, and removes repeated scopes", async () => {
    const { base } = await setUp();
    const minted = await mintToolToken({ ...base, scopes: ["openai:chat", "openai:chat"] });
    assert.equal("intent" in minted.claims, false);
    assert.equal(minted.claims.scope, "openai:chat");
  });

  it("draws a fresh jti of at least 128 bits for every token", async () => {
    const { base } = await setUp();
    const jtis = new Set<string>();
    for (let i = 0; i < 50; i++) jtis.add((await mintToolToken(base)).jti);
    assert.equal(jtis.size, 50);
    for (const jti of jtis) assert.ok(Buffer.from(jti, "base64url").length >= 16);
  });

  it("signs with the current key after a rotation", async () => {
    const { keyRing, base } = await setUp();
    const { kid: newKid } = await keyRing.rotate();
    const minted = await mintToolToken(base);
    assert.equal(decodeProtectedHeader(minted.token).kid, newKid);
  });

  it("rejects misuse by the caller", async () => {
    const { base } = await setUp();
    await assert.rejects(mintToolToken({ ...base, scopes: [] }), RangeError);
    await assert.rejects(mintToolToken({ ...base, scopes: ["two words"] }), RangeError);
    await assert.rejects(mintToolToken({ ...base, ttlSeconds: 0 }), RangeError);
    await assert.rejects(mintToolToken({ ...base, ttlSeconds: 1.5 }), RangeError);
    await assert.rejects(mintToolToken({ ...base, tool: "" }), TypeError);
    await assert.rejects(mintToolToken({ ...base, kid: "" }), TypeError);
  });
});

describe("issueToolToken", () => {
  it("records the token so it can be revoked", async () => {
    const { clock, base } = await setUp();
    const store = openSqliteStore({ dataDir: ":memory:" });
    try {
      const minted = await issueToolToken({ ...base, tokenStore: store.tokens });
      assert.equal(await store.tokens.revokedAt(minted.jti), null);
      assert.equal(await store.tokens.revokeByJti(minted.jti, clock.unix()), 1);
      assert.equal(await store.tokens.revokedAt(minted.jti), clock.unix());
    } finally {
      await store.close();
    }
  });
});
