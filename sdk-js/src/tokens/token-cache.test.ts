import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ToolToken, ToolTokenRequest } from "../api-types.js";
import { type StoredToolToken, ToolTokenCache, type ToolTokenStore } from "./token-cache.js";

function setup(expiresIn = 300, store?: ToolTokenStore) {
  const clock = { now: 1_000_000 };
  const requests: ToolTokenRequest[] = [];
  let release: (() => void) | undefined;
  const state = { expiresIn, hold: false, fail: false };
  const cache = new ToolTokenCache({
    ...(store ? { store } : {}),
    now: () => clock.now,
    async mint(request) {
      requests.push(request);
      if (state.hold) await new Promise<void>((r) => (release = r));
      if (state.fail) throw new Error("mint failed");
      const n = requests.length;
      return {
        token: `t${n}`,
        tokenType: "Bearer",
        jti: `j${n}`,
        tool: request.tool,
        scopes: request.scopes,
        expiresAt: new Date(clock.now + state.expiresIn * 1000).toISOString(),
        expiresIn: state.expiresIn,
      } satisfies ToolToken;
    },
  });
  return { cache, clock, requests, state, release: () => release?.() };
}

describe("ToolTokenCache", () => {
  it("caches per tool, scope set and intent; scope order and duplicates do not matter", async () => {
    const { cache, requests } = setup();
    const a = await cache.get("openai", ["openai:models", "openai:chat"]);
    const b = await cache.get("openai", ["openai:chat", "openai:models", "openai:chat"]);
    assert.equal(a.token, "t1");
    assert.equal(b.token, "t1");
    assert.deepEqual(requests[0], { tool: "openai", scopes: ["openai:chat", "openai:models"] });
    assert.equal((await cache.get("openai", ["openai:chat"])).token, "t2");
    assert.equal((await cache.get("openai", ["openai:chat"], { intent: "summarise mail" })).token, "t3");
    assert.equal((await cache.get("openai", ["openai:chat"], { intent: "summarise mail" })).token, "t3");
    assert.equal((await cache.get("gmail", ["openai:chat"])).token, "t4");
    assert.deepEqual(requests[2], { tool: "openai", scopes: ["openai:chat"], intent: "summarise mail" });
    assert.equal(requests.length, 4);
  });

  it("renews 30 s before expiry for long-lived tokens", async () => {
    const { cache, clock } = setup(300);
    assert.equal((await cache.get("openai", ["openai:chat"])).token, "t1");
    clock.now += 269_999;
    assert.equal((await cache.get("openai", ["openai:chat"])).token, "t1");
    clock.now += 1;
    assert.equal((await cache.get("openai", ["openai:chat"])).token, "t2");
  });

  it("renews at half the lifetime for short-lived tokens", async () => {
    const { cache, clock } = setup(40);
    assert.equal((await cache.get("gmail", ["gmail:send"])).token, "t1");
    clock.now += 19_999;
    assert.equal((await cache.get("gmail", ["gmail:send"])).token, "t1");
    clock.now += 1;
    assert.equal((await cache.get("gmail", ["gmail:send"])).token, "t2");
  });

  it("single flight: concurrent askers share one request, and a failure reaches all of them", async () => {
    const { cache, requests, state, release } = setup();
    state.hold = true;
    const pending = Array.from({ length: 10 }, () => cache.get("serpapi", ["serpapi:search"]));
    await new Promise((r) => setImmediate(r));
    assert.equal(requests.length, 1);
    release();
    const tokens = await Promise.all(pending);
    assert.deepEqual(new Set(tokens.map((t) => t.token)), new Set(["t1"]));

    state.fail = true;
    cache.clear();
    const failing = Array.from({ length: 3 }, () => cache.get("serpapi", ["serpapi:search"]));
    await new Promise((r) => setImmediate(r));
    release();
    for (const result of await Promise.allSettled(failing)) assert.equal(result.status, "rejected");
    assert.equal(requests.length, 2);
    state.hold = false;
    state.fail = false;
    assert.equal((await cache.get("serpapi", ["serpapi:search"])).token, "t3", "a failure is not cached");
  });

  it("invalidate drops only the token named", async () => {
    const { cache } = setup();
    await cache.get("openai", ["openai:chat"]);
    assert.equal(cache.invalidate("other"), false);
    assert.equal(cache.size, 1);
    assert.equal(cache.invalidate("t1"), true);
    assert.equal((await cache.get("openai", ["openai:chat"])).token, "t2");
    assert.equal(cache.invalidate("t1"), false, "the replacement stays");
    assert.equal(cache.size, 1);
  });

  it("prunes expired tokens and checks its inputs", async () => {
    const { cache, clock } = setup(60);
    await cache.get("openai", ["openai:chat"]);
    clock.now += 61_000;
    await cache.get("openai", ["openai:models"]);
    assert.equal(cache.size, 1);
    await assert.rejects(cache.get("", ["a"]), TypeError);
    await assert.rejects(cache.get("openai", []), TypeError);
    await assert.rejects(cache.get("openai", ["ok", ""]), TypeError);
    assert.throws(() => new ToolTokenCache({ mint: undefined as never }), TypeError);
    assert.throws(
      () => new ToolTokenCache({ mint: async () => ({}) as never, refreshBeforeMs: -1 }),
      RangeError,
    );
    const broken = new ToolTokenCache({ mint: async () => ({ token: "x", expiresIn: 0 }) as never });
    await assert.rejects(broken.get("openai", ["openai:chat"]), TypeError);
  });
});

