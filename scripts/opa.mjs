#!/usr/bin/env node
// The project's one way to reach the OPA CLI. It makes sure the pinned version
// is installed in <repo>/.tools/bin (reusing it when present), then runs it:
//
//   node scripts/opa.mjs --ensure          install only, print the path
//   node scripts/opa.mjs <opa arguments>   run opa, exit code passed through
//
// The gateway's policy compiler and the set-up script import `ensureOpa()`.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const OPA_VERSION = "1.22.2";
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const OPA_BIN_DIR = join(REPO_ROOT, ".tools", "bin");
export const OPA_PATH = join(OPA_BIN_DIR, process.platform === "win32" ? "opa.exe" : "opa");

function run(file, args, options = {}) {
  return new Promise((resolvePromise) => {
    execFile(file, args, { ...options, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolvePromise({ error, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The version `opa version` reports for the binary at `path`, or null if it does not run. */
async function installedVersion(path) {
  if (!existsSync(path)) return null;
  const { error, stdout } = await run(path, ["version"]);
  if (error) return null;
  return /^Version:\s*(\S+)/m.exec(stdout)?.[1] ?? null;
}

/**
 * Ensures the pinned OPA CLI is installed and returns its path. Installs it with
 * `go install` when missing or of another version; throws a readable Error when
 * Go is not available.
 */
export async function ensureOpa({ quiet = false } = {}) {
  if ((await installedVersion(OPA_PATH)) === OPA_VERSION) return OPA_PATH;

  const goCheck = await run("go", ["version"]);
  if (goCheck.error) {
    throw new Error(
      `OPA ${OPA_VERSION} is not installed at ${OPA_PATH} and Go is not available to build it. ` +
        `Install Go (https://go.dev/dl/) and run "node scripts/opa.mjs --ensure" again, ` +
        `or put an opa ${OPA_VERSION} binary at that path.`,
    );
  }
  if (!quiet) {
    process.stderr.write(
      `Installing OPA ${OPA_VERSION} into ${OPA_BIN_DIR} with go install (first run only; takes a minute)...\n`,
    );
  }
  const started = Date.now();
  // go install is silent while it downloads and compiles: say it is still at work.
  const heartbeat = quiet
    ? undefined
    : setInterval(() => {
        const elapsed = Math.round((Date.now() - started) / 1000);
        process.stderr.write(`  ... still building OPA ${OPA_VERSION} (${elapsed} s)\n`);
      }, 15_000);
  const install = await run("go", ["install", `github.com/open-policy-agent/opa@v${OPA_VERSION}`], {
    env: { ...process.env, GOBIN: OPA_BIN_DIR },
  }).finally(() => clearInterval(heartbeat));
  if (install.error) {
    throw new Error(`go install of OPA ${OPA_VERSION} failed:\n${install.stderr.trim()}`);
  }
  const version = await installedVersion(OPA_PATH);
  if (version !== OPA_VERSION) {
    throw new Error(`after go install, ${OPA_PATH} reports version ${version ?? "none"}, not ${OPA_VERSION}`);
  }
  if (!quiet) process.stderr.write(`OPA ${OPA_VERSION} installed at ${OPA_PATH}\n`);
  return OPA_PATH;
}

async function main(argv) {
  let opaPath;
  try {
    opaPath = await ensureOpa();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  if (argv[0] === "--ensure") {
    process.stdout.write(`${opaPath}\n`);
    return 0;
  }
  return await new Promise((resolveCode) => {
    const child = spawn(opaPath, argv, { stdio: "inherit" });
    child.on("error", (error) => {
      process.stderr.write(`could not run ${opaPath}: ${error.message}\n`);
      resolveCode(1);
    });
    child.on("exit", (code, signal) => resolveCode(code ?? (signal ? 1 : 0)));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
