#!/usr/bin/env node
// npm run cluster:demo — several gateways as one, on this machine: a throwaway PostgreSQL
// and Redis (installed from Debian's packages when missing, as for the tests), two gateway
// processes pointed at both, and the small balancer in front on http://127.0.0.1:8080
// (PORT to change it). Ctrl-C stops everything and removes the temporary data.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startBalancer } from "./balancer.mjs";
import { freePort, startPostgres, startRedis } from "./test-services.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const INSTANCES = 2;
const port = Number(process.env.PORT ?? 8080);
const publicUrl = `http://127.0.0.1:${port}`;

process.stderr.write("starting PostgreSQL and Redis (throwaway, on random loopback ports)…\n");
const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
const work = mkdtempSync(join(tmpdir(), "agentgw-cluster-demo-"));
const adminToken = randomBytes(24).toString("base64url");
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  HOST: "127.0.0.1",
  AGENTGW_PUBLIC_URL: publicUrl,
  AGENTGW_DATABASE_URL: pg.url,
  AGENTGW_REDIS_URL: redis.url,
  AGENTGW_MASTER_KEY: randomBytes(32).toString("base64url"),
  AGENTGW_ADMIN_TOKEN: adminToken,
  AGENTGW_POLICY: join(root, "policies"),
  AGENTGW_LOG_LEVEL: process.env.AGENTGW_LOG_LEVEL ?? "warn",
};

const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
const gateways = ports.map((p, i) =>
  spawn(process.execPath, [join(root, "gateway", "dist", "main.js")], {
    cwd: root,
    env: { ...env, PORT: String(p), AGENTGW_DATA_DIR: join(work, `gateway-${i}`) },
    stdio: ["ignore", "inherit", "inherit"],
  }),
);
for (const p of ports) {
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://127.0.0.1:${p}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (i > 600) throw new Error(`the gateway on port ${p} did not become ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const balancer = await startBalancer({ backends: ports.map((p) => `http://127.0.0.1:${p}`), port });

process.stderr.write(`
  ${INSTANCES} gateways (ports ${ports.join(", ")}) behind ${publicUrl}
  sharing PostgreSQL ${pg.url} and Redis ${redis.url}
  Admin token: ${adminToken}
  Try: curl -H "Authorization: Bearer ${adminToken}" ${publicUrl}/admin/agents
       curl ${publicUrl}/readyz        (each request goes to the next gateway in turn)
  Agents use ${publicUrl} as the gateway URL. Ctrl-C stops everything.

`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await balancer.close();
  await Promise.all(
    gateways.map(
      (g) =>
        new Promise((resolve) => {
          if (g.exitCode !== null) return resolve();
          g.once("exit", resolve);
          g.kill("SIGTERM");
        }),
    ),
  );
  pg.close();
  await redis.close();
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
for (const g of gateways) {
  g.once("exit", (code) => {
    if (!stopping) {
      process.stderr.write(`a gateway exited (${code}); stopping the demo\n`);
      void stop();
    }
  });
}
