#!/usr/bin/env node
// Benchmark (not a test): the gateway on one worker with the embedded SQLite store and no
// Redis (the baseline), then on the same throwaway PostgreSQL and Redis with
// AGENTGW_WORKERS=1 and 2 (scripts/test-services.mjs installs and starts them). The load is
// bench/lib/load.mjs at saturation, as in run.mjs. Beside throughput, every process's own CPU
// time per request (from /proc: the gateway with all its workers, Redis, PostgreSQL with its
// backends, the upstream, the load) shows what shared state costs per request and where the
// machine's cores go: with all of them counted, cores / total CPU per request is the most
// this machine can serve, however many workers run.
// bench/run.mjs calls this with one JSON argument and reads the last stdout line; it can
// also run alone:  node bench/workers.mjs '{"seconds":8}'.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { generateKeyPair, toBase64Url } from "@agentgw/sdk";
import { freePort, startPostgres, startRedis } from "../scripts/test-services.mjs";
import { enrol } from "./lib/enrol.mjs";
import { cpuMicros, findPid, treeCpuMicros } from "./lib/process-cpu.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const options = JSON.parse(process.argv[2] ?? "{}");
const seconds = options.seconds ?? 8;
const warmup = options.warmup ?? 2;
const concurrency = options.concurrency ?? 32;
const work = mkdtempSync(join(tmpdir(), "agentgw-bench-workers-"));
const children = new Set();
const log = (line) => process.stderr.write(`[bench workers] ${line}\n`);

const configFile =
  options.configFile ??
  (() => {
    const file = join(work, "config.json");
    writeFileSync(
      file,
      JSON.stringify({
        log: { level: "warn" },
        rateLimits: {
          tiers: {
            default: { perAgent: { points: 1e9, windowSeconds: 60, burst: 1e9 }, concurrency: 100_000 },
          },
        },
      }),
    );
    return file;
  })();
const policy = options.policy ?? join(root, "policies");

const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
const cleanup = () => {
  for (const child of children) child.kill("SIGKILL");
  pg.close();
  redis.closeSync();
  rmSync(work, { recursive: true, force: true });
};
process.on("exit", cleanup);

function spawnNode(args, env, stdout = "ignore") {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ["ignore", stdout, "pipe"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await once(child, "exit");
  clearTimeout(timer);
}

const upstream = spawnNode([join(here, "lib", "upstream.mjs")], {}, "pipe");
const upstreamPort = await new Promise((resolve) => {
  createInterface({ input: upstream.stdout }).on("line", (line) => {
    if (line.startsWith('{"benchReady"')) resolve(JSON.parse(line).benchReady.port);
  });
});
const redisPid = findPid("redis-server", `:${redis.port}`) ?? findPid("redis-server", String(redis.port));
const postgresPid = (() => {
  try {
    return Number(readFileSync(join(pg.dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return null;
  }
})();

/** CPU time (µs) of every process the request path uses, at this moment. */
function cpuNow(gatewayPid) {
  return {
    gateway: treeCpuMicros(gatewayPid),
    redis: redisPid ? cpuMicros(redisPid) : null,
    postgres: postgresPid ? treeCpuMicros(postgresPid) : null,
    upstream: cpuMicros(upstream.pid),
  };
}

async function measure(workers, shared = true) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const adminToken = randomBytes(24).toString("base64url");
  const database = pg.createDatabase(`bench_w${workers}_${randomBytes(3).toString("hex")}`);
  const gateway = spawnNode([join(root, "gateway", "dist", "main.js")], {
    PORT: String(port),
    HOST: "127.0.0.1",
    AGENTGW_PUBLIC_URL: origin,
    AGENTGW_DATA_DIR: mkdtempSync(join(work, "data-")),
    AGENTGW_ADMIN_TOKEN: adminToken,
    AGENTGW_MASTER_KEY: randomBytes(32).toString("base64url"),
    ...(shared ? { AGENTGW_DATABASE_URL: database, AGENTGW_REDIS_URL: redis.url } : {}),
    AGENTGW_REDIS_KEY_PREFIX: `bench${workers}:`,
    AGENTGW_WORKERS: String(workers),
    AGENTGW_POLICY: policy,
    AGENTGW_CONFIG: configFile,
    AGENTGW_OPENAI_BASE_URL: `http://127.0.0.1:${upstreamPort}`,
    OPENAI_API_KEY: "sk-bench-0123456789",
  });
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (gateway.exitCode !== null) throw new Error(`the gateway (${workers} workers) exited at start`);
      const ok = await fetch(`${origin}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error("the gateway did not become ready");
      await new Promise((r) => setTimeout(r, 200));
    }
    const key = await generateKeyPair();
    const token = await enrol(origin, adminToken, key);

    const spec = {
      origin,
      path: "/v1/tools/openai/v1/chat/completions",
      token,
      secretKey: toBase64Url(key.secretKey),
      kid: key.kid,
      concurrency,
      durationMs: seconds * 1000,
      warmupMs: warmup * 1000,
    };
    const before = cpuNow(gateway.pid);
    const load = spawnNode([join(here, "lib", "load.mjs"), JSON.stringify(spec)], {}, "pipe");
    let out = "";
    load.stdout.on("data", (chunk) => {
      out += chunk;
    });
    const [code] = await once(load, "exit");
    if (code !== 0) throw new Error(`load process failed (${code})`);
    const after = cpuNow(gateway.pid);
    const result = JSON.parse(out.trim().split("\n").at(-1));
    // µs of CPU per request served (warm-up included, as the CPU was spent on it too).
    const perRequest = (us) => (us === null ? null : us / result.allRequests);
    const cpu = {};
    for (const name of Object.keys(before)) {
      cpu[name] =
        before[name] === null || after[name] === null ? null : perRequest(after[name] - before[name]);
    }
    cpu.load = perRequest(result.loadCpuMicros ?? null);
    // Processes not in use (no Redis, no PostgreSQL on the baseline) count as 0; idle ones add ~0 anyway.
    cpu.total = Object.values(cpu).reduce((sum, us) => sum + (us ?? 0), 0);
    return { ...result, cpuMicrosPerRequest: cpu, cpuBoundRps: (cpus().length * 1e6) / cpu.total };
  } finally {
    await stop(gateway);
  }
}

const loadBefore = loadavg()[0];
log(`1 worker, embedded SQLite, no Redis (${cpus().length} cores)`);
const baseline = await measure(1, false);
log("1 worker on PostgreSQL + Redis");
const one = await measure(1);
log("2 workers on PostgreSQL + Redis");
const two = await measure(2);
await stop(upstream);
const result = {
  cores: cpus().length,
  concurrency,
  seconds,
  baseline,
  one,
  two,
  speedup: two.rps / one.rps,
  // Other processes' demand on the cores (1-minute load average) before and after: what the
  // "max req/s" ceiling, which assumes the cores are the bench's alone, does not see.
  loadAverage: { before: loadBefore, after: loadavg()[0] },
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
