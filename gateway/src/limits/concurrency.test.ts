// The in-flight bound against both counters: this process's memory, and Redis (a real
// redis-server, from the test command or started by this file when run alone).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import { configSchema } from "../config.js";
import { GatewayError } from "../errors.js";
import { connectRedis } from "../shared-state/redis-client.js";
import { createRedisInFlightCounter } from "../shared-state/redis-in-flight.js";
import { testRedisUrl } from "../store/testing/servers.js";
import { createCallConcurrency, createMemoryInFlightCounter, type InFlightCounter } from "./concurrency.js";

const config = configSchema.parse({
  rateLimits: { tiers: { default: { concurrency: 2 }, wide: { concurrency: 3 } } },
});

async function redisCounter(leaseMs?: number): Promise<InFlightCounter> {
  const redis = connectRedis({ url: await testRedisUrl(), keyPrefix: "" });
  assert.ok(await redis.ready);
  after(() => redis.close());
  const prefix = `t${randomBytes(6).toString("hex")}:`;
  return createRedisInFlightCounter({ redis: redis.command, prefix, ...(leaseMs ? { leaseMs } : {}) });
}

const implementations: [string, () => Promise<InFlightCounter>][] = [
  ["memory", async () => createMemoryInFlightCounter()],
  ["redis", () => redisCounter()],
];

for (const [name, makeCounter] of implementations) {
  describe(`createCallConcurrency (${name})`, () => {
    it("admits up to the tier's bound per agent and tool, refuses the next with 429, frees on release", async () => {
      const refused: string[] = [];
      const gate = createCallConcurrency(config, {
        counter: await makeCounter(),
        onRefused: (id) => refused.push(id),
      });
      const a = { id: "agt_a", tier: "default" };
      const first = await gate.enter(a, "openai");
      await gate.enter(a, "openai");
      await assert.rejects(
        gate.enter(a, "openai"),
        (e: unknown) =>
          e instanceof GatewayError && e.code === "rate_limited" && e.headers["Retry-After"] === "1",
      );
      assert.deepEqual(refused, ["agt_a"]);
      // Other tools and other agents are not affected.
      await gate.enter(a, "gmail");
      await gate.enter({ id: "agt_b", tier: "default" }, "openai");
      first();
      first(); // a second release does nothing
      await gate.enter(a, "openai");
      await assert.rejects(gate.enter(a, "openai"));
    });

    it("uses the agent's tier, and the default tier for unknown tiers", async () => {
      const gate = createCallConcurrency(config, { counter: await makeCounter() });
      for (let i = 0; i < 3; i++) await gate.enter({ id: "w", tier: "wide" }, "http");
      await assert.rejects(gate.enter({ id: "w", tier: "wide" }, "http"));
      for (let i = 0; i < 2; i++) await gate.enter({ id: "u", tier: "platinum" }, "http");
      await assert.rejects(gate.enter({ id: "u", tier: "platinum" }, "http"));
    });

    it("many entries at once never admit more than the bound", async () => {
      const gate = createCallConcurrency(config, { counter: await makeCounter() });
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, () => gate.enter({ id: "agt_c", tier: "wide" }, "openai")),
      );
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 3);
    });
  });
}

describe("redis in-flight counter across instances", () => {
  it("two instances share one bound, even when entering at once", async () => {
    const url = await testRedisUrl();
    const prefix = `t${randomBytes(6).toString("hex")}:`;
    const gates = await Promise.all(
      [0, 1].map(async () => {
        const redis = connectRedis({ url, keyPrefix: "" });
        assert.ok(await redis.ready);
        after(() => redis.close());
        return createCallConcurrency(config, {
          counter: createRedisInFlightCounter({ redis: redis.command, prefix }),
        });
      }),
    );
    const agent = { id: "agt_shared", tier: "wide" };
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => gates[i % 2]!.enter(agent, "openai")),
    );
    const admitted = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    assert.equal(admitted.length, 3);
    // A place freed on one instance can be taken on the other.
    admitted[0]!();
    await waitFor(async () =>
      gates[1]!.enter(agent, "openai").then(
        () => true,
        () => false,
      ),
    );
    await assert.rejects(gates[0]!.enter(agent, "openai"));
  });

  it("a holder that dies does not leak its places: unrefreshed leases expire", async () => {
    // Leases of 300 ms, refreshed every 100 ms while their holder lives.
    const live = await redisCounter(300);
    const key = `agt_${randomBytes(4).toString("hex")}`;
    const held = await live.acquire(key, 1);
    assert.ok(held);
    // Held past several lease lengths: refreshed, so still taken.
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(await live.acquire(key, 1), null, "a live holder keeps its place");
    held();
    await waitFor(async () => (await live.acquire(key, 1)) !== null);
  });

  it("a crashed holder's lease (never refreshed, never released) frees its place after the lease", async () => {
    const url = await testRedisUrl();
    const prefix = `t${randomBytes(6).toString("hex")}:`;
    const crashed = connectRedis({ url, keyPrefix: "" });
    assert.ok(await crashed.ready);
    const dying = createRedisInFlightCounter({ redis: crashed.command, prefix, leaseMs: 300 });
    assert.ok(await dying.acquire("k", 1));
    await crashed.close(); // the process is gone: no refresh, no release
    const survivor = await (async () => {
      const redis = connectRedis({ url, keyPrefix: "" });
      assert.ok(await redis.ready);
      after(() => redis.close());
      return createRedisInFlightCounter({ redis: redis.command, prefix, leaseMs: 300 });
    })();
    assert.equal(await survivor.acquire("k", 1), null, "still taken right after the crash");
    await waitFor(async () => (await survivor.acquire("k", 1)) !== null);
  });
});

/** Polls `check` until it is true (at most about 5 s). */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail("condition not reached");
}
