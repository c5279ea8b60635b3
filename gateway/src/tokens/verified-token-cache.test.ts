import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createVerifiedTokenCache } from "./verified-token-cache.js";

describe("createVerifiedTokenCache", () => {
  it("returns an entry until its time is up, then drops it", () => {
    const cache = createVerifiedTokenCache<string>(10);
    cache.set("t1", "claims", 100);
    assert.equal(cache.get("t1", 99), "claims");
    assert.equal(cache.get("t1", 100), undefined);
    assert.equal(cache.size, 0);
  });

  it("evicts the least recently used entry when full", () => {
    const cache = createVerifiedTokenCache<number>(2);
    cache.set("a", 1, 1000);
    cache.set("b", 2, 1000);
    assert.equal(cache.get("a", 0), 1); // a is now the most recent
    cache.set("c", 3, 1000);
    assert.equal(cache.size, 2);
    assert.equal(cache.get("b", 0), undefined);
    assert.equal(cache.get("a", 0), 1);
    assert.equal(cache.get("c", 0), 3);
  });

  it("keeps nothing when its size is 0", () => {
    const cache = createVerifiedTokenCache<number>(0);
    cache.set("a", 1, 1000);
    assert.equal(cache.get("a", 0), undefined);
  });

  it("validates its size", () => {
    assert.throws(() => createVerifiedTokenCache(-1), RangeError);
    assert.throws(() => createVerifiedTokenCache(1.5), RangeError);
  });
});
