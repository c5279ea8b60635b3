// The composition root: everything the app needs beside config, store and
// logger, built once at start from config. main.ts calls createServices; tests
// build the same thing in-process. Background jobs live in housekeeping.ts.

import { join } from "node:path";
import { fromBase64Url } from "@agentgw/sdk";
import type { Logger } from "pino";
import { type Approvals, createApprovals } from "./approvals/approvals.js";
import { createApprovalWebhook } from "./approvals/webhook.js";
import { type AuditCheckpoints, startAuditCheckpoints } from "./audit/audit-checkpoints.js";
import { createAuditLog } from "./audit/audit-log.js";
import { loadCheckpointSigner, openCheckpointLog } from "./audit/checkpoints.js";
import { createRecordWriter, type RecordWriter } from "./audit/record-writer.js";
import type { Config } from "./config.js";
import { type Credentials, credentialSourceFor } from "./credentials/credentials.js";
import { loadMasterKey } from "./credentials/master-key.js";
import { logToolAvailability, openCredentials } from "./credentials/open-credentials.js";
import { createSecretBox } from "./credentials/secret-box.js";
import { startHousekeeping } from "./housekeeping.js";
import { createFileNonceCache } from "./httpsig/file-nonce-cache.js";
import { createMemoryNonceCache } from "./httpsig/nonce-cache.js";
import { createSignatureVerifier, type SignatureVerifier } from "./httpsig/verifier.js";
import { type BudgetLedger, budgetLogOf } from "./limits/budget-ledger.js";
import { type Budgets, createBudgets } from "./limits/budgets.js";
import { type CallConcurrency, createCallConcurrency } from "./limits/concurrency.js";
import { createLocalBudgetLedger } from "./limits/local-budget-ledger.js";
import { createRateLimits, type RateLimits } from "./limits/rate-limits.js";
import { createSharedBudgetLedger } from "./limits/shared-budget-ledger.js";
import { type Mcp, openMcp } from "./mcp/open-mcp.js";
import { type MetricsHistory, startMetricsHistory } from "./metrics/history.js";
import { createMetrics, type Metrics } from "./metrics/metrics.js";
import { createPolicyEngine, type PolicyEngine } from "./policy/policy-engine.js";
import { createLocalSharedState, type SharedState } from "./shared-state/index.js";
import type { Store } from "./store/types.js";
import { createTokenRevoker, type TokenRevoker } from "./tokens/revocation.js";
import { createSigningKeyRing, type SigningKeyRing } from "./tokens/signing-keys.js";
import { createToolTokenVerifier, type ToolTokenVerifier } from "./tokens/verify-token.js";
import { createConnectors } from "./tools/create-connectors.js";
import type { ToolConnector } from "./tools/types.js";

export interface Services {
  /** Decisions and audit events, group-committed (one transaction serves many requests). */
  records: RecordWriter;
  policy: PolicyEngine;
  keyRing: SigningKeyRing;
  signatureVerifier: SignatureVerifier;
  tokenVerifier: ToolTokenVerifier;
  revoker: TokenRevoker;
  connectors: ReadonlyMap<string, ToolConnector>;
  credentials: Credentials;
  metrics: Metrics;
  rateLimits: RateLimits;
  /** Calls in flight per agent and tool. */
  concurrency: CallConcurrency;
  budgets: Budgets;
  /** What this process shares with other gateway processes (Redis, the invalidation bus, dependency health). */
  shared: SharedState;
  /** Readiness checks beside the store's: policy loaded, shared servers reachable. */
  readiness(): Promise<Record<string, boolean>>;
  approvals: Approvals;
  /** The console overview's recent counters. */
  metricsHistory: MetricsHistory;
  /** Signed checkpoints of the audit chain (tamper evidence against whoever can write the store). */
  auditCheckpoints: AuditCheckpoints;
  /** Upstream MCP servers, agent sessions with them, pinned tool definitions. */
  mcp: Mcp;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Clock in milliseconds (tests move it). */
  now?: () => number;
  /** Shared hot state (shared-state/index.ts); by default everything stays in this process. */
  shared?: SharedState;
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
  const shared = options.shared ?? createLocalSharedState();

