import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { SignJWT, UnsecuredJWT } from "jose";
import type { ErrorCode } from "../errors.js";
import { GatewayError } from "../errors.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import { issueToolToken, type MintToolTokenOptions } from "./mint-token.js";
import { createTokenRevoker } from "./revocation.js";
import { createSigningKeyRing, type SigningKeyRing } from "./signing-keys.js";
import { agentKid, ISSUER, testClock } from "./testing/fixtures.js";
import { createToolTokenVerifier } from "./verify-token.js";

const stores: Array<{ close(): Promise<void> }> = [];
after(async () => {
  for (const store of stores) await store.close();
});

async function setUp(options: { cacheSize?: number } = {}) {
  const clock = testClock();
  const keyRing = await createSigningKeyRing({ now: clock.now, maxTokenTtlSeconds: 300, skewSeconds: 30 });
  const store = openSqliteStore({ dataDir: ":memory:" });
  stores.push(store);
  // Counts key lookups: each one is an Ed25519 verify that the cache did not spare.
  let keyLookups = 0;
  const countingRing: Pick<SigningKeyRing, "keyFor"> = {
    keyFor(kid) {
      keyLookups++;
      return keyRing.keyFor(kid);
    },
  };
  const verifier = createToolTokenVerifier({
    keyRing: countingRing,
    issuer: ISSUER,
    tokenStore: store.tokens,
    now: clock.now,
    skewSeconds: 30,
    cacheSize: options.cacheSize ?? 100,
  });
  const kid = await agentKid();
  const mintOptions: MintToolTokenOptions = {
    keyRing,
    issuer: ISSUER,
    agentId: "agt_1",
    kid,
    tool: "openai",
    scopes: ["openai:chat"],
    ttlSeconds: 120,
    policyRevision: "rev-1",
    now: clock.now,
  };
  const mint = (overrides: Partial<MintToolTokenOptions> = {}) =>
    issueToolToken({ ...mintOptions, ...overrides, tokenStore: store.tokens });
  const revoker = createTokenRevoker({ tokenStore: store.tokens, now: clock.now });
  return { clock, keyRing, store, verifier, kid, mint, revoker, keyLookups: () => keyLookups };
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, detail?: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof GatewayError, `expected a GatewayError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (detail) assert.match(error.detail, detail);
    return true;
  });
}

function withSignatureByte(token: string, index: number): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const bytes = Buffer.from(signature, "base64url");
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return [header, payload, bytes.toString("base64url")].join(".");
}

describe("createToolTokenVerifier", () => {
  it("accepts a valid token for its tool and key, returning its claims and scopes", async () => {
    const { verifier, kid, mint, keyRing } = await setUp();
    const minted = await mint({ scopes: ["openai:chat", "openai:embeddings"], intent: "why" });
    const verified = await verifier.verify(minted.token, { tool: "openai", kid, agentId: "agt_1" });
    assert.deepEqual(verified.claims, minted.claims);
    assert.deepEqual(verified.scopes, ["openai:chat", "openai:embeddings"]);
    assert.equal(verified.signingKid, keyRing.current().kid);
    // The result is shared with later calls through the cache, so nobody may change it.
    assert.ok(Object.isFrozen(verified.claims) && Object.isFrozen(verified.claims.cnf));
    verified.scopes.push("gmail:send"); // a caller's own copy: the cached entry is unaffected
    const again = await verifier.verify(minted.token, { tool: "openai", kid, agentId: "agt_1" });
    assert.deepEqual(again.scopes, ["openai:chat", "openai:embeddings"]);
  });

  it("refuses a token issued to another agent than the one that signed (token_invalid)", async () => {
    const { verifier, kid, mint } = await setUp();
    const { token } = await mint({ agentId: "agt_other" });
    await rejectsWith(
      verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" }),
      "token_invalid",
      /issued to another agent/,
    );
  });

  it("refuses a token for another tool (token_invalid)", async () => {
    const { verifier, kid, mint } = await setUp();
    const { token } = await mint();
    await rejectsWith(
      verifier.verify(token, { tool: "gmail", kid, agentId: "agt_1" }),
      "token_invalid",
      /for tool "openai", not "gmail"/,
    );
  });

  it("refuses an expired token once exp + skew has passed (token_expired)", async () => {
    const { verifier, kid, mint, clock } = await setUp({ cacheSize: 0 });
    const { token } = await mint();
    clock.advance(120 + 29);
    await verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" }); // within the skew
    clock.advance(1);
    await rejectsWith(
      verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" }),
      "token_expired",
      /expired at 2026-01-01T00:02:00/,
    );
  });

  it("refuses an expired token that is in the cache too", async () => {
    const { verifier, kid, mint, clock, keyLookups } = await setUp();
    const { token } = await mint();
    await verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" });
    clock.advance(120 + 30);
    await rejectsWith(verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" }), "token_expired");
    assert.equal(keyLookups(), 2, "the expired entry was dropped, so jose saw the token again");
  });

  it("refuses a token that is not valid yet beyond the skew (token_invalid, says so)", async () => {
    const { verifier, kid, mint, clock } = await setUp({ cacheSize: 0 });
    clock.advance(60);
    const { token } = await mint(); // nbf = now
    clock.advance(-31);
    await rejectsWith(
      verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" }),
      "token_invalid",
      /not valid before/,
    );
    clock.advance(1);
    await verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" }); // nbf − skew reached
  });

  it("refuses a token whose signature was tampered with (token_invalid)", async () => {
    const { verifier, kid, mint } = await setUp();
    const { token } = await mint();
    await rejectsWith(
      verifier.verify(withSignatureByte(token, 10), { tool: "openai", kid, agentId: "agt_1" }),
      "token_invalid",
      /signature/,
    );
  });

  it("refuses a token whose claims were changed after signing (token_invalid)", async () => {
    const { verifier, kid, mint } = await setUp();
    const { token, claims } = await mint();
    const [header, , signature] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ ...claims, scope: "openai:chat gmail:send" })).toString(
      "base64url",
    );
    await rejectsWith(
      verifier.verify(`${header}.${forged}.${signature}`, { tool: "openai", kid, agentId: "agt_1" }),
      "token_invalid",
    );
  });

  it("refuses a token signed by a key that is not ours (token_invalid)", async () => {
    const { verifier, kid, clock } = await setUp();
    const strangerRing = await createSigningKeyRing({ now: clock.now, maxTokenTtlSeconds: 300 });
    const { mintToolToken } = await import("./mint-token.js");
    const { token } = await mintToolToken({
      keyRing: strangerRing,
      issuer: ISSUER,
      agentId: "agt_1",
      kid,
      tool: "openai",
      scopes: ["openai:chat"],
      ttlSeconds: 60,
      policyRevision: "rev-1",
      now: clock.now,
    });
    await rejectsWith(
      verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" }),
      "token_invalid",
      /not signed by a key of this gateway/,
    );
  });

  it("refuses a token used with another agent key than the one it is bound to (token_key_mismatch)", async () => {
    const { verifier, mint } = await setUp();
    const { token } = await mint();
    await rejectsWith(
      verifier.verify(token, { tool: "openai", kid: await agentKid(), agentId: "agt_1" }),
      "token_key_mismatch",
    );
  });

  it("refuses a token revoked by jti (token_revoked)", async () => {
    const { verifier, kid, mint, revoker } = await setUp();
    const { token, jti } = await mint();
    assert.equal(await revoker.revokeToken(jti), 1);
    await rejectsWith(verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" }), "token_revoked");
  });

  it("refuses the tokens of a revoked agent, and only the tokens of a revoked key (token_revoked)", async () => {
    const { verifier, kid, mint, revoker } = await setUp();
    const otherKid = await agentKid();
    const first = await mint();
    const second = await mint({ kid: otherKid });
    const someoneElse = await mint({ agentId: "agt_2" });

    assert.equal(await revoker.revokeAgentTokens("agt_1", { kid: otherKid }), 1);
    await verifier.verify(first.token, { tool: "openai", kid, agentId: "agt_1" });
    await rejectsWith(
      verifier.verify(second.token, { tool: "openai", kid: otherKid, agentId: "agt_1" }),
      "token_revoked",
    );

    assert.equal(await revoker.revokeAgentTokens("agt_1"), 1);
    await rejectsWith(
      verifier.verify(first.token, { tool: "openai", kid, agentId: "agt_1" }),
      "token_revoked",
    );
    await verifier.verify(someoneElse.token, { tool: "openai", kid, agentId: "agt_2" });
  });

  it("verifies the signature once per token, yet checks tool, key, time and revocation on every call", async () => {
    const { verifier, kid, mint, revoker, clock, keyLookups } = await setUp();
    const { token, jti } = await mint();
    await verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" });
    await verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" });
    clock.advance(30);
    await verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" });
    assert.equal(keyLookups(), 1);

    await rejectsWith(verifier.verify(token, { tool: "gmail", kid, agentId: "agt_1" }), "token_invalid");
    await rejectsWith(
      verifier.verify(token, { tool: "openai", kid: await agentKid(), agentId: "agt_1" }),
      "token_key_mismatch",
    );
    await revoker.revokeToken(jti);
    await rejectsWith(verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" }), "token_revoked");
    assert.equal(keyLookups(), 1, "all of these were answered from the warm cache");
  });

  it("pays for a verify each time when the cache is off", async () => {
    const { verifier, kid, mint, keyLookups } = await setUp({ cacheSize: 0 });
    const { token } = await mint();
    await verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" });
    await verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" });
    assert.equal(keyLookups(), 2);
  });

  it("does not cache a token that failed to verify", async () => {
    const { verifier, kid, mint, keyLookups } = await setUp();
    const tampered = withSignatureByte((await mint()).token, 3);
    await rejectsWith(verifier.verify(tampered, { tool: "openai", kid, agentId: "agt_1" }), "token_invalid");
    await rejectsWith(verifier.verify(tampered, { tool: "openai", kid, agentId: "agt_1" }), "token_invalid");
    assert.equal(keyLookups(), 2);
  });

  it("still verifies a token minted before a rotation, until it expires", async () => {
    const { verifier, kid, mint, keyRing, clock } = await setUp({ cacheSize: 0 });
    const { token, signingKid: oldKid } = await mint({ ttlSeconds: 300 });
    clock.advance(10);
    await keyRing.rotate();
    const fresh = await mint({ ttlSeconds: 300 });
    clock.advance(250); // t = 260: both unexpired
    await verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" });
    await verifier.verify(fresh.token, { tool: "openai", kid, agentId: "agt_1" });
    clock.advance(60); // t = 320: the old token is past exp (300) but within the skew
    await verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" });
    clock.advance(10); // t = 330 = exp + skew
    await rejectsWith(verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" }), "token_expired");
    assert.ok(keyRing.jwks().keys.some((key) => key.kid === oldKid));
    clock.advance(10); // t = 340: retired at 10 + max ttl 300 + skew 30
    assert.ok(!keyRing.jwks().keys.some((key) => key.kid === oldKid));
    await rejectsWith(
      verifier.verify(token, { tool: "openai", kid, agentId: "agt_1" }),
      "token_invalid",
      /not signed by a key/,
    );
  });

  it("refuses a token from another issuer, of another typ, with another alg or a missing claim", async () => {
    const { verifier, kid, mint, keyRing, clock } = await setUp();
    const other = await mint({ issuer: "https://elsewhere.example" });
    await rejectsWith(
      verifier.verify(other.token, { tool: "openai", kid, agentId: "agt_1" }),
      "token_invalid",
      /another issuer/,
    );

    const key = keyRing.current();
    const claims = (await mint()).claims;
    const wrongTyp = await new SignJWT(claims)
      .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: "JWT" })
      .sign(key.privateKey);
    await rejectsWith(
      verifier.verify(wrongTyp, { tool: "openai", kid, agentId: "agt_1" }),
      "token_invalid",
      /typ/,
    );

    const unsigned = new UnsecuredJWT({ ...claims }).encode();
    await rejectsWith(verifier.verify(unsigned, { tool: "openai", kid, agentId: "agt_1" }), "token_invalid");

    const { cnf: _cnf, ...withoutCnf } = claims;
    const noBinding = await new SignJWT(withoutCnf)
      .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: "at+jwt" })
      .sign(key.privateKey);
    await rejectsWith(
      verifier.verify(noBinding, { tool: "openai", kid, agentId: "agt_1" }),
      "token_invalid",
      /cnf/,
    );

    const oddScope = await new SignJWT({ ...claims, scope: ["openai:chat"] })
      .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: "at+jwt" })
      .sign(key.privateKey);
    await rejectsWith(
      verifier.verify(oddScope, { tool: "openai", kid, agentId: "agt_1" }),
      "token_invalid",
      /scope/,
    );

    const noKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt" })
      .sign(key.privateKey);
    await rejectsWith(
      verifier.verify(noKid, { tool: "openai", kid, agentId: "agt_1" }),
      "token_invalid",
      /no kid/,
    );
    assert.ok(clock.unix() > 0);
  });

  it("answers garbage with token_invalid, never a crash", async () => {
    const { verifier, kid } = await setUp();
    const samples = [
      "",
      "abc",
      "a.b.c",
      "....",
      "eyJhbGciOiJFZERTQSJ9.%%%.xx",
      `${Buffer.from("{}").toString("base64url")}.${Buffer.from("[]").toString("base64url")}.AAAA`,
      `${Buffer.from('{"alg":"EdDSA","kid":"x","typ":"at+jwt"}').toString("base64url")}.e30.AAAA`,
      "x".repeat(10_000),
      42 as unknown as string,
    ];
    for (const sample of samples) {
      await rejectsWith(verifier.verify(sample, { tool: "openai", kid, agentId: "agt_1" }), "token_invalid");
    }
  });

  it("validates its options when created", async () => {
    const { keyRing, store, clock } = await setUp();
    const base = { keyRing, issuer: ISSUER, tokenStore: store.tokens, now: clock.now };
    assert.throws(() => createToolTokenVerifier({ ...base, issuer: "" }), TypeError);
    assert.throws(() => createToolTokenVerifier({ ...base, skewSeconds: -1 }), RangeError);
    assert.throws(() => createToolTokenVerifier({ ...base, cacheSize: -1 }), RangeError);
    assert.throws(
      () => createToolTokenVerifier({ ...base, tokenStore: {} as typeof store.tokens }),
      TypeError,
    );
  });
});
