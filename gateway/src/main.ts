// Entry point: load config → shared state → open store → load policy → createApp → listen.
// SIGTERM/SIGINT stop accepting, let in-flight requests finish, then close the store.
// With AGENTGW_WORKERS > 1 this process becomes the cluster primary (cluster-primary.ts)
// and each worker runs the same steps.
import cluster from "node:cluster";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { resolve } from "node:path";
import { createApp } from "./app.js";
import { withReadCaches } from "./cache/cached-store.js";
import { runClusterPrimary } from "./cluster-primary.js";
import { ConfigError, loadConfig } from "./config.js";
import { CredentialStartupError } from "./credentials/open-credentials.js";
import { createLogger } from "./log.js";
import { clusterMetricsRenderer } from "./metrics/cluster-metrics.js";
import { createServices } from "./services.js";
import { createSharedState } from "./shared-state/index.js";
import { openStore } from "./store/open.js";

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`agentgw: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const base = createLogger(config.log.level);
  // Workers say which they are, so an operator can tell their lines apart.
  const logger = cluster.isWorker ? base.child({ worker: cluster.worker?.id }) : base;
  if (config.workers > 1 && cluster.isPrimary) {
    await runClusterPrimary(config, logger);
    return;
  }
  // Replay nonces, rate limits and the invalidation bus: in this process, or in Redis when several share it.
  const shared = await createSharedState(config, logger);
  // Agents, keys and revocations are read from memory on the request path; every write through this
  // store invalidates them on every instance (shared.bus fans out through Redis when configured).
  const store = withReadCaches(
    await openStore({
      databaseUrl: config.database.url,
      maxConnections: config.database.maxConnections,
      onAvailability: (up) => (up ? shared.health.markUp("postgres") : shared.health.markDown("postgres")),
      dataDir: resolve(config.dataDir),
    }),
    shared.bus,
  );
  const services = await createServices(config, store, logger, { shared });
  // A worker's /metrics answers for every worker of this gateway (cluster-metrics.ts).
  const metrics = cluster.isWorker
    ? { ...services.metrics, render: clusterMetricsRenderer(services.metrics.registry) }
    : services.metrics;
  const app = createApp({ config, store, logger, services: { ...services, metrics } });

  // Node's default gives a request 300 s to arrive: far too long to hold a slow upload's slot.
  // Responses (streams) are not bounded by this; only receiving the request is. The check runs
  // every second (Node's default: every 30 s) so the bound is what the config says.
  const server: Server = createServer(
    {
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: Math.min(config.requestTimeoutMs, 20_000),
      connectionsCheckingInterval: 1_000,
    },
    app,
  ).listen(config.port, config.host);
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  logger.info(
    {
      url: `http://${config.host}:${port}`,
      publicUrl: config.publicUrl,
      dataDir: resolve(config.dataDir),
      store: store.engine,
      redis: Boolean(config.redis.url),
      dev: config.dev,
    },
    "listening",
  );
  if (config.adminTokenFile && !cluster.isWorker) {
    // To the terminal only, so a developer can call the admin API; never logged.
    process.stderr.write(
      `\n  Agent Gateway (dev mode) listening on http://${config.host}:${port}\n` +
        `  Admin token (${config.adminTokenGenerated ? "generated, " : ""}kept in ${config.adminTokenFile}, mode 0600): ${config.adminToken}\n` +
        `  Try: curl -H "Authorization: Bearer ${config.adminToken}" ${config.publicUrl}/admin/agents\n\n`,
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: no new connections, finishing in-flight requests");
    const forced = setTimeout(() => {
      logger.warn("grace period over, closing remaining connections");
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS).unref();
    server.close(async () => {
      clearTimeout(forced);
      await services.close();
      await shared.close();
      await store.close();
      logger.info("stopped");
      logger.flush(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  if (error instanceof CredentialStartupError) {
    process.stderr.write(`agentgw: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `agentgw: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
