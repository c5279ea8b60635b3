import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createMemoryNonceCache, NonceCacheFullError } from "./nonce-cache.js";

describe("createMemoryNonceCache", () => {
  it("reports a nonce seen before for the same key, not for another key", () => {
    const cache = createMemoryNonceCache({ now: () => 1_000_000 });
    assert.equal(cache.remember("k1", "n", 1100), true);
    assert.equal(cache.remember("k1", "n", 1100), false);
    assert.equal(cache.remember("k2", "n", 1100), true);
  });

  it("keeps a nonce until keepUntil, then forgets it", () => {
    let nowMs = 1_000_000;
    const cache = createMemoryNonceCache({ now: () => nowMs });
    cache.remember("k", "n", 1060);
    nowMs = 1_060_000; // keepUntil itself is still inside the window
    assert.equal(cache.remember("k", "n", 1060), false);
    nowMs = 1_060_001;
    assert.equal(cache.remember("k", "other", 1100), true);
    assert.equal(cache.size(), 1);
    assert.equal(cache.remember("k", "n", 1120), true);
  });

  it("evicts expired entries first and refuses when full of live ones", () => {
    let nowMs = 1_000_000;
    const cache = createMemoryNonceCache({ maxEntries: 3, now: () => nowMs });
    cache.remember("a", "1", 1010);
    cache.remember("b", "2", 1030);
    cache.remember("c", "3", 1020);
    assert.throws(
      () => cache.remember("d", "4", 1040),
      (error: unknown) => error instanceof NonceCacheFullError && error.retryAfterSeconds === 10,
    );
    nowMs = 1_015_000; // "1" expired: room for one
    assert.equal(cache.remember("d", "4", 1040), true);
    assert.equal(cache.remember("b", "2", 1030), false, "live nonces are never forgotten to make room");
  });

  it("bounds the nonces of one key so it cannot starve the others", () => {
    const cache = createMemoryNonceCache({ maxEntries: 10, maxEntriesPerOwner: 2, now: () => 0 });
    cache.remember("busy", "1", 60);
    cache.remember("busy", "2", 60);
    assert.throws(() => cache.remember("busy", "3", 60), NonceCacheFullError);
    assert.equal(cache.remember("quiet", "1", 60), true);
  });

  it("counts every key of one owner against one quota, and frees it as entries expire", () => {
    let nowMs = 0;
    const cache = createMemoryNonceCache({ maxEntries: 10, maxEntriesPerOwner: 3, now: () => nowMs });
    cache.remember("k1", "a", 10, "agt_busy");
    cache.remember("k2", "a", 10, "agt_busy");
    cache.remember("k3", "a", 20, "agt_busy");
    assert.throws(() => cache.remember("k4", "a", 20, "agt_busy"), NonceCacheFullError);
    assert.equal(cache.remember("k9", "a", 20, "agt_quiet"), true, "another agent is untouched");
    nowMs = 11_000; // the first two expired
    assert.equal(cache.remember("k4", "a", 30, "agt_busy"), true);
    assert.equal(cache.remember("k4", "b", 30, "agt_busy"), true);
    assert.throws(() => cache.remember("k4", "c", 30, "agt_busy"), NonceCacheFullError);
    assert.equal(cache.remember("k3", "a", 30, "agt_busy"), false, "replays are still caught per key");
  });

  it("validates its options when created", () => {
    assert.throws(() => createMemoryNonceCache({ maxEntries: 0 }), RangeError);
    assert.throws(() => createMemoryNonceCache({ maxEntriesPerOwner: 1.5 }), RangeError);
  });

  it("stays consistent over many random inserts and expiries", () => {
    let nowMs = 0;
    const cache = createMemoryNonceCache({ maxEntries: 100_000, now: () => nowMs });
    const live = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      nowMs += 100;
      const nowUnix = nowMs / 1000;
      for (const [nonce, until] of live) if (until < nowUnix) live.delete(nonce);
      const nonce = String(i % 700);
      const keepUntil = nowUnix + 1 + (i % 37);
      const fresh = cache.remember("k", nonce, keepUntil);
      assert.equal(fresh, !live.has(nonce), `step ${i}`);
      if (fresh) live.set(nonce, keepUntil);
      assert.equal(cache.size(), live.size, `size at step ${i}`);
    }
  });
});
