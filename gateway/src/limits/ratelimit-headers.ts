// RateLimit-Policy and RateLimit response fields, draft-ietf-httpapi-ratelimit-headers-10
// (§3, §4): each a Structured Fields List of Items whose value is the policy name
// (a String), e.g. `RateLimit-Policy: "agent";q=600;w=60` and `RateLimit: "agent";r=42;t=7`.
// Serialized by `structured-headers` so quoting and number forms are always valid.
import { serializeList } from "structured-headers";
import type { RateLimitResult } from "./rate-limiter.js";

export type RateLimitHeaders = Record<string, string>;

/** The two fields describing every policy that applied to a request, in order. */
export function rateLimitHeaders(results: readonly RateLimitResult[]): RateLimitHeaders {
  if (results.length === 0) return {};
  return {
    "RateLimit-Policy": serializeList(
      results.map((r) => [
        r.policyName,
        new Map([
          ["q", r.limit],
          ["w", r.windowSeconds],
        ]),
      ]),
    ),
    RateLimit: serializeList(
      results.map((r) => [
        r.policyName,
        new Map([
          ["r", r.remaining],
          ["t", r.resetSeconds],
        ]),
      ]),
    ),
  };
}

/**
 * Headers for a 429: the refused policy and Retry-After in delay-seconds
 * (RFC 9110 §10.2.3). Retry-After never points earlier than `t` (draft §6).
 */
export function refusalHeaders(refused: RateLimitResult): RateLimitHeaders {
  const wait = Math.max(1, refused.retryAfterSeconds, refused.resetSeconds);
  return {
    "Retry-After": String(wait),
    ...rateLimitHeaders([{ ...refused, remaining: 0, resetSeconds: wait }]),
  };
}
