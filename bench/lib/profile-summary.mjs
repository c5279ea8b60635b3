// Summarises a .cpuprofile: the functions with the most self time, then the gateway's own
// frames by inclusive time.  node bench/lib/profile-summary.mjs FILE [top=30]
import { readFileSync } from "node:fs";

const prof = JSON.parse(readFileSync(process.argv[2], "utf8"));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const total = prof.samples.length;
const counts = new Map();
for (const s of prof.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
// self time by function+url
for (const [id, c] of counts) {
  const n = byId.get(id);
  const key = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + c);
}
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 30));
for (const [k, c] of top) console.log(((c / total) * 100).toFixed(1).padStart(5), k);
// inclusive time for nodes matching names
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map();
for (const [id, c] of counts) {
  const seen = new Set();
  let cur = id;
  while (cur !== undefined) {
    const n = byId.get(cur);
    const key = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").slice(-2).join("/")}`;
    if (!seen.has(key)) {
      incl.set(key, (incl.get(key) ?? 0) + c);
      seen.add(key);
    }
    cur = parent.get(cur);
  }
}
console.log("--- inclusive (gateway frames)");
for (const [k, c] of [...incl]
  .filter(([k]) => /dist\/|bench\//.test(k))
  .sort((a, b) => b[1] - a[1])
  .slice(0, 40))
  console.log(((c / total) * 100).toFixed(1).padStart(5), k);
