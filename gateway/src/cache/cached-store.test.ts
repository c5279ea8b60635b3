import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openSqliteStore } from "../store/sqlite/open.js";
import { sqliteFixture } from "../store/testing/sqlite-fixture.js";
import { runStoreSuite } from "../store/testing/store-suite.js";
import type { Store } from "../store/types.js";
import { BoundedMap } from "./bounded-map.js";
import { withReadCaches } from "./cached-store.js";
import { createLocalInvalidationBus, type InvalidationBus } from "./invalidation.js";

// The cached store keeps the store contract, also with two instances sharing a bus (as a fan-out would).
// (The suite names its describe blocks after the engine, which stays "sqlite".)
runStoreSuite("sqlite", () => {
  const bus = createLocalInvalidationBus();
  return sqliteFixture((store) => withReadCaches(store, bus));
});

const key = (n: number) => ({ kid: `kid-${n}`.padEnd(43, "x"), publicKey: `pk-${n}` });
const newAgent = (n: number) => ({ name: `a${n}`, scopes: [], tier: "default", metadata: {}, key: key(n) });

/** A store that counts reads of the hot-path lookups. */
function counted(inner: Store) {
  const reads = { findByKid: 0, revokedAt: 0 };
  const store: Store = {
    ...inner,
    agents: {
      ...inner.agents,
      findByKid: (kid) => {
        reads.findByKid++;
        return inner.agents.findByKid(kid);
      },
    },
    tokens: {
      ...inner.tokens,
      revokedAt: (jti) => {
        reads.revokedAt++;
        return inner.tokens.revokedAt(jti);
      },
    },
  };
  return { store, reads };
}

describe("read caches", () => {
  it("answer repeated key and revocation lookups from memory, including 'unknown'", async () => {
    const { store: inner, reads } = counted(openSqliteStore({ dataDir: ":memory:" }));
    const store = withReadCaches(inner, createLocalInvalidationBus());
    const agent = await store.agents.create(newAgent(1));
    for (let i = 0; i < 3; i++) {
      assert.equal((await store.agents.findByKid(key(1).kid))?.agent.id, agent.id);
      assert.equal(await store.agents.findByKid("unknown"), null);
      assert.equal(await store.tokens.revokedAt("t1"), null);
    }
    assert.deepEqual(reads, { findByKid: 2, revokedAt: 1 });
  });

  it("see every admin write at once: suspension, key revocation, new keys, deletion, token revocation", async () => {
    const store = withReadCaches(openSqliteStore({ dataDir: ":memory:" }), createLocalInvalidationBus());
    assert.equal(await store.agents.findByKid(key(1).kid), null, "cached as unknown");
    const agent = await store.agents.create(newAgent(1));
    assert.equal((await store.agents.findByKid(key(1).kid))?.agent.status, "active");
    await store.agents.update(agent.id, { status: "suspended" });
    assert.equal((await store.agents.findByKid(key(1).kid))?.agent.status, "suspended");
    assert.equal(await store.agents.findByKid(key(2).kid), null);
    await store.agents.addKey(agent.id, key(2));
    assert.equal((await store.agents.findByKid(key(2).kid))?.key.status, "active");
    assert.equal(
      (await store.agents.findByKid(key(1).kid))?.agent.keys.length,
      2,
      "the agent's key list too",
    );
    await store.agents.revokeKey(agent.id, key(2).kid);
    assert.equal((await store.agents.findByKid(key(2).kid))?.key.status, "revoked");
    await store.agents.delete(agent.id);
    assert.equal(await store.agents.findByKid(key(1).kid), null);

    const base = { agentId: "agt_1", kid: "k1", tool: "openai", scopes: [], issuedAt: 100, expiresAt: 4e9 };
    await store.tokens.recordIssued({ ...base, jti: "t1" });
    await store.tokens.recordIssued({ ...base, jti: "t2" });
    assert.equal(await store.tokens.revokedAt("t1"), null);
    assert.equal(await store.tokens.revokedAt("t2"), null);
    await store.tokens.revokeByJti("t1", 200);
    assert.equal(await store.tokens.revokedAt("t1"), 200);
    await store.tokens.revokeByAgent("agt_1", 300);
    assert.equal(await store.tokens.revokedAt("t2"), 300);
  });

  it("see a credential's rotation, rollback and deletion at once", async () => {
    const store = withReadCaches(openSqliteStore({ dataDir: ":memory:" }), createLocalInvalidationBus());
    assert.equal(await store.credentials.active("openai"), null);
    await store.credentials.create({
      name: "openai",
      tool: "openai",
      description: null,
      fingerprint: "f1",
      sealed: "s1",
    });
    assert.equal((await store.credentials.active("openai"))?.version, 1);
    await store.credentials.addVersion("openai", { fingerprint: "f2", sealed: "s2" });
    assert.equal((await store.credentials.active("openai"))?.version, 2);
    await store.credentials.activate("openai", 1);
    assert.equal((await store.credentials.active("openai"))?.version, 1);
    await store.credentials.delete("openai");
    assert.equal(await store.credentials.active("openai"), null);
  });

  it("another instance's write reaches this instance's cache through the bus", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agentgw-cached-store-"));
    const bus: InvalidationBus = createLocalInvalidationBus();
    const a = withReadCaches(openSqliteStore({ dataDir: dir }), bus);
    const b = withReadCaches(openSqliteStore({ dataDir: dir }), bus);
    try {
      const agent = await a.agents.create(newAgent(1));
      assert.equal((await b.agents.findByKid(key(1).kid))?.agent.status, "active");
      await a.agents.update(agent.id, { status: "suspended" });
      assert.equal((await b.agents.findByKid(key(1).kid))?.agent.status, "suspended");
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("never caches a read that raced an invalidation", async () => {
    const inner = openSqliteStore({ dataDir: ":memory:" });
    const agent = await inner.agents.create(newAgent(1));
    let release: () => void = () => {};
    const slow: Store = {
      ...inner,
      agents: {
        ...inner.agents,
        findByKid: async (kid) => {
          const before = await inner.agents.findByKid(kid);
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          return before;
        },
      },
    };
    const store = withReadCaches(slow, createLocalInvalidationBus());
    const stale = store.agents.findByKid(key(1).kid);
    await new Promise((r) => setImmediate(r));
    await store.agents.update(agent.id, { status: "suspended" });
    release();
    assert.equal((await stale)?.agent.status, "active", "the racing read itself saw the old state");
    const fresh = store.agents.findByKid(key(1).kid);
    await new Promise((r) => setImmediate(r));
    release();
    assert.equal((await fresh)?.agent.status, "suspended", "…but did not stay in the cache");
  });

  it("bounds what it keeps", () => {
    const map = new BoundedMap<string, number>(2);
    map.set("a", 1).set("b", 2).set("c", 3);
    assert.deepEqual([...map.keys()], ["b", "c"]);
    map.set("b", 4);
    assert.equal(map.size, 2);
    assert.throws(() => new BoundedMap(0), RangeError);
  });
});
