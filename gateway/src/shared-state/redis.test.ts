// The Redis-backed shared state against a real redis-server (started by the test command,
// or by this file when run alone; the fault case starts its own so it can stop it).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import { pino } from "pino";
import { startRedis } from "../../../scripts/test-services.mjs";
import { NonceCacheFullError } from "../httpsig/nonce-cache.js";
import type { RateRule } from "../limits/rate-limiter.js";
import { testRedisUrl } from "../store/testing/servers.js";
import { StoreUnavailableError } from "../store/types.js";
import { createSharedState, type Invalidation } from "./index.js";
import { connectRedis } from "./redis-client.js";
import { createRedisNonceCache, initNonceEpoch, type RedisNonceCacheOptions } from "./redis-nonce-cache.js";
import { createRedisRateLimiter } from "./redis-rate-limiter.js";

const silent = pino({ level: "silent" });
const prefix = () => `t${randomBytes(6).toString("hex")}:`;
const rule: RateRule = { name: "agent", points: 5, windowSeconds: 60, burst: 5 };

async function clients() {
  const url = await testRedisUrl();
  const a = connectRedis({ url, keyPrefix: "" });
  const b = connectRedis({ url, keyPrefix: "" });
  assert.ok((await a.ready) && (await b.ready));
  after(() => Promise.all([a.close(), b.close()]));
  return { a, b, url };
}

async function nonceCache(
  options: Omit<RedisNonceCacheOptions, "acceptWindowSeconds"> & { acceptWindowSeconds?: number },
) {
  await initNonceEpoch(options.redis, options.prefix);
  return createRedisNonceCache({ acceptWindowSeconds: 90, ...options });
}

describe("redis nonce cache", () => {
  it("a nonce claimed through one instance is a replay on the other; other keys are separate", async () => {
    const { a, b } = await clients();
    const p = prefix();
    const one = await nonceCache({ redis: a.command, prefix: p });
    const two = await nonceCache({ redis: b.command, prefix: p });
    const until = Math.floor(Date.now() / 1000) + 60;
    assert.equal(await one.remember("kid-1", "n-1", until), true);
    assert.equal(await two.remember("kid-1", "n-1", until), false);
    assert.equal(await two.remember("kid-2", "n-1", until), true);
    assert.equal(await one.remember("kid-1", "n-2", until), true);
    // Untrusted text cannot make two (kid, nonce) pairs collide.
    assert.equal(await one.remember("k:1", "x", until), true);
    assert.equal(await one.remember("k", "1:x", until), true);
    const ttl = await a.command.ttl(`${p}nonce:5:kid-1:n-1`);
    assert.ok(ttl > 0 && ttl <= 60, `the nonce expires with its signature (ttl ${ttl})`);
  });

  it("concurrent claims of one nonce from two instances: exactly one wins", async () => {
    const { a, b } = await clients();
    const p = prefix();
    const caches = await Promise.all([a, b].map((c) => nonceCache({ redis: c.command, prefix: p })));
    const until = Math.floor(Date.now() / 1000) + 60;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => caches[i % 2]!.remember("kid", "same", until)),
    );
    assert.equal(results.filter(Boolean).length, 1);
  });

  it("holds each agent, all its keys together, to its quota of live nonces", async () => {
    const { a } = await clients();
    const cache = await nonceCache({ redis: a.command, prefix: prefix(), maxEntriesPerOwner: 3 });
    const until = Math.floor(Date.now() / 1000) + 30;
    for (const [kid, n] of [
      ["k1", "a"],
      ["k2", "b"],
      ["k1", "c"],
    ] as const) {
      assert.equal(await cache.remember(kid, n, until, "agt_1"), true);
    }
    await assert.rejects(
      Promise.resolve(cache.remember("k3", "d", until, "agt_1")),
      (e: unknown) => e instanceof NonceCacheFullError && e.retryAfterSeconds >= 1,
    );
    assert.equal(await cache.remember("k9", "d", until, "agt_2"), true, "another agent is not affected");
  });

  it("when Redis loses its data, refuses claims until earlier signatures can no longer be used", async () => {
    const { a } = await clients();
    const p = prefix();
    let nowMs = Date.now();
    const cache = await nonceCache({
      redis: a.command,
      prefix: p,
      acceptWindowSeconds: 90,
      now: () => nowMs,
    });
    const until = () => Math.floor(nowMs / 1000) + 60;
    assert.equal(await cache.remember("kid", "before", until()), true);
    // What a restart without persistence does to this deployment's keys.
    const keys = await a.command.keys(`${p}*`);
    await a.command.del(...keys);
    await assert.rejects(
      Promise.resolve(cache.remember("kid", "before", until())),
      (e: unknown) =>
        e instanceof StoreUnavailableError && e.dependency === "redis" && e.retryAfterSeconds === 90,
      "the replay of a request signed before the loss is not accepted",
    );
    nowMs += 60_000;
    await assert.rejects(
      Promise.resolve(cache.remember("kid", "other", until())),
      (e: unknown) => e instanceof StoreUnavailableError && e.retryAfterSeconds === 30,
    );
    nowMs += 30_000;
    assert.equal(await cache.remember("kid", "after", until()), true, "claims resume after the window");
    assert.equal(await cache.remember("kid", "after", until()), false);
  });
});

