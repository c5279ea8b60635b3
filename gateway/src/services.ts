// Everything the app needs beside config, store and logger, built once at start.
// main.ts calls createServices; tests can build the same thing in-process.

import { fromBase64Url } from "@agentgw/sdk";
import type { Logger } from "pino";
import { type Approvals, createApprovals } from "./approvals/approvals.js";
import { createApprovalWebhook } from "./approvals/webhook.js";
import { createAuditLog } from "./audit/audit-log.js";
import type { Config } from "./config.js";
import { createMemoryNonceCache } from "./httpsig/nonce-cache.js";
import { createSignatureVerifier, type SignatureVerifier } from "./httpsig/verifier.js";
import {
  type Budgets,
  createBudgets,
  createRateLimits,
  type RateLimits,
  requestedTokenCap,
} from "./limits/index.js";
import { createMetrics, type Metrics } from "./metrics/index.js";
import type { CallBudgets, CallLimiter } from "./pipeline/rate-limit.js";
import { createPolicyEngine, type PolicyEngine } from "./policy/policy-engine.js";
import type { Store } from "./store/types.js";
import {
  createTokenRevoker,
  type PurgeTimer,
  startExpiredTokenPurge,
  type TokenRevoker,
} from "./tokens/revocation.js";
import { createSigningKeyRing, type SigningKeyRing } from "./tokens/signing-keys.js";
import { createToolTokenVerifier, type ToolTokenVerifier } from "./tokens/verify-token.js";
import { createConnectors } from "./tools/index.js";
import type { ToolConnector } from "./tools/types.js";

export interface Services {
  policy: PolicyEngine;
  keyRing: SigningKeyRing;
  signatureVerifier: SignatureVerifier;
  tokenVerifier: ToolTokenVerifier;
  revoker: TokenRevoker;
  connectors: ReadonlyMap<string, ToolConnector>;
  metrics: Metrics;
  rateLimits: RateLimits;
  budgetLedger: Budgets;
  /** The pipeline's view of rateLimits and budgetLedger. */
  limiter: CallLimiter;
  budgets: CallBudgets;
  approvals: Approvals;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Clock in milliseconds (tests move it). */
  now?: () => number;
  connectors?: ReadonlyMap<string, ToolConnector>;
}

