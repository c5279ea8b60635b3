// RateLimit-Policy and RateLimit response fields, draft-ietf-httpapi-ratelimit-headers-10
// (§3, §4): each a Structured Fields List of Items whose value is the policy name
// (a String), e.g. `RateLimit-Policy: "agent";q=600;w=60` and `RateLimit: "agent";r=42;t=7`.
// Serialized by `structured-headers` so quoting and number forms are always valid.
import { type Item, serializeList } from "structured-headers";
import type { RateLimitResult } from "./rate-limiter.js";

export type RateLimitHeaders = Record<string, string>;

/** The two fields describing every policy that applied to a request, in order. */
export function rateLimitHeaders(results: readonly RateLimitResult[]): RateLimitHeaders {
  if (results.length === 0) return {};
  if (results.length === 1) return oneRateLimitHeaders(results[0]!);
  return {
    "RateLimit-Policy": serializeList(results.map(policyItem)),
    RateLimit: serializeList(results.map(stateItem)),
  };
}

const policyItem = (r: RateLimitResult): Item => [
  r.policyName,
  new Map([
    ["q", r.limit],
    ["w", r.windowSeconds],
  ]),
];
const stateItem = (r: RateLimitResult): Item => [
  r.policyName,
  new Map([
    ["r", r.remaining],
    ["t", r.resetSeconds],
  ]),
];

// Every request carries them (the agent's limit), so the common case is not serialised afresh:
// a policy's field is the same for every request under it, and the state is two small integers
// after a fixed name, written directly when they are plain sf-integers (else by the library).
const policyFields = new Map<string, string>();
const SF_INTEGER_MAX = 999_999_999_999_999;
const plainInteger = (n: number) => Number.isInteger(n) && n >= 0 && n <= SF_INTEGER_MAX;

function oneRateLimitHeaders(r: RateLimitResult): RateLimitHeaders {
  const policyKey = `${r.policyName}/${r.limit}/${r.windowSeconds}`;
  let policy = policyFields.get(policyKey);
  if (policy === undefined) {
    policy = serializeList([policyItem(r)]);
    if (policyFields.size >= 1000) policyFields.clear(); // policy obligations can make many rules
    policyFields.set(policyKey, policy);
  }
  const state =
    plainInteger(r.remaining) && plainInteger(r.resetSeconds) && /^[a-z-]+$/.test(r.policyName)
      ? `"${r.policyName}";r=${r.remaining};t=${r.resetSeconds}`
      : serializeList([stateItem(r)]);
  return { "RateLimit-Policy": policy, RateLimit: state };
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
