// Test-only: the whole gateway (createApp on real services, an in-memory SQLite store, a policy folder)
// in this process, on a loopback port, where a test can replace a store method or a shared table.
import { once } from "node:events";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../app.js";
import { loadConfig } from "../../config.js";
import { createLogger } from "../../log.js";
import { createServices, type ServiceOptions, type Services } from "../../services.js";
import { openSqliteStore } from "../../store/sqlite/open.js";
import type { Store } from "../../store/types.js";

export interface InProcessGateway {
  /** The public URL (the @authority agents sign). */
  base: string;
  adminToken: string;
  store: Store;
  services: Services;
  close(): Promise<void>;
}

export async function startInProcessGateway(options: {
  /** The policy (package agentgw). */
  rego: string;
  /** The config file's content, if any. */
  configFile?: unknown;
  services?: ServiceOptions;
}): Promise<InProcessGateway> {
  const dir = mkdtempSync(join(tmpdir(), "agentgw-in-process-"));
  const policyDir = join(dir, "policy");
  const dataDir = join(dir, "data");
  for (const d of [policyDir, dataDir]) mkdirSync(d);
  writeFileSync(join(policyDir, "policy.rego"), options.rego);
  const argv: string[] = [];
  if (options.configFile !== undefined) {
    writeFileSync(join(dir, "config.json"), JSON.stringify(options.configFile));
    argv.push("--config", join(dir, "config.json"));
  }
  // Listen first, so the public URL is the real address.
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const adminToken = "in-process-admin-token";
  const config = loadConfig({
    argv,
    env: {
      AGENTGW_ADMIN_TOKEN: adminToken,
      AGENTGW_PUBLIC_URL: base,
      AGENTGW_POLICY: policyDir,
      AGENTGW_DATA_DIR: dataDir,
    },
  });
  const store = openSqliteStore({ dataDir: ":memory:" });
  const logger = createLogger("silent");
  const services = await createServices(config, store, logger, options.services);
  server.on("request", createApp({ config, store, logger, services }));
  return {
    base,
    adminToken,
    store,
    services,
    async close() {
      server.close();
      await services.close();
      await store.close();
    },
  };
}
