// A token-bucket approximation built from rate-limiter-flexible's fixed-window
// limiters. Each rule is two windows that must both admit a request:
//  - "sustained": `points` per `windowSeconds`;
//  - "burst": `burst` per the time the sustained rate needs to earn `burst`
//    units (burst × windowSeconds / points), so `burst` requests may arrive at
//    once but the long-run rate stays `points` per window.
// When burst ≥ points the burst window equals the sustained one and is skipped.
// The library's limiters share one interface across stores, so a Redis-backed
// limiter is a different `makeLimiter`, nothing more.
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import {
  assertCost,
  assertRateRule,
  combinedResult,
  type RateLimiter,
  type RateRule,
  ruleWindows,
} from "./rate-limiter.js";

export interface LimiterWindowOptions {
  keyPrefix: string;
  points: number;
  /** Seconds; may be fractional. */
  duration: number;
}

export interface FlexibleRateLimiterOptions {
  /** Builds one fixed-window limiter; defaults to an in-process RateLimiterMemory. */
  makeLimiter?: (options: LimiterWindowOptions) => RateLimiterAbstract;
  /**
   * How many distinct rules (name, points, window, burst) keep limiters at once.
   * Policy obligations can produce new rules per call; the least recently used
   * rule's counters are dropped beyond this.
   */
  maxRules?: number;
}

interface RuleWindows {
  sustained: RateLimiterAbstract;
  burst: RateLimiterAbstract | null;
}

type WindowOutcome = { ok: boolean; res: RateLimiterRes; limiter: RateLimiterAbstract };

export function createFlexibleRateLimiter(options: FlexibleRateLimiterOptions = {}): RateLimiter {
  const makeLimiter = options.makeLimiter ?? ((o: LimiterWindowOptions) => new RateLimiterMemory(o));
  const maxRules = options.maxRules ?? 1000;
  if (!Number.isInteger(maxRules) || maxRules < 1) {
    throw new RangeError(`maxRules must be a positive integer, got ${String(maxRules)}`);
  }
  // Map keeps insertion order: re-inserting on use makes the first entry the least recently used.
  const rules = new Map<string, RuleWindows>();

  function windowsFor(rule: RateRule): RuleWindows {
    const id = `${rule.name}/${rule.points}/${rule.windowSeconds}/${rule.burst}`;
    const known = rules.get(id);
    if (known) {
      rules.delete(id);
      rules.set(id, known);
      return known;
    }
    assertRateRule(rule, "rule");
    const { sustained, burst } = ruleWindows(rule);
    const windows: RuleWindows = {
      sustained: makeLimiter({ keyPrefix: `${id}/s`, ...sustained }),
      burst: burst ? makeLimiter({ keyPrefix: `${id}/b`, ...burst }) : null,
    };
    rules.set(id, windows);
    if (rules.size > maxRules) {
      const oldest = rules.keys().next().value;
      if (oldest !== undefined) rules.delete(oldest);
    }
    return windows;
  }

  return {
    async consume(key, rule, cost = 1) {
      assertCost(cost);
      const { sustained, burst } = windowsFor(rule);
      const limiters = burst ? [sustained, burst] : [sustained];
      const outcomes = await Promise.all(limiters.map((limiter) => take(limiter, key, cost)));
      // A refused request uses no quota from the windows that did admit it.
      if (outcomes.some((o) => !o.ok))
        await Promise.all(outcomes.filter((o) => o.ok).map((o) => o.limiter.reward(key, cost)));
      return combinedResult(
        rule,
        outcomes.map((o) => ({
          ok: o.ok,
          remaining: o.res.remainingPoints,
          msBeforeNext: o.res.msBeforeNext,
        })),
      );
    },

    async refund(key, rule, cost = 1) {
      assertCost(cost);
      const { sustained, burst } = windowsFor(rule);
      await Promise.all([sustained.reward(key, cost), burst?.reward(key, cost)]);
    },
  };
}

async function take(limiter: RateLimiterAbstract, key: string, cost: number): Promise<WindowOutcome> {
  try {
    return { ok: true, res: await limiter.consume(key, cost), limiter };
  } catch (error) {
    // The library rejects with a RateLimiterRes when over the limit, with an Error when its store fails.
    if (error instanceof RateLimiterRes) return { ok: false, res: error, limiter };
    throw error;
  }
}