export async function createServices(
  config: Config,
  store: Store,
  logger: Logger,
  options: ServiceOptions = {},
): Promise<Services> {
  const now = options.now ?? Date.now;
  const nowDate = () => new Date(now());
  const skewSeconds = config.signature.skewSeconds;

  const policy = createPolicyEngine({
    source: config.policy.source,
    logger: logger.child({ component: "policy" }),
    watch: config.policy.watch,
    pollIntervalMs: config.policy.pollIntervalSeconds * 1000,
    now: nowDate,
  });
  // A policy that fails to load at start is logged and /readyz stays false until a good one loads
  // (by the watcher or POST /admin/policy/reload); every decision meanwhile fails closed.
  await policy.reload().catch((error: unknown) => {
    logger.error(
      {
        err:
          error instanceof Error
            ? {
                message: error.message,
                ...("extensions" in error ? { errors: (error as { extensions: unknown }).extensions } : {}),
              }
            : error,
      },
      "policy not loaded at start",
    );
  });

  const keyRing = await createSigningKeyRing({
    dataDir: config.dataDir,
    ...(config.tokens.signingKeys.length ? { configuredKeys: config.tokens.signingKeys } : {}),
    now: nowDate,
    maxTokenTtlSeconds: config.tokens.maxTtlSeconds,
    skewSeconds,
  });

  const signatureVerifier = createSignatureVerifier({
    async getKey(kid) {
      const found = await store.agents.findByKid(kid);
      return found && found.key.status === "active" ? fromBase64Url(found.key.publicKey) : null;
    },
    nonceCache: createMemoryNonceCache({ maxEntries: config.signature.nonceCacheSize, now }),
    authorities: config.authorities,
    scheme: new URL(config.publicUrl).protocol === "https:" ? "https" : "http",
    now,
    skewSeconds,
    maxAgeSeconds: config.signature.maxAgeSeconds,
  });

  const tokenVerifier = createToolTokenVerifier({
    keyRing,
    issuer: config.publicUrl,
    tokenStore: store.tokens,
    now: nowDate,
    skewSeconds,
  });
  const revoker = createTokenRevoker({ tokenStore: store.tokens, now: nowDate });
  const purge: PurgeTimer = startExpiredTokenPurge({
    tokenStore: store.tokens,
    now: nowDate,
    skewSeconds,
    onError: (error) => logger.warn({ err: error }, "token purge failed; retrying next tick"),
  });
  // Retired signing keys leave the JWKS once their last token has expired.
  const pruneKeys = setInterval(() => keyRing.prune(), 60_000).unref();
  // Audit retention: records older than the configured days go; the chain stays verifiable from an anchor.
  const pruneAudit = async () => {
    const before = new Date(now() - config.audit.retentionDays * 86_400_000).toISOString();
    const removed = await store.audit.prune(before).catch((error: unknown) => {
      logger.warn({ err: error }, "audit retention prune failed; retrying next hour");
      return 0;
    });
    if (removed > 0) logger.info({ removed, before }, "audit records past retention removed");
  };
  void pruneAudit();
  const auditRetention = setInterval(() => void pruneAudit(), 3_600_000).unref();

  const metrics = createMetrics({ agentLabels: config.metrics.agentLabels });
  const rateLimits = createRateLimits(config, {
    onRefused: (policy, agentId) => metrics.rateLimitHit(policy, agentId),
  });
  const budgetLedger = createBudgets(config, store.budgets, {
    nowSeconds: () => Math.floor(now() / 1000),
    onSettle: (s) => metrics.budgetUsed(s.tool, s.unit, s.amount, s.agentId),
  });
  const limiter: CallLimiter = {
    take: (agent, tool, override) => rateLimits.checkAgent(agent, tool, override ?? null),
  };
  const budgets: CallBudgets = {
    async reserve(agent, tool, action, requestJson) {
      const estimate = requestedTokenCap(requestJson);
      const hold = await budgetLedger.reserve({
        agent,
        tool,
        action,
        ...(estimate === undefined ? {} : { estimate }),
      });
      return { settle: (outcome) => budgetLedger.settle(hold, outcome) };
    },
  };

  const toolLog = logger.child({ component: "tools" });
  const connectors =
    options.connectors ??
    createConnectors(config, {
      hooks: {
        onRetry: ({ tool, attempt, delayMs, reason }) => {
          metrics.upstreamRetry(tool);
          toolLog.info({ tool, attempt, delayMs, reason }, "retrying upstream call");
        },
        // "status 503" → "status_503"; error codes such as upstream_timeout pass as they are.
        onUpstreamFailure: ({ tool, reason }) => metrics.upstreamError(tool, reason.replace(/\s+/g, "_")),
        onBreakerStateChange: ({ tool, state }) =>
          toolLog.warn({ tool, state }, "circuit breaker state changed"),
      },
      http: {
        onPrivateAddress: (info) =>
          toolLog.warn(info, "http tool reached a private address (allowPrivate is on)"),
      },
    });
  const webhook = config.approvals.webhookUrl
    ? createApprovalWebhook({ url: config.approvals.webhookUrl, publicUrl: config.publicUrl, logger })
    : null;
  const approvals = createApprovals({
    store: store.approvals,
    audit: createAuditLog(store.audit, logger, nowDate),
    nowMs: now,
    defaultTtlSeconds: config.approvals.defaultTtlSeconds,
    ...(webhook ? { onPending: (approval) => void webhook.notify(approval) } : {}),
  });
  // Lapsed pending approvals become "expired" (and are audited) even when nobody looks.
  const expireApprovals = setInterval(() => {
    approvals.expireDue().catch((error: unknown) => logger.warn({ err: error }, "approval expiry failed"));
  }, 30_000).unref();

  metrics.setBreakerStateSource(() => {
    const states = new Map<string, "closed" | "half-open" | "open">();
    for (const [name, connector] of connectors) {
      const state = connector.breakerState?.();
      if (state === "closed" || state === "half-open" || state === "open") states.set(name, state);
    }
    return states;
  });
  return {
    policy,
    keyRing,
    signatureVerifier,
    tokenVerifier,
    revoker,
    connectors,
    metrics,
    rateLimits,
    budgetLedger,
    limiter,
    budgets,
    approvals,
    async close() {
      purge.stop();
      clearInterval(expireApprovals);
      clearInterval(pruneKeys);
      clearInterval(auditRetention);
      await policy.close();
      await Promise.all([...connectors.values()].map((c) => c.close?.()));
    },
  };
}
