// A token's lifetime is the least of what the agent asked, what the policy allows
// (`max_ttl_seconds` obligation) and the configured maximum (CONTRACT.md §4).
import { GatewayError } from "../errors.js";

/**
 * @param asked the agent's `ttlSeconds`, when sent (a positive integer, else `invalid_request`)
 * @param obligation the decision's `obligations.max_ttl_seconds` as the policy returned it: absent
 *   means no policy cap; anything but a number ≥ 1 is a policy error and denies (fail closed)
 * @param configuredMax the gateway's configured maximum (a positive integer)
 * @returns whole seconds, at least 1
 */
export function effectiveTtl(asked: number | undefined, obligation: unknown, configuredMax: number): number {
  if (!Number.isInteger(configuredMax) || configuredMax < 1) {
    throw new RangeError("configuredMax must be a positive integer");
  }
  let ttl = configuredMax;
  if (asked !== undefined) {
    if (!Number.isInteger(asked) || asked < 1) {
      throw new GatewayError("invalid_request", "ttlSeconds must be a positive integer");
    }
    ttl = Math.min(ttl, asked);
  }
  if (obligation !== undefined && obligation !== null) {
    if (typeof obligation !== "number" || !Number.isFinite(obligation) || Math.floor(obligation) < 1) {
      throw new GatewayError(
        "policy_denied",
        "the policy's max_ttl_seconds obligation is not a positive number",
        {
          extensions: { reasons: ["invalid max_ttl_seconds obligation"] },
        },
      );
    }
    ttl = Math.min(ttl, Math.floor(obligation));
  }
  return ttl;
}
