// Background jobs, started once beside the app and stopped together: forgetting
// expired tokens (and their revocations), dropping retired signing keys from the
// JWKS once their last token has expired, audit and decision retention, re-reading which
// tools have credentials (another gateway on a shared store may add or delete one), and
// marking lapsed pending approvals expired (each audited), and forgetting console sign-outs of
// sessions that have expired anyway. Every timer is
// unref'd, so housekeeping never keeps the process alive; a failed run is logged
// and retried on the next tick.
import type { Logger } from "pino";
import type { Approvals } from "./approvals/approvals.js";
import type { Credentials } from "./credentials/credentials.js";
import type { Store } from "./store/types.js";
import { startExpiredTokenPurge } from "./tokens/revocation.js";
import type { SigningKeyRing } from "./tokens/signing-keys.js";

export interface HousekeepingDeps {
  store: Pick<Store, "tokens" | "audit" | "decisions" | "consoleSignOuts">;
  keyRing: Pick<SigningKeyRing, "prune">;
  approvals: Pick<Approvals, "expireDue">;
  logger: Pick<Logger, "info" | "warn">;
  now: () => number;
  /** The signature verifier's skew: a revocation is kept until exp + skew. */
  skewSeconds: number;
  auditRetentionDays: number;
  /** Decisions hold whole policy inputs, so they are usually kept for less than the audit trail. */
  decisionRetentionDays: number;
  credentials: Pick<Credentials, "refresh">;
}

export interface Housekeeping {
  stop(): void;
}

const KEY_PRUNE_INTERVAL_MS = 60_000;
const RETENTION_INTERVAL_MS = 3_600_000;
const CREDENTIAL_INDEX_REFRESH_MS = 5_000;
const APPROVAL_EXPIRY_INTERVAL_MS = 30_000;

export function startHousekeeping(deps: HousekeepingDeps): Housekeeping {
  const { store, keyRing, logger, now } = deps;
  const tokenPurge = startExpiredTokenPurge({
    tokenStore: store.tokens,
    now: () => new Date(now()),
    skewSeconds: deps.skewSeconds,
    onError: (error) => logger.warn({ err: error }, "token purge failed; retrying next tick"),
  });
  const keyPrune = setInterval(() => keyRing.prune(), KEY_PRUNE_INTERVAL_MS).unref();
  // Retention: records older than the configured days go, at start and hourly (the audit chain stays
  // verifiable from an anchor).
  const retention = (what: string, days: number, prune: (before: string) => Promise<number>) => {
    const run = async () => {
      const before = new Date(now() - days * 86_400_000).toISOString();
      const removed = await prune(before).catch((error: unknown) => {
        logger.warn({ err: error }, `${what} retention prune failed; retrying next hour`);
        return 0;
      });
      if (removed > 0) logger.info({ removed, before }, `${what} past retention removed`);
    };
    void run();
    return setInterval(() => void run(), RETENTION_INTERVAL_MS).unref();
  };
  const auditPrune = retention("audit records", deps.auditRetentionDays, (b) => store.audit.prune(b));
  const decisionPrune = retention("decisions", deps.decisionRetentionDays, (b) => store.decisions.prune(b));
  const credentialIndex = setInterval(
    () =>
      void deps.credentials
        .refresh()
        .catch((error: unknown) => logger.warn({ err: error }, "credential index refresh failed")),
    CREDENTIAL_INDEX_REFRESH_MS,
  ).unref();
  const approvalExpiry = setInterval(() => {
    deps.approvals
      .expireDue()
      .catch((error: unknown) => logger.warn({ err: error }, "approval expiry failed; retrying next tick"));
  }, APPROVAL_EXPIRY_INTERVAL_MS).unref();
  const signOutPurge = setInterval(() => {
    store.consoleSignOuts
      .purgeExpired(now())
      .catch((error: unknown) =>
        logger.warn({ err: error }, "console sign-out purge failed; retrying later"),
      );
  }, RETENTION_INTERVAL_MS).unref();
  return {
    stop() {
      clearInterval(signOutPurge);
      tokenPurge.stop();
      clearInterval(keyPrune);
      clearInterval(auditPrune);
      clearInterval(decisionPrune);
      clearInterval(credentialIndex);
      clearInterval(approvalExpiry);
    },
  };
}
