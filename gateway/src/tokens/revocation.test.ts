import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { openSqliteStore } from "../store/sqlite/open.js";
import type { IssuedToken } from "../store/types.js";
import { createTokenRevoker, startExpiredTokenPurge } from "./revocation.js";
import { testClock } from "./testing/fixtures.js";

const store = openSqliteStore({ dataDir: ":memory:" });
after(() => store.close());

function issued(jti: string, agentId: string, kid: string, issuedAt: number, ttl: number): IssuedToken {
  return { jti, agentId, kid, tool: "openai", scopes: ["openai:chat"], issuedAt, expiresAt: issuedAt + ttl };
}

describe("createTokenRevoker", () => {
  it("revokes by jti and by agent (optionally one key), counting what it revoked", async () => {
    const clock = testClock();
    const t = clock.unix();
    await store.tokens.recordIssued(issued("r-1", "agt_r", "k1", t, 60));
    await store.tokens.recordIssued(issued("r-2", "agt_r", "k1", t, 60));
    await store.tokens.recordIssued(issued("r-3", "agt_r", "k2", t, 60));
    await store.tokens.recordIssued(issued("r-4", "agt_other", "k9", t, 60));
    const revoker = createTokenRevoker({ tokenStore: store.tokens, now: clock.now });

    assert.equal(await revoker.revokeToken("r-1"), 1);
    assert.equal(await revoker.revokeToken("r-1"), 0, "already revoked");
    assert.equal(await revoker.revokeToken("unknown"), 0);
    assert.equal(await store.tokens.revokedAt("r-1"), t);

    clock.advance(5);
    assert.equal(await revoker.revokeAgentTokens("agt_r", { kid: "k2" }), 1);
    assert.equal(await store.tokens.revokedAt("r-2"), null);
    assert.equal(await store.tokens.revokedAt("r-3"), t + 5);
    assert.equal(await revoker.revokeAgentTokens("agt_r"), 1);
    assert.equal(await store.tokens.revokedAt("r-2"), t + 5);
    assert.equal(await store.tokens.revokedAt("r-4"), null);
  });

  it("validates its inputs", async () => {
    const revoker = createTokenRevoker({ tokenStore: store.tokens, now: testClock().now });
    await assert.rejects(revoker.revokeToken(""), TypeError);
    await assert.rejects(revoker.revokeAgentTokens(""), TypeError);
    await assert.rejects(revoker.revokeAgentTokens("agt", { kid: "" }), TypeError);
    assert.throws(
      () => createTokenRevoker({ tokenStore: {} as typeof store.tokens, now: testClock().now }),
      TypeError,
    );
  });
});

describe("startExpiredTokenPurge", () => {
  it("keeps a revocation while the token could still be accepted (exp + skew), then forgets it", async () => {
    const store = openSqliteStore({ dataDir: ":memory:" });
    after(() => store.close());
    const clock = testClock();
    const t = clock.unix();
    await store.tokens.recordIssued(issued("p-1", "agt_p", "k1", t, 60));
    await store.tokens.revokeByJti("p-1", t);
    const purge = startExpiredTokenPurge({ tokenStore: store.tokens, now: clock.now, skewSeconds: 30 });
    try {
      clock.advance(60 + 30);
      assert.equal(await purge.runOnce(), 0);
      assert.equal(
        await store.tokens.revokedAt("p-1"),
        t,
        "still within exp + skew: the revocation must stay",
      );
      clock.advance(1);
      assert.equal(await purge.runOnce(), 1);
      assert.equal(await store.tokens.revokedAt("p-1"), null);
    } finally {
      purge.stop();
    }
  });

  it("runs on its interval, reports failures instead of throwing, and stops", async (t) => {
    t.mock.timers.enable({ apis: ["setInterval"] });
    const errors: unknown[] = [];
    let calls = 0;
    const purge = startExpiredTokenPurge({
      tokenStore: {
        async purgeExpired() {
          calls++;
          throw new Error("store down");
        },
      },
      now: testClock().now,
      skewSeconds: 30,
      intervalMs: 1000,
      onError: (error) => errors.push(error),
    });
    t.mock.timers.tick(1000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls, 1);
    assert.equal(errors.length, 1);
    purge.stop();
    t.mock.timers.tick(5000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls, 1);
  });

  it("validates its options", () => {
    const now = testClock().now;
    assert.throws(
      () => startExpiredTokenPurge({ tokenStore: store.tokens, now, skewSeconds: -1 }),
      RangeError,
    );
    assert.throws(
      () => startExpiredTokenPurge({ tokenStore: store.tokens, now, skewSeconds: 30, intervalMs: 10 }),
      RangeError,
    );
  });
});
