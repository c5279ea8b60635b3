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
