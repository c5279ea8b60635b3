// The single-process rate limiter: the same two fixed windows per rule as the
// rate-limiter-flexible one (see ruleWindows), counted in one Map and answered
// synchronously. rate-limiter-flexible's memory store costs a promise chain and a
// timer per key per window on every check; here a check is two Map lookups. The
// flexible limiter stays for shared state (Redis), where the counters live elsewhere.
import {
  assertCost,
  assertRateRule,
  combinedResult,
  type RateLimiter,
  type RateLimitResult,
  type RateRule,
  ruleWindows,
  type WindowOutcome,
} from "./rate-limiter.js";

export interface MemoryRateLimiterOptions {
  /** Clock in milliseconds; default Date.now. */
  now?: () => number;
  /** Expired counters are swept at most this often; default 10 s. */
  sweepEveryMs?: number;
}

interface Counter {
  used: number;
  /** When this window ends (ms); the next request after it starts a new one. */
  resetAt: number;
}

export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): RateLimiter & {
  /** The same answers, without a promise: what consume() resolves to. */
  consumeNow(key: string, rule: RateRule, cost?: number): RateLimitResult;
  /** Counters held (windows × keys not yet swept). */
  size(): number;
} {
  const now = options.now ?? Date.now;
  const sweepEveryMs = options.sweepEveryMs ?? 10_000;
  const counters = new Map<string, Counter>();
  // A rule's windows, resolved once per distinct rule (policy obligations can make new rules; the
  // cache is cleared when it grows past any real configuration's size).
  const windowsByRule = new Map<string, Array<{ id: string; points: number; durationMs: number }>>();
  let lastSweep = now();

  function windowsFor(rule: RateRule) {
    const ruleId = `${rule.name}/${rule.points}/${rule.windowSeconds}/${rule.burst}`;
    let windows = windowsByRule.get(ruleId);
    if (windows) return windows;
    assertRateRule(rule, "rule");
    const { sustained, burst } = ruleWindows(rule);
    windows = [{ id: `${ruleId}/s`, points: sustained.points, durationMs: sustained.duration * 1000 }];
    if (burst) windows.push({ id: `${ruleId}/b`, points: burst.points, durationMs: burst.duration * 1000 });
    if (windowsByRule.size >= 1000) windowsByRule.clear();
    windowsByRule.set(ruleId, windows);
    return windows;
  }

  /** The key's live counter in a window, started afresh when the last one ended. */
  function counter(windowId: string, key: string, durationMs: number, at: number): Counter {
    const id = `${windowId}\u0000${key}`;
    let found = counters.get(id);
    if (!found || at >= found.resetAt) {
      found = { used: 0, resetAt: at + durationMs };
      counters.set(id, found);
    }
    return found;
  }

  function sweep(at: number): void {
    if (at - lastSweep < sweepEveryMs) return;
    lastSweep = at;
    for (const [id, found] of counters) if (at >= found.resetAt) counters.delete(id);
  }

  function consumeNow(key: string, rule: RateRule, cost = 1): RateLimitResult {
    assertCost(cost);
    const at = now();
    sweep(at);
    const windows = windowsFor(rule);
    const taken: Counter[] = [];
    const outcomes: WindowOutcome[] = [];
    for (const window of windows) {
      const found = counter(window.id, key, window.durationMs, at);
      // Like rate-limiter-flexible, a refused request still counts in the window that refused it.
      found.used += cost;
      taken.push(found);
      outcomes.push({
        ok: found.used <= window.points,
        remaining: window.points - found.used,
        msBeforeNext: found.resetAt - at,
      });
    }
    // A refused request uses no quota from the windows that did admit it.
    if (outcomes.some((o) => !o.ok)) {
      for (let i = 0; i < outcomes.length; i++) if (outcomes[i]!.ok) taken[i]!.used -= cost;
    }
    return combinedResult(rule, outcomes);
  }

  return {
    consumeNow,
    async consume(key, rule, cost = 1) {
      return consumeNow(key, rule, cost);
    },
    async refund(key, rule, cost = 1) {
      assertCost(cost);
      const at = now();
      for (const window of windowsFor(rule)) counter(window.id, key, window.durationMs, at).used -= cost;
    },
    size: () => counters.size,
  };
}
