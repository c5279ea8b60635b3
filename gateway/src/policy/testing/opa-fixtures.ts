// Test support: policy fixtures are compiled with the real OPA in test set-up,
// never committed as binaries.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import { type Logger, pino } from "pino";
import type { PolicyInput } from "../types.js";

/** The project's pinned OPA (installed on first use by scripts/opa.mjs). */
export async function opaPath(): Promise<string> {
  const script = new URL("../../../../scripts/opa.mjs", import.meta.url).href;
  const { ensureOpa } = (await import(script)) as { ensureOpa: () => Promise<string> };
  return ensureOpa();
}

const folders: string[] = [];

/** A fresh temporary folder holding `files` (relative path → content); removed by cleanupFixtures(). */
export async function writeFolder(files: Record<string, string>): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "agentgw-policy-test-"));
  folders.push(folder);
  await writeFiles(folder, files);
  return folder;
}

export async function writeFiles(folder: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(folder, name)), { recursive: true });
    await writeFile(join(folder, name), content);
  }
}

export async function cleanupFixtures(): Promise<void> {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
}

/**
 * `opa build -t <target> -e <entrypoint> [-r revision]` over `files`; returns the
 * bundle's path and bytes.
 */
export async function buildBundle(
  files: Record<string, string>,
  options: { revision?: string; entrypoint?: string; target?: "wasm" | "rego" } = {},
): Promise<{ path: string; bytes: Buffer }> {
  const source = await writeFolder(files);
  const out = await writeFolder({});
  const path = join(out, "bundle.tar.gz");
  const args = [
    "build",
    "-t",
    options.target ?? "wasm",
    "-e",
    options.entrypoint ?? "agentgw/decision",
    "-o",
    path,
  ];
  if (options.revision) args.push("-r", options.revision);
  args.push(source);
  const opa = await opaPath();
  await new Promise<void>((resolve, reject) => {
    execFile(opa, args, (error, _stdout, stderr) =>
      error ? reject(new Error(stderr || error.message)) : resolve(),
    );
  });
  return { path, bytes: await readFile(path) };
}

/** A pino logger whose records the test can read. */
export function captureLogger(): { logger: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) records.push(JSON.parse(line));
      callback();
    },
  });
  return { logger: pino({ level: "debug" }, stream), records };
}

/** A token-phase input for an ordinary agent; `changes` are merged on top. */
export function sampleInput(changes: Partial<PolicyInput> = {}): PolicyInput {
  const unix = 1795428000; // Monday 2026-11-23 10:00 UTC
  return {
    phase: "token",
    agent: { id: "agt_1", name: "one", tier: "default", scopes: ["openai:chat"], metadata: {} },
    kid: "kid-1",
    tool: "openai",
    action: null,
    scopes: ["openai:chat"],
    intent: null,
    request: { method: "POST", path: "/v1/tokens", query: {}, headers: {}, size: 0, body: null },
    token: null,
    time: { now: new Date(unix * 1000).toISOString(), unix },
    source: { ip: "127.0.0.1" },
    ...changes,
  };
}

/** Resolves when `check()` holds, polling; rejects after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
