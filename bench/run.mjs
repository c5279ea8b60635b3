#!/usr/bin/env node
// npm run bench: the gateway's cost over a bare pass-through, measured side by side in
// one run on loopback (about 3–5 minutes). Every server runs in its own process, alone
// with the fake upstream and the load process; the load process signs a fresh request
// per call for every target. Prints a table and writes JSON to bench/results/.
//
//   BENCH_SECONDS=8 (measured seconds per run, after BENCH_WARMUP=2) BENCH_CONCURRENCY=32
//   BENCH_PROFILE=DIR  every server writes a CPU profile to DIR/<server>/ (summarise one with
//                      node bench/lib/profile-summary.mjs FILE)
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { generateKeyPair, toBase64Url } from "@agentgw/sdk";
import { enrol } from "./lib/enrol.mjs";
import { cpuMicros } from "./lib/process-cpu.mjs";
import { RUNGS } from "./lib/rungs.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const warmup = Number(process.env.BENCH_WARMUP ?? 2);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const FIXED_RATE = 1000;
const profileDir = process.env.BENCH_PROFILE;
/** Node flags for a server process: a CPU profile per server when BENCH_PROFILE is set. */
const profileFlags = (name) => (profileDir ? ["--cpu-prof", `--cpu-prof-dir=${join(profileDir, name)}`] : []);
const TOOL_PATH = "/v1/tools/openai/v1/chat/completions";
const opaPath = join(root, ".tools", "bin", process.platform === "win32" ? "opa.exe" : "opa");
if (!existsSync(join(root, "gateway", "dist", "main.js"))) {
  console.error("gateway/dist is missing: run `npm run build` (npm run bench builds first).");
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), "agentgw-bench-"));
const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

// The example policies, compiled once to a bundle every server loads (no compile per start).
const { compileFolder } = await import(join(root, "gateway/dist/policy/compile.js"));
const bundle = join(work, "bundle.tar.gz");
writeFileSync(bundle, (await compileFolder(join(root, "policies"), opaPath)).bundle);
// Limits high enough never to refuse the load, and a calls budget so reserve/settle do their real work.
const configFile = join(work, "config.json");
writeFileSync(
  configFile,
  JSON.stringify({
    log: { level: "info" },
    rateLimits: {
      tiers: {
        default: {
          perAgent: { points: 1e9, windowSeconds: 60, burst: 1e9 },
          concurrency: 100_000,
          budgets: [{ tool: "openai", unit: "calls", period: "day", limit: 1e12 }],
        },
      },
    },
  }),
);

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a node process; resolves with its first stdout line parsed as JSON. */
async function startProcess(args, env = {}) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let errors = "";
  child.stderr.on("data", (chunk) => {
    errors += chunk;
  });
  // The ready line is {"benchReady": …}; anything else on stdout (the gateway's own log) is drained.
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise((resolve) => {
    lines.on("line", (line) => {
      if (line.startsWith('{"benchReady"')) resolve(JSON.parse(line).benchReady);
    });
  });
  const info = await Promise.race([
    ready,
    once(child, "exit").then(() => {
      throw new Error(`${args.join(" ")} exited before it was ready:\n${errors}`);
    }),
  ]);
  return { child, info };
}

async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await once(child, "exit");
  clearTimeout(timer);
  children.delete(child);
}

/** Runs a load against a server process and adds the server's CPU time per request to the result. */
async function runLoadOn(pid, spec) {
  const before = cpuMicros(pid);
  const result = await runLoad(spec);
  const after = cpuMicros(pid);
  return {
    ...result,
    serverCpuMicrosPerRequest:
      before === null || after === null ? null : (after - before) / result.allRequests,
  };
}

