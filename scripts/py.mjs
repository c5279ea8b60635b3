#!/usr/bin/env node
// Runs Python inside the Python SDK's project-local virtualenv (sdk-python-stub/.venv),
// creating it and installing `agentgw[dev]` editable from PyPI when needed, so
// `npm test` needs nothing but python3 on the machine.
//
//   node scripts/py.mjs -m pytest -q     run the venv's python with these arguments
//   node scripts/py.mjs --ensure         only prepare the venv
//
// The install runs again only when pyproject.toml changed since the last one: a
// stamp file inside .venv holds the SHA-256 of the pyproject.toml it installed.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const sdkDir = join(repoRoot, "sdk-python-stub");
export const venvDir = join(sdkDir, ".venv");
const stampFile = join(venvDir, ".agentgw-install-stamp");
const isWindows = process.platform === "win32";
export const venvPython = isWindows ? join(venvDir, "Scripts", "python.exe") : join(venvDir, "bin", "python");

/** pytest's "no tests were collected": a run that tested nothing must not pass. */
const PYTEST_NO_TESTS = 5;

function progress(message) {
  process.stderr.write(`[py] ${message}\n`);
}

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.error) throw new Error(`could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited with ${result.status ?? result.signal}`);
  }
}

export function systemPython() {
  const candidates = isWindows ? ["py", "python"] : ["python3"];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ["-c", "import sys; assert sys.version_info >= (3, 10)"], {
      stdio: "ignore",
    });
    if (probe.status === 0) return candidate;
  }
  throw new Error(`Python 3.10 or newer is needed as ${candidates.join(" or ")} on the PATH`);
}

function pyprojectHash() {
  return createHash("sha256")
    .update(readFileSync(join(sdkDir, "pyproject.toml")))
    .digest("hex");
}

/**
 * Makes sure sdk-python-stub/.venv exists and has the current pyproject.toml installed
 * (editable, with the dev extras). Returns the venv's python path.
 */
export function ensureVenv() {
  const venvWorks =
    existsSync(venvPython) && spawnSync(venvPython, ["-c", "pass"], { stdio: "ignore" }).status === 0;
  if (!venvWorks) {
    progress(`creating virtualenv ${venvDir}`);
    // A half-made venv (interrupted creation, python upgraded underneath) is rebuilt whole.
    rmSync(venvDir, { recursive: true, force: true });
    run(systemPython(), ["-m", "venv", venvDir]);
  }
  const wanted = pyprojectHash();
  const installed = existsSync(stampFile) ? readFileSync(stampFile, "utf8").trim() : "";
  // The editable install points at this checkout; if it no longer imports, the stamp lies.
  const importable =
    installed === wanted && spawnSync(venvPython, ["-c", "import agentgw"], { stdio: "ignore" }).status === 0;
  if (!importable) {
    progress("installing agentgw[dev] (editable) from PyPI: pyproject.toml changed since the last install");
    run(venvPython, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip"]);
    run(venvPython, [
      "-m",
      "pip",
      "install",
      "--quiet",
      "--disable-pip-version-check",
      "-e",
      `${sdkDir}[dev]`,
    ]);
    writeFileSync(stampFile, `${wanted}\n`);
  }
  progress("python environment ready");
  return venvPython;
}

function main(args) {
  let python;
  try {
    python = ensureVenv();
  } catch (error) {
    progress(`failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  if (args.length === 1 && args[0] === "--ensure") return 0;
  const result = spawnSync(python, args, { stdio: "inherit" });
  if (result.error) {
    progress(`could not run python: ${result.error.message}`);
    return 1;
  }
  if (result.signal) return 1;
  const isPytest = args.includes("pytest") && args[args.indexOf("pytest") - 1] === "-m";
  if (isPytest && result.status === PYTEST_NO_TESTS) {
    progress("pytest collected no tests: counted as a failure");
  }
  return result.status ?? 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