  const engine = createPolicyEngine({
    source: config.policy.source,
    opaPath: config.policy.opaPath,
    logger: logger.child({ component: "policy" }),
    watch: config.policy.watch,
    pollIntervalMs: config.policy.pollIntervalSeconds * 1000,
    now: nowDate,
  });
  // A policy that fails to load at start is logged and /readyz stays false until a good one loads
  // (by the watcher or POST /admin/policy/reload); every decision meanwhile fails closed.
  await engine.reload().catch((error: unknown) => {
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

  // Several processes on one store must sign with the same keys: they live in the store then,
  // sealed under the master key (config requires it in that case).
  const masterKey =
    store.engine === "postgres" || config.workers > 1
      ? loadMasterKey({ configured: config.masterKey, dataDir: config.dataDir, dev: config.dev })
      : null;
  const ring = await createSigningKeyRing({
    dataDir: config.dataDir,
    ...(masterKey ? { shared: { store: store.signingKeys, box: createSecretBox(masterKey.key) } } : {}),
    onError: (error) => logger.warn({ err: error }, "signing key housekeeping failed; retrying later"),
    ...(config.tokens.signingKeys.length ? { configuredKeys: config.tokens.signingKeys } : {}),
    now: nowDate,
    maxTokenTtlSeconds: config.tokens.maxTtlSeconds,
    skewSeconds,
    maxPublishedKeys: config.tokens.maxPublishedKeys,
  });

  // Nonces are also written to the data dir, so a restart does not reopen the replay window;
  // with Redis they live there instead, shared by every instance.
  const fileNonces = shared.nonceCache
    ? null
    : createFileNonceCache({
        dataDir: config.dataDir,
        now,
        front: createMemoryNonceCache({
          maxEntries: config.signature.nonceCacheSize,
          maxEntriesPerOwner: config.signature.nonceQuotaPerAgent,
          now,
        }),
      });
  const signatureVerifier = createSignatureVerifier({
    async getKey(kid) {
      const found = await store.agents.findByKid(kid);
      if (found?.key.status !== "active") return null;
      const publicKey = fromBase64Url(found.key.publicKey);
      // The owner makes the replay cache count the nonces of all the agent's keys against one quota.
      return publicKey ? { publicKey, owner: found.agent.id } : null;
    },
    nonceCache: shared.nonceCache ?? fileNonces!,
    authorities: config.authorities,
    scheme: new URL(config.publicUrl).protocol === "https:" ? "https" : "http",
    now,
    skewSeconds,
    maxAgeSeconds: config.signature.maxAgeSeconds,
  });

  const tokenVerifier = createToolTokenVerifier({
    keyRing: ring,
    issuer: config.publicUrl,
    tokenStore: store.tokens,
    now: nowDate,
    skewSeconds,
  });
  const revoker = createTokenRevoker({ tokenStore: store.tokens, now: nowDate });
  const vault = await openCredentials({ config, store, logger, now: nowDate });
  // One writer for decisions and audit records (one chain, one order), approvals included.
  const records = createRecordWriter(store.records);
  const webhook = config.approvals.webhookUrl
    ? createApprovalWebhook({ url: config.approvals.webhookUrl, publicUrl: config.publicUrl, logger })
    : null;
  const approvals = createApprovals({
    store: store.approvals,
    audit: createAuditLog(records, logger, nowDate),
    nowMs: now,
    defaultTtlSeconds: config.approvals.defaultTtlSeconds,
    ...(webhook ? { onPending: (approval) => void webhook.notify(approval) } : {}),
  });
  // Signed checkpoints of the audit chain's head, with a key kept out of the database.
  const auditCheckpoints = startAuditCheckpoints({
    audit: store.audit,
    signer: loadCheckpointSigner(
      config.audit.checkpointKeyFile ?? join(config.dataDir, "audit-checkpoint-key.json"),
    ),
    log: openCheckpointLog(join(config.dataDir, "audit-checkpoints.jsonl")),
    now,
    intervalSeconds: config.audit.checkpointIntervalSeconds,
    retentionDays: config.audit.retentionDays,
    onError: (error) => logger.warn({ err: error }, "audit checkpoint failed; retrying next interval"),
  });
  const housekeeping = startHousekeeping({
    credentials: vault,
    store,
    keyRing: ring,
    approvals,
    logger,
    now,
    skewSeconds,
    auditRetentionDays: config.audit.retentionDays,
    decisionRetentionDays: config.decisionLog.retentionDays,
  });

  const metrics = createMetrics({ agentLabels: config.metrics.agentLabels });
  const rateLimits = createRateLimits(config, {
    ...(shared.rateLimiter ? { limiter: shared.rateLimiter } : {}),
    onRefused: (policy, agentId) => metrics.rateLimitHit(policy, agentId),
  });
  const concurrency = createCallConcurrency(config, {
    ...(shared.inFlight ? { counter: shared.inFlight } : {}),
    onRefused: (agentId) => metrics.rateLimitHit("concurrency", agentId),
  });
  const budgets = createBudgets(config, openBudgetLedger(shared, store, records), {
    nowSeconds: () => Math.floor(now() / 1000),
    onSettle: (s) => metrics.budgetUsed(s.tool, s.unit, s.amount, s.agentId),
  });
  const toolLog = logger.child({ component: "tools" });
  const connectors = createConnectors(
    config,
    {
      openai: credentialSourceFor(vault, "openai"),
      gmail: credentialSourceFor(vault, "gmail"),
      serpapi: credentialSourceFor(vault, "serpapi"),
    },
    {
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
    },
  );
  await logToolAvailability(logger, {
    credentials: vault,
    secrets: config.secrets,
    connectors,
    httpAllowHosts: config.tools.http.allowHosts,
  });
  metrics.setBreakerStateSource(() => {
    const states = new Map<string, "closed" | "half-open" | "open">();
    for (const [name, connector] of connectors) {
      const state = connector.breakerState?.();
      if (state === "closed" || state === "half-open" || state === "open") states.set(name, state);
    }
    return states;
  });
  const metricsHistory = startMetricsHistory(metrics.registry, {
    now,
    intervalMs: config.metrics.historyIntervalSeconds * 1000,
  });
  metrics.setDependencySource(() => shared.health.snapshot());
  const stopShared = shareWithOtherInstances(
    shared,
    { policy: engine, keyRing: ring, credentials: vault },
    logger,
  );
  // What the admin routes see: a reload or rotation here is announced to every instance.
  const policy: PolicyEngine = {
    ...engine,
    async reload() {
      const result = await engine.reload();
      await shared.bus.publish({ kind: "policy-reload" });
      return result;
    },
  };
  const announce =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const result = await fn(...args);
      await shared.bus.publish({ kind: "credentials" });
      return result;
    };
  const credentials: Credentials = {
    ...vault,
    create: announce(vault.create),
    rotate: announce(vault.rotate),
    activate: announce(vault.activate),
    delete: announce(vault.delete),
  };
  const keyRing: SigningKeyRing = {
    ...ring,
    async rotate() {
      const result = await ring.rotate();
      await shared.bus.publish({ kind: "signing-keys" });
      return result;
    },
  };
  return {
    metricsHistory,
    records,
    policy,
    keyRing,
    signatureVerifier,
    tokenVerifier,
    revoker,
    connectors,
    credentials,
    metrics,
    rateLimits,
    concurrency,
    budgets,
    shared,
    async readiness() {
      return { policy: engine.ready(), ...(await shared.readiness()) };
    },
    approvals,
    auditCheckpoints,
    mcp: openMcp({
      config,
      credentials,
      store: store.mcp,
      ...(shared.mcpSessions ? { sessions: shared.mcpSessions } : {}),
      now: nowDate,
    }),
    async close() {
      metricsHistory.stop();
      stopShared();
      if (!options.shared) await shared.close();
      housekeeping.stop();
      await engine.close();
      await Promise.all([...connectors.values()].map((c) => c.close?.()));
      // Last: requests finishing above may still queue records.
      await records.flush();
      // The head as it stands at a clean stop is signed too.
      await auditCheckpoints.checkpointNow().catch(() => null);
      auditCheckpoints.stop();
      fileNonces?.close();
    },
  };
}

/**
 * Budget counters in Redis when it is shared, in this process's memory otherwise; either way
 * every hold and settle is made durable through the record writer (same batches as decisions).
 */
function openBudgetLedger(shared: SharedState, store: Store, records: RecordWriter): BudgetLedger {
  const durable = budgetLogOf(records);
  return shared.budgetCounters
    ? createSharedBudgetLedger({ counters: shared.budgetCounters, store: store.budgets, durable })
    : createLocalBudgetLedger({ store: store.budgets, durable });
}

/**
 * Acts on what other instances announce: a policy reloaded through any instance's admin API
 * is reloaded here, a signing-key rotation is read back from the store at once, and so is
 * the credential index (each call reads the active version from the store anyway). With
 * keys in the store the ring is also re-read every 10 s, well inside the verifiers' skew.
 * Whenever the channel drops or comes back, all three are re-read, so an announcement made
 * while this instance was cut off from Redis is not lost.
 */
function shareWithOtherInstances(
  shared: SharedState,
  {
    policy,
    keyRing,
    credentials,
  }: { policy: PolicyEngine; keyRing: SigningKeyRing; credentials: Credentials },
  logger: Logger,
): () => void {
  const reloadPolicy = () =>
    policy.reload().catch((error: unknown) => {
      logger.error(
        { err: error },
        "policy reload announced by another instance failed here; the old policy stays",
      );
    });
  const refreshCredentials = () =>
    credentials.refresh().catch((error: unknown) => {
      logger.warn({ err: error }, "could not re-read the credential index after a change elsewhere");
    });
  const refreshKeys = () =>
    keyRing.refresh({ force: true }).catch((error: unknown) => {
      logger.warn({ err: error }, "could not re-read the signing keys after a rotation elsewhere; retrying");
    });
  const unsubscribe = shared.bus.subscribe((event, remote) => {
    if (!remote) {
      // The bus's own "all": its subscription was lost or is back, so announcements may have been
      // missed meanwhile. Redo what each would have done; a reload of an unchanged policy is a no-op.
      if (event.kind === "all") {
        void reloadPolicy();
        void refreshCredentials();
        void refreshKeys();
      }
      return;
    }
    if (event.kind === "policy-reload") void reloadPolicy();
    else if (event.kind === "credentials") void refreshCredentials();
    else if (event.kind === "signing-keys") void refreshKeys();
  });
  const refresh =
    keyRing.source === "store"
      ? setInterval(() => {
          keyRing.refresh({ force: true }).catch(() => {});
        }, 10_000).unref()
      : undefined;
  return () => {
    unsubscribe();
    if (refresh) clearInterval(refresh);
  };
}
