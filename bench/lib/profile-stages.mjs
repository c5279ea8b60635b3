// Where a server's busy CPU goes, by pipeline stage: each sample of a .cpuprofile is charged to the
// innermost stage handler on its stack (the handler names app.ts mounts, plus the record writer's batch
// and the nonce cache's flush, which run on their own turns), else to "outside the stages" (HTTP parsing,
// socket writes, GC, express routing). Under each stage, its top self-time functions. A stage's share
// includes what it calls synchronously that is no stage itself: forward's res.end and its socket write, say.
//   node bench/lib/profile-stages.mjs FILE [cpuMicrosPerRequest] [functionsPerStage=5]
// With the server's CPU µs per request, shares are also shown as µs per request.
import { readFileSync } from "node:fs";

const STAGES = new Set([
  "requestContextMiddleware",
  "cors",
  "logRequest",
  "observeRequest",
  "refuseFragmentInTarget",
  "precheckSignature",
  "readBody",
  "verifySignature",
  "resolveAgent",
  "limitAgent",
  "resolveToolCall",
  "checkToken",
  "authorize",
  "askPolicy",
  "limit",
  "reserveBudget",
  "forward",
  "settle",
  "settleAfterFailure",
  "logFinished",
  "observeFinished",
  "runBatch",
  "flush",
  "problemHandler",
]);
const OUTSIDE = "(outside the stages)";

const [file, perRequestArg, topArg] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, "utf8"));
const perRequest = Number(perRequestArg ?? 0);
const top = Number(topArg ?? 5);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const samples = new Map();
for (const id of profile.samples) samples.set(id, (samples.get(id) ?? 0) + 1);

const where = (frame) =>
  `${frame.url.split("/dist/").at(-1).split("/").slice(-2).join("/")}:${frame.lineNumber}`;
const stages = new Map();
let busy = 0;
for (const [id, count] of samples) {
  const leaf = byId.get(id).callFrame;
  if (leaf.functionName === "(idle)") continue;
  busy += count;
  let stage = OUTSIDE;
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const frame = byId.get(at).callFrame;
    if (STAGES.has(frame.functionName) && frame.url.includes("gateway/dist/")) {
      stage = `${frame.functionName} (${frame.url.split("/dist/").at(-1)})`;
      break;
    }
  }
  const entry = stages.get(stage) ?? { count: 0, functions: new Map() };
  entry.count += count;
  // The policy's WebAssembly is hundreds of small functions: one line for all of them.
  const fn = leaf.url.startsWith("wasm://")
    ? "(the policy's WebAssembly)"
    : `${leaf.functionName || "(anonymous)"} ${where(leaf)}`;
  entry.functions.set(fn, (entry.functions.get(fn) ?? 0) + count);
  stages.set(stage, entry);
}

const pct = (count) => `${((count / busy) * 100).toFixed(1).padStart(5)}%`;
const micros = (count) => (perRequest ? `${((count / busy) * perRequest).toFixed(0).padStart(5)} µs` : "");
console.log(`busy samples: ${busy}${perRequest ? ` (shares of ${perRequest} µs of CPU per request)` : ""}`);
for (const [stage, entry] of [...stages].sort((a, b) => b[1].count - a[1].count)) {
  console.log(`${pct(entry.count)} ${micros(entry.count)}  ${stage}`);
  for (const [fn, count] of [...entry.functions].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`         ${pct(count)}  ${fn}`);
}
