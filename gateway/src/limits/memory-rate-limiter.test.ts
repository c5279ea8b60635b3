import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createMemoryRateLimiter } from "./memory-rate-limiter.js";
import type { RateRule } from "./rate-limiter.js";

const rule: RateRule = { name: "agent", points: 4, windowSeconds: 10, burst: 2 };

describe("createMemoryRateLimiter", () => {
  it("enforces the burst and the sustained window, each starting at its first request", () => {
    const clock = { ms: 1_000_000 };
    const limiter = createMemoryRateLimiter({ now: () => clock.ms });
    const take = () => limiter.consumeNow("a", rule);
    assert.deepEqual([take().allowed, take().allowed, take().allowed], [true, true, false]);
    // The burst window is 2 × 10 / 4 = 5 s; the refusal counted in it, not in the sustained one.
    assert.equal(limiter.consumeNow("a", rule).retryAfterSeconds, 5);
    clock.ms += 5_000;
    const third = take();
    assert.equal(third.allowed, true);
    assert.equal(third.remaining, 1, "the burst window's quota left");
    assert.equal(take().allowed, true, "the sustained window's 4th unit");
    clock.ms += 5_000; // the burst window reopens, the sustained one (4 used) is exactly over too
    assert.equal(take().allowed, true);
    assert.equal(limiter.consumeNow("b", rule).allowed, true, "keys are counted apart");
  });

  it("refunds, and sweeps counters whose window ended", async () => {
    const clock = { ms: 2_000_000 };
    const limiter = createMemoryRateLimiter({ now: () => clock.ms, sweepEveryMs: 1_000 });
    const one: RateRule = { name: "ip", points: 1, windowSeconds: 60, burst: 1 };
    assert.equal((await limiter.consume("x", one)).allowed, true);
    assert.equal((await limiter.consume("x", one)).allowed, false);
    await limiter.refund("x", one);
    await limiter.refund("x", one);
    assert.equal((await limiter.consume("x", one)).allowed, true, "given back");
    for (let i = 0; i < 50; i++) limiter.consumeNow(`ip-${i}`, one);
    assert.equal(limiter.size(), 51);
    clock.ms += 61_000;
    limiter.consumeNow("y", one);
    assert.equal(limiter.size(), 1, "only the live counter is left");
    assert.throws(() => limiter.consumeNow("y", one, 0), RangeError);
  });
});
