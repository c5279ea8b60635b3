// The load process: signs a fresh request per call (for every target, so the client's
// work is the same whatever it talks to) and sends it over keep-alive connections.
//   closed loop: `concurrency` callers, each sending its next request when the last
//                one is answered → throughput and latency at saturation.
//   fixed rate:  requests start on a schedule (`rate` per second) whatever the answers
//                do, and latency is measured from the scheduled start, so a stall is
//                counted for every request it delays (no coordinated omission).
// Input: one JSON argument; output: one JSON line on stdout.
import { setMaxListeners } from "node:events";
import { Pool } from "undici";
import { createSigner } from "./signer.mjs";

const spec = JSON.parse(process.argv[2]);
const { origin, path, token, concurrency = 32, durationMs, warmupMs, rate } = spec;
const url = origin + path;
const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] });
const baseHeaders = {
  "content-type": "application/json",
  ...(token ? { authorization: `Bearer ${token}` } : {}),
};
const signer = await createSigner({ secretKey: Buffer.from(spec.secretKey, "base64url"), kid: spec.kid });
const pool = new Pool(origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });

const statuses = {};
let errors = 0;
/** Aborted when a fixed-rate run is over its time: what is still queued then is counted as failed. */
let giveUp = freshGiveUp();

/** One signal shared by every request of a run (so it listens to many requests at once). */
function freshGiveUp() {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/** Sends one signed call; resolves to its HTTP status (0 on a transport error or when given up). */
async function call() {
  const headers = await signer("POST", url, baseHeaders, body);
  try {
    const res = await pool.request({ method: "POST", path, headers, body, signal: giveUp.signal });
    await res.body.arrayBuffer();
    return res.statusCode;
  } catch {
    return 0;
  }
}

function record(status, latencies, ms) {
  statuses[status] = (statuses[status] ?? 0) + 1;
  if (status !== 200) errors++;
  latencies.push(ms);
}

async function closedLoop(ms, latencies) {
  const deadline = performance.now() + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const status = await call();
        if (latencies) record(status, latencies, performance.now() - t0);
        done++;
      }
    }),
  );
  return done;
}

async function fixedRate(ms, latencies) {
  const interval = 1000 / rate;
  const start = performance.now();
  const total = Math.floor((ms / 1000) * rate);
  const inFlight = [];
  let next = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        const scheduled = start + next * interval;
        next++;
        inFlight.push(
          call().then((status) => latencies && record(status, latencies, performance.now() - scheduled)),
        );
      }
      if (next < total) setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
      else resolve();
    };
    tick();
  });
  // A server slower than the rate builds a queue; past 5 s of grace the rest is given up (and
  // counted as errors), so a run always ends and the summary says the rate was not sustained.
  const grace = setTimeout(() => giveUp.abort(), 5000);
  await Promise.all(inFlight);
  clearTimeout(grace);
  giveUp = freshGiveUp();
  return total;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const run = rate ? fixedRate : closedLoop;
const warmupRequests = await run(warmupMs, null);
const latencies = [];
const started = performance.now();
const count = await run(durationMs, latencies);
const elapsed = performance.now() - started;
latencies.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    requests: count,
    /** Every request sent, warm-up included (what the server's CPU time is divided by). */
    allRequests: count + warmupRequests,
    errors,
    statuses,
    seconds: elapsed / 1000,
    rps: count / (elapsed / 1000),
    p50Ms: percentile(latencies, 50),
    p90Ms: percentile(latencies, 90),
    p99Ms: percentile(latencies, 99),
    /** This load process's own CPU time (user + system, warm-up included), in µs. */
    loadCpuMicros: (({ user, system }) => user + system)(process.cpuUsage()),
  })}\n`,
);
await pool.close();