async function runLoad(spec) {
  const { child } = { child: null };
  const load = spawn(process.execPath, [join(here, "lib", "load.mjs"), JSON.stringify(spec)], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  void child;
  let out = "";
  load.stdout.on("data", (chunk) => {
    out += chunk;
  });
  const [code] = await once(load, "exit");
  if (code !== 0) throw new Error(`load process failed (${code})`);
  return JSON.parse(out.trim().split("\n").at(-1));
}

const upstream = await startProcess([join(here, "lib", "upstream.mjs")]);
const upstreamOrigin = `http://127.0.0.1:${upstream.info.port}`;
const key = await generateKeyPair();
const adminToken = randomBytes(24).toString("base64url");

/** Environment of a gateway (main.js or a ladder rung) on `port`. */
function gatewayEnv(port) {
  return {
    PORT: String(port),
    HOST: "127.0.0.1",
    AGENTGW_PUBLIC_URL: `http://127.0.0.1:${port}`,
    AGENTGW_DATA_DIR: mkdtempSync(join(work, "data-")),
    AGENTGW_ADMIN_TOKEN: adminToken,
    AGENTGW_MASTER_KEY: randomBytes(32).toString("base64url"),
    AGENTGW_POLICY: bundle,
    AGENTGW_CONFIG: configFile,
    AGENTGW_OPENAI_BASE_URL: upstreamOrigin,
    OPENAI_API_KEY: "sk-bench-0123456789",
  };
}

/** Starts a server, measures it, stops it. `kind`: "main" (gateway/dist/main.js) or a ladder rung number. */
async function measureServer(kind, loads) {
  const port = await freePort();
  const env = gatewayEnv(port);
  const started =
    kind === "main"
      ? await startMain(env)
      : await startProcess([
          ...profileFlags(`rung-${kind}`),
          join(here, "lib", "ladder-server.mjs"),
          JSON.stringify({ rung: kind, port, configFile, env, kid: key.kid }),
        ]);
  const origin = `http://127.0.0.1:${port}`;
  try {
    const token = kind === 0 ? "bare" : await enrol(origin, adminToken, key);
    const out = [];
    for (const load of loads)
      out.push(await runLoadOn(started.child.pid, { ...loadSpec(origin, TOOL_PATH, token), ...load }));
    return out;
  } finally {
    await stop(started.child);
  }
}

async function startMain(env) {
  const child = spawn(process.execPath, [...profileFlags("main"), join(root, "gateway", "dist", "main.js")], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.add(child);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error("the gateway exited at start");
    try {
      if ((await fetch(`http://127.0.0.1:${env.PORT}/readyz`)).status === 200) break;
    } catch {}
    if (Date.now() > deadline) throw new Error("the gateway did not become ready");
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child };
}

function loadSpec(origin, path, token) {
  return {
    origin,
    path,
    token,
    secretKey: toBase64Url(key.secretKey),
    kid: key.kid,
    concurrency,
    durationMs: seconds * 1000,
    warmupMs: warmup * 1000,
  };
}

const saturate = {};
const fixed = { rate: FIXED_RATE };
const began = Date.now();
const log = (line) => process.stderr.write(`[bench ${((Date.now() - began) / 1000).toFixed(0)}s] ${line}\n`);

log("direct to the fake upstream");
const [direct, directFixed] = [
  await runLoadOn(upstream.child.pid, { ...loadSpec(upstreamOrigin, "/v1/chat/completions", null) }),
  await runLoadOn(upstream.child.pid, {
    ...loadSpec(upstreamOrigin, "/v1/chat/completions", null),
    ...fixed,
  }),
];
const ladder = [];
let bareFixed = null;
for (let rung = 0; rung < RUNGS.length; rung++) {
  log(`ladder rung ${rung}: ${RUNGS[rung].name}`);
  const [result, atRate] = await measureServer(rung, rung === 0 ? [saturate, fixed] : [saturate]);
  ladder.push({ rung, name: RUNGS[rung].name, ...result });
  if (rung === 0) bareFixed = atRate;
}
log("the gateway (gateway/dist/main.js)");
const [full, fullFixed] = await measureServer("main", [saturate, fixed]);
log("micro-benchmarks");
const microRun = spawn(
  process.execPath,
  [
    join(here, "lib", "micro.mjs"),
    JSON.stringify({ policy: bundle, opaPath, configFile, seconds: Math.max(1, seconds / 4) }),
  ],
  { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
);
let microOut = "";
microRun.stdout.on("data", (c) => {
  microOut += c;
});
await once(microRun, "exit");
const micro = JSON.parse(microOut.trim().split("\n").at(-1));
await stop(upstream.child);
log("2 workers against 1 on PostgreSQL + Redis (bench/workers.mjs)");
const workers = await runWorkersBench();

/** bench/workers.mjs in its own process; a failure (e.g. no PostgreSQL to install) skips it. */
async function runWorkersBench() {
  const child = spawn(
    process.execPath,
    [join(here, "workers.mjs"), JSON.stringify({ configFile, policy: bundle, seconds, warmup, concurrency })],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout.on("data", (c) => {
    out += c;
  });
  const [code] = await once(child, "exit");
  if (code !== 0) return { skipped: `bench/workers.mjs exited with ${code}` };
  return JSON.parse(out.trim().split("\n").at(-1));
}

// What the numbers mean: at saturation 1/throughput is the wall time one request costs the
// server, and the server's own CPU time per request (from /proc) is what it costs in CPU even
// when other processes share the cores; the difference to bare is what the gateway adds.
const bare = ladder[0];
const verifyUs = micro.ed25519VerifyNode.p50Us;
const addedUs = (1 / full.rps - 1 / bare.rps) * 1e6;
const cpuOf = (r) => r.serverCpuMicrosPerRequest;
const addedCpuUs = cpuOf(full) === null || cpuOf(bare) === null ? null : cpuOf(full) - cpuOf(bare);
const verifyCpuUs = micro.ed25519VerifyNodeCpu.p50Us;
const results = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtEnd: loadavg()[0],
  },
  method: { seconds, warmup, concurrency, fixedRate: FIXED_RATE },
  throughput: { direct, bare, full },
  ladder: ladder.map((r) => ({
    rung: r.rung,
    name: r.name,
    rps: r.rps,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    errors: r.errors,
    ratioToBare: r.rps / bare.rps,
    cpuMicrosPerRequest: cpuOf(r),
    cpuRatioToBare: cpuOf(r) && cpuOf(bare) ? cpuOf(bare) / cpuOf(r) : null,
  })),
  added: {
    microsPerRequest: addedUs,
    verifies: addedUs / verifyUs,
    cpuMicrosPerRequest: addedCpuUs,
    cpuVerifies: addedCpuUs === null ? null : addedCpuUs / verifyCpuUs,
    verifyCpuMicros: verifyCpuUs,
    verifyMicros: verifyUs,
    budgetVerifies: 1.5,
  },
  fixedRate: {
    rate: FIXED_RATE,
    direct: directFixed,
    bare: bareFixed,
    full: fullFixed,
    addedOverDirect: {
      bare: { p50Ms: bareFixed.p50Ms - directFixed.p50Ms, p99Ms: bareFixed.p99Ms - directFixed.p99Ms },
      full: { p50Ms: fullFixed.p50Ms - directFixed.p50Ms, p99Ms: fullFixed.p99Ms - directFixed.p99Ms },
    },
  },
  micro,
  workers,
};

const f = (n, d = 0) => (n === null || n === undefined ? "-" : Number(n).toFixed(d));
const rows = [];
rows.push(`(1) throughput, closed loop, ${concurrency} connections`);
rows.push(
  `    ${"target".padEnd(56)} ${"req/s".padStart(7)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"errors".padStart(6)} ${"CPU µs/req".padStart(10)}`,
);
for (const [name, r] of [
  ["direct to upstream", direct],
  ["bare pass-through", bare],
  ["full pipeline (main.js)", full],
]) {
  rows.push(
    `    ${name.padEnd(56)} ${f(r.rps).padStart(7)} ${f(r.p50Ms, 2).padStart(8)} ${f(r.p99Ms, 2).padStart(8)} ${String(r.errors).padStart(6)} ${f(cpuOf(r)).padStart(10)}`,
  );
}
rows.push(
  "(2) ladder, one stage group at a time: req/s and ratio to bare; server CPU µs/request and ratio to bare",
);
for (const r of results.ladder) {
  rows.push(
    `    ${`${r.rung}. ${r.name}`.padEnd(56)} ${f(r.rps).padStart(7)} ${f(r.ratioToBare, 2).padStart(6)} ${f(r.cpuMicrosPerRequest).padStart(8)} ${f(r.cpuRatioToBare, 2).padStart(6)}`,
  );
}
rows.push(
  `(3) full pipeline's added time per request (one Ed25519 verify: ${f(verifyUs, 1)} µs; budget 1.5 verifies)`,
);
rows.push(`    from throughput:  ${f(addedUs, 1)} µs = ${f(results.added.verifies, 2)} verifies`);
rows.push(
  `    from server CPU:  ${f(addedCpuUs, 1)} µs = ${f(results.added.cpuVerifies, 2)} verifies (one verify: ${f(verifyCpuUs, 1)} µs of CPU)`,
);
rows.push(`(4) added latency over direct at ${FIXED_RATE} req/s (p50 / p99, ms)`);
for (const [name, r] of Object.entries(results.fixedRate.addedOverDirect)) {
  const run = results.fixedRate[name];
  const sustained =
    run.errors === 0 ? "" : `  (rate NOT sustained: ${run.errors} of ${run.requests} failed or given up)`;
  rows.push(`    ${name.padEnd(10)} ${f(r.p50Ms, 3)} / ${f(r.p99Ms, 3)}${sustained}`);
}
rows.push("(5) micro-benchmarks (µs per call: p50 / p99)");
for (const [name, r] of Object.entries(micro))
  rows.push(`    ${name.padEnd(30)} ${f(r.p50Us, 1).padStart(8)} / ${f(r.p99Us, 1)}`);
rows.push(
  "(6) workers and shared state: req/s, p50 / p99 ms; CPU µs per request of each process; cores / total CPU = the most this machine can serve",
);
if (workers.skipped) rows.push(`    skipped: ${workers.skipped}`);
else {
  const parts = ["gateway", "redis", "postgres", "upstream", "load", "total"];
  rows.push(
    `    ${"".padEnd(30)} ${"req/s".padStart(7)} ${"p50 / p99".padStart(15)}  ${parts.map((p) => p.padStart(8)).join(" ")} ${"max req/s".padStart(9)}`,
  );
  for (const [name, r] of [
    ["1 worker, SQLite, no Redis", workers.baseline],
    ["1 worker, PostgreSQL + Redis", workers.one],
    ["2 workers, PostgreSQL + Redis", workers.two],
  ]) {
    const cpu = r.cpuMicrosPerRequest ?? {};
    rows.push(
      `    ${name.padEnd(30)} ${f(r.rps).padStart(7)} ${`${f(r.p50Ms, 1)} / ${f(r.p99Ms, 1)}`.padStart(15)}  ${parts.map((p) => f(cpu[p]).padStart(8)).join(" ")} ${f(r.cpuBoundRps).padStart(9)}${r.errors ? `  errors ${r.errors}` : ""}`,
    );
  }
  rows.push(
    `    2 workers against 1: ${f(workers.speedup, 2)}× on ${workers.cores} cores (load average ${f(workers.loadAverage?.before, 1)} → ${f(workers.loadAverage?.after, 1)})`,
  );
}
console.log(rows.join("\n"));

mkdirSync(join(here, "results"), { recursive: true });
const stamp = results.date.replace(/[:.]/g, "-");
writeFileSync(join(here, "results", `${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(here, "results", "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
log(`results in bench/results/${stamp}.json`);
process.exit(0);
