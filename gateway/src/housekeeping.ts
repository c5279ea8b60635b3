// Background jobs, started once beside the app and stopped together: forgetting
// expired tokens (and their revocations), dropping retired signing keys from the
// JWKS once their last token has expired, and audit retention. Every timer is
// unref'd, so housekeeping never keeps the process alive; a failed run is logged
// and retried on the next tick.
import type { Logger } from "pino";
import type { Store } from "./store/types.js";
import { startExpiredTokenPurge } from "./tokens/revocation.js";
import type { SigningKeyRing } from "./tokens/signing-keys.js";

export interface HousekeepingDeps {
  store: Pick<Store, "tokens" | "audit">;
  keyRing: Pick<SigningKeyRing, "prune">;
  logger: Pick<Logger, "info" | "warn">;
  now: () => number;
  /** The signature verifier's skew: a revocation is kept until exp + skew. */
  skewSeconds: number;
  auditRetentionDays: number;
}

export interface Housekeeping {
  stop(): void;
}

const KEY_PRUNE_INTERVAL_MS = 60_000;
const AUDIT_PRUNE_INTERVAL_MS = 3_600_000;

export function startHousekeeping(deps: HousekeepingDeps): Housekeeping {
  const { store, keyRing, logger, now } = deps;
  const tokenPurge = startExpiredTokenPurge({
    tokenStore: store.tokens,
    now: () => new Date(now()),
    skewSeconds: deps.skewSeconds,
    onError: (error) => logger.warn({ err: error }, "token purge failed; retrying next tick"),
  });
  const keyPrune = setInterval(() => keyRing.prune(), KEY_PRUNE_INTERVAL_MS).unref();
  // Audit retention: records older than the configured days go; the chain stays verifiable from an anchor.
  const pruneAudit = async () => {
    const before = new Date(now() - deps.auditRetentionDays * 86_400_000).toISOString();
    const removed = await store.audit.prune(before).catch((error: unknown) => {
      logger.warn({ err: error }, "audit retention prune failed; retrying next hour");
      return 0;
    });
    if (removed > 0) logger.info({ removed, before }, "audit records past retention removed");
  };
  void pruneAudit();
  const auditPrune = setInterval(() => void pruneAudit(), AUDIT_PRUNE_INTERVAL_MS).unref();
  return {
    stop() {
      tokenPurge.stop();
      clearInterval(keyPrune);
      clearInterval(auditPrune);
    },
  };
}
