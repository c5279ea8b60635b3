import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serializeList } from "structured-headers";
import type { RateLimitResult } from "./rate-limiter.js";
import { rateLimitHeaders } from "./ratelimit-headers.js";

const result = (over: Partial<RateLimitResult>): RateLimitResult => ({
  allowed: true,
  limit: 600,
  windowSeconds: 60,
  remaining: 42,
  resetSeconds: 7,
  retryAfterSeconds: 0,
  policyName: "agent",
  ...over,
});

/** What the library writes for one policy: the fields the cached/direct path must equal byte for byte. */
const bySerializer = (r: RateLimitResult) => ({
  "RateLimit-Policy": serializeList([
    [
      r.policyName,
      new Map([
        ["q", r.limit],
        ["w", r.windowSeconds],
      ]),
    ],
  ]),
  RateLimit: serializeList([
    [
      r.policyName,
      new Map([
        ["r", r.remaining],
        ["t", r.resetSeconds],
      ]),
    ],
  ]),
});

describe("rateLimitHeaders", () => {
  it("writes one policy exactly as structured-headers does, cached or not", () => {
    for (const policyName of ["agent", "agent-tool", "ip"] as const) {
      for (const [remaining, resetSeconds] of [
        [0, 0],
        [42, 7],
        [999_999_999_999_999, 3600],
      ] as const) {
        const r = result({
          policyName,
          remaining,
          resetSeconds,
          limit: Math.min(remaining + 1, 999_999_999_999_999),
        });
        assert.deepEqual(rateLimitHeaders([r]), bySerializer(r));
        assert.deepEqual(rateLimitHeaders([r]), bySerializer(r), "the second time, from the cache");
      }
    }
    // Past an sf-integer the library refuses, as before: never a malformed field.
    assert.throws(() => rateLimitHeaders([result({ remaining: 1e16 })]));
  });

  it("lists several policies in order", () => {
    const both = rateLimitHeaders([result({}), result({ policyName: "agent-tool", limit: 5, remaining: 1 })]);
    assert.equal(both["RateLimit-Policy"], '"agent";q=600;w=60, "agent-tool";q=5;w=60');
    assert.equal(both.RateLimit, '"agent";r=42;t=7, "agent-tool";r=1;t=7');
  });
});
