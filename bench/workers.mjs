#!/usr/bin/env node
// Benchmark (not a test): throughput of the gateway with AGENTGW_WORKERS=2 against 1 on
// this machine, both on the same throwaway PostgreSQL and Redis (scripts/test-services.mjs
// installs and starts them). The load is bench/lib/load.mjs at saturation, as in run.mjs.
// bench/run.mjs calls this with one JSON argument and reads the last stdout line; it can
// also run alone:  node bench/workers.mjs '{"seconds":8}'  ("baseline":true adds one run on
// the embedded SQLite store without Redis, for comparison).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { generateKeyPair, signRequest, toBase64Url } from "@agentgw/sdk";
import { freePort, startPostgres, startRedis } from "../scripts/test-services.mjs";

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
    const registered = await fetch(`${origin}/admin/agents`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "bench",
        publicKey: toBase64Url(key.publicKey),
        scopes: ["openai:chat"],
        metadata: { role: "assistant" },
      }),
    });
    if (registered.status !== 201)
      throw new Error(`registering: ${registered.status} ${await registered.text()}`);
    const body = JSON.stringify({ tool: "openai", scopes: ["openai:chat"] });
    const headers = { "content-type": "application/json" };
    const signed = await signRequest({ method: "POST", url: `${origin}/v1/tokens`, headers, body }, key);
    const issued = await fetch(`${origin}/v1/tokens`, {
      method: "POST",
      headers: { ...headers, ...signed },
      body,
    });
    if (issued.status !== 201) throw new Error(`token: ${issued.status} ${await issued.text()}`);
    const { token } = await issued.json();

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
    const load = spawnNode([join(here, "lib", "load.mjs"), JSON.stringify(spec)], {}, "pipe");
    let out = "";
    load.stdout.on("data", (chunk) => {
      out += chunk;
    });
    const [code] = await once(load, "exit");
    if (code !== 0) throw new Error(`load process failed (${code})`);
    return JSON.parse(out.trim().split("\n").at(-1));
  } finally {
    await stop(gateway);
  }
}

if (options.baseline) {
  log("1 worker, embedded SQLite, no Redis");
  process.stdout.write(`${JSON.stringify({ baseline: await measure(1, false) })}\n`);
}
log(`1 worker (PostgreSQL + Redis, ${cpus().length} cores)`);
const one = await measure(1);
log("2 workers");
const two = await measure(2);
await stop(upstream);
const result = { cores: cpus().length, concurrency, seconds, one, two, speedup: two.rps / one.rps };
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
