// The rate-limiter seam: callers see only these types, so an in-memory limiter
// can be swapped for one backed by a shared store (Redis) without touching them.

/** Fixed, short policy names: they appear in response headers, so never an agent id. */
export type RatePolicyName = "agent" | "agent-tool" | "ip";

export interface RateRule {
  name: RatePolicyName;
  /** Requests sustained per window. */
  points: number;
  /** Window in seconds (may be fractional for policy overrides). */
  windowSeconds: number;
  /** How many requests may arrive at once (capped at `points`). */
  burst: number;
}

export interface RateLimitResult {
  allowed: boolean;
  /** The rule's quota (`q` of RateLimit-Policy). */
  limit: number;
  /** The rule's window in whole seconds (`w` of RateLimit-Policy). */
  windowSeconds: number;
  /** Requests that may be made now (`r` of RateLimit). */
  remaining: number;
  /** Seconds until more quota is available (`t` of RateLimit). */
  resetSeconds: number;
  /** Seconds to wait before retrying; 0 when allowed. */
  retryAfterSeconds: number;
  policyName: RatePolicyName;
}

export interface RateLimiter {
  /** Takes `cost` units from `key` under `rule`; a refusal is a result, not an error. */
  consume(key: string, rule: RateRule, cost?: number): Promise<RateLimitResult>;
  /** Gives back units taken by an allowed `consume` (e.g. when a later check refused the call). */
  refund(key: string, rule: RateRule, cost?: number): Promise<void>;
}

/** Throws a RangeError naming the field when a rule cannot be enforced. */
export function assertRateRule(rule: RateRule, where: string): void {
  for (const field of ["points", "windowSeconds", "burst"] as const) {
    const value = rule[field];
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`${where}.${field} must be a positive number, got ${String(value)}`);
    }
  }
  if (!Number.isInteger(rule.points) || !Number.isInteger(rule.burst)) {
    throw new RangeError(`${where}: points and burst must be integers`);
  }
}

/**
 * The two fixed windows a rule is enforced with, both of which must admit a request: "sustained"
 * (`points` per `windowSeconds`) and "burst" (`burst` per the time the sustained rate needs to earn
 * `burst` units), so `burst` requests may arrive at once but the long-run rate stays `points` per
 * window. When burst ≥ points the burst window equals the sustained one and is left out.
 */
export function ruleWindows(rule: RateRule): {
  sustained: { points: number; duration: number };
  burst: { points: number; duration: number } | null;
} {
  const bucket = Math.min(rule.burst, rule.points);
  return {
    sustained: { points: rule.points, duration: rule.windowSeconds },
    burst:
      bucket < rule.points ? { points: bucket, duration: (bucket * rule.windowSeconds) / rule.points } : null,
  };
}

/** A limiter's answer in the seam's terms. */
export function rateLimitResult(
  rule: RateRule,
  allowed: boolean,
  remaining: number,
  resetSeconds: number,
  retryAfterSeconds: number,
): RateLimitResult {
  return {
    allowed,
    limit: rule.points,
    // RateLimit-Policy's `w` is a non-zero Integer.
    windowSeconds: Math.max(1, Math.ceil(rule.windowSeconds)),
    remaining: Math.max(0, Math.floor(remaining)),
    resetSeconds: Math.max(0, resetSeconds),
    retryAfterSeconds,
    policyName: rule.name,
  };
}

/** What one window said about a request. */
export interface WindowOutcome {
  ok: boolean;
  remaining: number;
  msBeforeNext: number;
}

/**
 * The rule's answer from its windows' outcomes: refused when any window refused (retry when the
 * last of those reopens); else the window with the least quota left, which the caller meets first.
 */
export function combinedResult(rule: RateRule, outcomes: readonly WindowOutcome[]): RateLimitResult {
  const refused = outcomes.filter((o) => !o.ok);
  if (refused.length > 0) {
    const retryAfterSeconds = Math.max(1, ...refused.map((o) => ceilSeconds(o.msBeforeNext)));
    return rateLimitResult(rule, false, 0, retryAfterSeconds, retryAfterSeconds);
  }
  const tightest = outcomes.reduce((a, b) =>
    b.remaining < a.remaining || (b.remaining === a.remaining && b.msBeforeNext > a.msBeforeNext) ? b : a,
  );
  return rateLimitResult(rule, true, tightest.remaining, ceilSeconds(tightest.msBeforeNext), 0);
}

function ceilSeconds(ms: number): number {
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}

export function assertCost(cost: number): void {
  if (!Number.isInteger(cost) || cost < 1) {
    throw new RangeError(`cost must be a positive integer, got ${String(cost)}`);
  }
}
