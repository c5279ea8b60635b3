// Entry point: load config → open store → load policy → createApp → listen.
// SIGTERM/SIGINT stop accepting, let in-flight requests finish, then close the store.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { resolve } from "node:path";
import { createApp } from "./app.js";
import { withReadCaches } from "./cache/cached-store.js";
import { createLocalInvalidationBus } from "./cache/invalidation.js";
import { ConfigError, loadConfig } from "./config.js";
import { CredentialStartupError } from "./credentials/open-credentials.js";
import { createLogger } from "./log.js";
import { createServices } from "./services.js";
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
  const logger = createLogger(config.log.level);
  // Agents, keys and revocations are read from memory on the request path; every write through this
  // store invalidates them (one process: the in-process bus; several: a bus that fans out).
  const invalidation = createLocalInvalidationBus();
  const store = withReadCaches(
    await openStore({
      databaseUrl: config.database.url,
      maxConnections: config.database.maxConnections,
      dataDir: resolve(config.dataDir),
    }),
    invalidation,
  );
  const services = await createServices(config, store, logger);
  const app = createApp({ config, store, logger, services });

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
      dev: config.dev,
    },
    "listening",
  );
  if (config.adminTokenFile) {
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
