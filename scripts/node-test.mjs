#!/usr/bin/env node
// Runs node's test runner (with tsx) over every *.test.ts below the given folders.
// Node 20's --test does not expand ** globs itself, so the files are found here.
//   node ../scripts/node-test.mjs src [--concurrency=N]
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const folders = args.filter((a) => !a.startsWith("--"));
const passThrough = args.filter((a) => a.startsWith("--"));

function find(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...find(path));
    else if (entry.name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const files = folders.flatMap(find).sort();
if (files.length === 0) {
  console.error(`no *.test.ts files under ${folders.join(", ")}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    ...passThrough.map((a) => a.replace(/^--concurrency=/, "--test-concurrency=")),
    ...files,
  ],
  {
    stdio: "inherit",
  },
);
process.exit(result.status ?? 1);