describe("redis rate limiter", () => {
  it("counts one agent across instances, even under parallel load", async () => {
    const { a, b } = await clients();
    const p = prefix();
    const limiters = [a, b].map((c) => createRedisRateLimiter({ redis: c.command, prefix: p }));
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => limiters[i % 2]!.consume("agent-1", rule)),
    );
    assert.equal(results.filter((r) => r.allowed).length, 5);
    const refused = results.find((r) => !r.allowed)!;
    assert.ok(refused.retryAfterSeconds >= 1);
    assert.equal((await limiters[0]!.consume("agent-2", rule)).allowed, true, "agents are counted apart");
  });
});

describe("shared state over redis", () => {
  it("announces invalidations to the other instances, not back to the sender as remote", async () => {
    const url = await testRedisUrl();
    const config = {
      redis: { url, keyPrefix: prefix() },
      database: { maxConnections: 1 },
      signature: { skewSeconds: 30, maxAgeSeconds: 60, nonceCacheSize: 10, nonceQuotaPerAgent: 100 },
    };
    const one = await createSharedState(config, silent);
    const two = await createSharedState(config, silent);
    after(() => Promise.all([one.close(), two.close()]));
    const heard: Array<[string, Invalidation, boolean]> = [];
    one.bus.subscribe((e, remote) => heard.push(["one", e, remote]));
    two.bus.subscribe((e, remote) => heard.push(["two", e, remote]));
    // The subscription is set up asynchronously: wait until a probe crosses.
    for (let i = 0; i < 50 && !heard.some(([who]) => who === "two"); i++) {
      await one.bus.publish({ kind: "signing-keys" });
      await new Promise((r) => setTimeout(r, 20));
    }
    heard.length = 0;
    await one.bus.publish({ kind: "token", jti: "j1" });
    for (let i = 0; i < 100 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(heard, [
      ["one", { kind: "token", jti: "j1" }, false],
      ["two", { kind: "token", jti: "j1" }, true],
    ]);
    assert.deepEqual(await one.readiness(), { redis: true });
  });

  it("fails closed while Redis is down, reports it, and recovers by itself when it is back", async () => {
    const server = await startRedis();
    after(() => server.close());
    const shared = await createSharedState(
      {
        redis: { url: server.url, keyPrefix: "f:" },
        database: { maxConnections: 1 },
        signature: { skewSeconds: 1, maxAgeSeconds: 2, nonceCacheSize: 10, nonceQuotaPerAgent: 100 },
      },
      silent,
    );
    after(() => shared.close());
    const until = () => Math.floor(Date.now() / 1000) + 60;
    assert.equal(await shared.nonceCache!.remember("k", "n1", until()), true);
    await server.stop();
    await assert.rejects(
      Promise.resolve(shared.nonceCache!.remember("k", "n2", until())),
      (e: unknown) => e instanceof StoreUnavailableError && e.dependency === "redis",
    );
    await assert.rejects(shared.rateLimiter!.consume("a", rule), StoreUnavailableError);
    await assert.rejects(shared.inFlight!.acquire("a", 1), StoreUnavailableError);
    assert.deepEqual(await shared.readiness(), { redis: false });
    assert.equal(shared.health.snapshot().get("redis"), false);
    await server.start();
    let recovered = false;
    for (let i = 0; i < 100 && !recovered; i++) {
      recovered = (await shared.readiness()).redis === true;
      if (!recovered) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(recovered, "reconnected without a restart");
    // The restarted Redis lost the replay records: claims wait out the (short) signature window.
    let accepted = false;
    for (let i = 0; i < 100 && !accepted; i++) {
      accepted = await Promise.resolve(shared.nonceCache!.remember("k", `n3-${i}`, until())).catch(
        () => false,
      );
      if (!accepted) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(accepted, "claims resume once the window has passed");
    assert.equal(shared.health.snapshot().get("redis"), true);
    assert.ok(await shared.inFlight!.acquire("a", 1), "calls are admitted again");
  });
});
