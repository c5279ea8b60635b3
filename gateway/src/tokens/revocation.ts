// What the admin routes call to kill tokens, and the housekeeping that forgets issued
// tokens once they can no longer be used. Revocations live in the TokenStore, so a
// shared store makes them visible to every gateway instance at once.
import type { TokenStore } from "../store/types.js";

export interface TokenRevoker {
  /** Revokes one token; resolves to 1, or 0 when it is unknown, expired-and-purged or already revoked. */
  revokeToken(jti: string): Promise<number>;
  /**
   * Revokes every unexpired token of an agent, or only those bound to one of its keys
   * (when the key is revoked). Call it when an agent is deleted or suspended.
   */
  revokeAgentTokens(agentId: string, options?: { kid?: string }): Promise<number>;
}

export function createTokenRevoker(options: {
  tokenStore: Pick<TokenStore, "revokeByJti" | "revokeByAgent">;
  now: () => Date;
}): TokenRevoker {
  const { tokenStore, now } = options;
  if (typeof tokenStore?.revokeByJti !== "function" || typeof tokenStore.revokeByAgent !== "function") {
    throw new TypeError("tokenStore must provide revokeByJti and revokeByAgent");
  }
  if (typeof now !== "function") throw new TypeError("now must be a function returning a Date");
  const nowSeconds = () => Math.floor(now().getTime() / 1000);
  return {
    async revokeToken(jti) {
      if (typeof jti !== "string" || jti === "") throw new TypeError("jti must be a non-empty string");
      return tokenStore.revokeByJti(jti, nowSeconds());
    },
    async revokeAgentTokens(agentId, { kid } = {}) {
      if (typeof agentId !== "string" || agentId === "")
        throw new TypeError("agentId must be a non-empty string");
      if (kid !== undefined && (typeof kid !== "string" || kid === "")) {
        throw new TypeError("kid must be a non-empty string when given");
      }
      return tokenStore.revokeByAgent(agentId, nowSeconds(), kid);
    },
  };
}

export interface PurgeTimer {
  /** Runs one purge now; resolves to the number of tokens forgotten. */
  runOnce(): Promise<number>;
  stop(): void;
}

/**
 * Periodically forgets issued tokens (and their revocations) once they are past use.
 * A verifier accepts a token until `exp + skew`, so only tokens that expired more than
 * `skewSeconds` ago are purged: forgetting a revocation any earlier would revive the token.
 * The timer is unref'd, so it never keeps the process alive.
 */
export function startExpiredTokenPurge(options: {
  tokenStore: Pick<TokenStore, "purgeExpired">;
  now: () => Date;
  /** Must be at least the verifier's skew. */
  skewSeconds: number;
  intervalMs?: number;
  /** Purge failures are reported here and retried at the next tick, never thrown. */
  onError?: (error: unknown) => void;
}): PurgeTimer {
  const { tokenStore, now, skewSeconds, intervalMs = 60_000, onError = () => {} } = options;
  if (typeof tokenStore?.purgeExpired !== "function")
    throw new TypeError("tokenStore must provide purgeExpired");
  if (typeof now !== "function") throw new TypeError("now must be a function returning a Date");
  if (!Number.isInteger(skewSeconds) || skewSeconds < 0) {
    throw new RangeError("skewSeconds must be a non-negative integer");
  }
  if (!Number.isInteger(intervalMs) || intervalMs < 1000)
    throw new RangeError("intervalMs must be an integer ≥ 1000");

  const runOnce = () => tokenStore.purgeExpired(Math.floor(now().getTime() / 1000) - skewSeconds);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    runOnce()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return {
    runOnce,
    stop: () => clearInterval(timer),
  };
}