describe("ToolTokenCache with a store", () => {
  function storeSetup() {
    const saved = new Map<string, StoredToolToken>();
    const deleted: string[] = [];
    const store: ToolTokenStore = {
      load: (key) => saved.get(key),
      save: (key, entry) => void saved.set(key, entry),
      delete: (key) => {
        deleted.push(key);
        saved.delete(key);
      },
    };
    return { saved, deleted, store };
  }

  it("a second cache (another process) reuses the stored token instead of minting", async () => {
    const { store, saved } = storeSetup();
    const first = setup(300, store);
    assert.equal((await first.cache.get("openai", ["openai:chat"])).token, "t1");
    assert.equal(saved.size, 1);
    const second = setup(300, store);
    second.clock.now = first.clock.now + 10_000;
    assert.equal((await second.cache.get("openai", ["openai:chat"])).token, "t1");
    assert.equal(second.requests.length, 0);
  });

  it("a stored token past its refresh time is replaced and the store updated", async () => {
    const { store, saved } = storeSetup();
    const first = setup(300, store);
    await first.cache.get("openai", ["openai:chat"]);
    const second = setup(300, store);
    second.clock.now = first.clock.now + 280_000;
    assert.equal((await second.cache.get("openai", ["openai:chat"])).token, "t1");
    assert.equal(second.requests.length, 1, "minted anew");
    assert.equal([...saved.values()][0]?.token.jti, "j1", "the second cache's own first token");
    assert.equal([...saved.values()][0]?.refreshAt, second.clock.now + 270_000);
  });

  it("a refused stored token is deleted and never loaded again in this process", async () => {
    const { store, deleted } = storeSetup();
    const first = setup(300, store);
    const stale = await first.cache.get("openai", ["openai:chat"]);
    const second = setup(300, store);
    second.clock.now = first.clock.now + 1000;
    assert.equal((await second.cache.get("openai", ["openai:chat"])).token, stale.token);
    assert.equal(second.cache.invalidate(stale.token), true);
    await new Promise((r) => setImmediate(r));
    assert.equal(deleted.length, 1);
    const fresh = await second.cache.get("openai", ["openai:chat"]);
    assert.equal(second.requests.length, 1);
    assert.notEqual(fresh.jti, undefined);
  });

  it("ignores a malformed stored entry", async () => {
    const { store, saved } = storeSetup();
    const { cache, requests } = setup(300, store);
    saved.set(JSON.stringify(["openai", ["openai:chat"], null]), { token: {} } as unknown as StoredToolToken);
    await cache.get("openai", ["openai:chat"]);
    assert.equal(requests.length, 1);
  });
});
