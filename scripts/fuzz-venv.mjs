#!/usr/bin/env node
// The fuzzing tools' own virtualenv, .tools/fuzz-venv: schemathesis as pinned in
// test/fuzz/requirements.txt, plus the Python SDK (editable) whose RFC 9421 signer the
// schemathesis hooks use. Kept apart from the SDK's venv so the SDK's dependencies stay its own.
//
//   node scripts/fuzz-venv.mjs --ensure     prepare it (what `npm test`'s set-up runs)
//
// Like scripts/py.mjs, the install runs again only when its inputs changed: a stamp file in the
// venv holds the SHA-256 of requirements.txt and the SDK's pyproject.toml it installed.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { run, sdkDir, systemPython } from "./py.mjs";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const requirements = join(repoRoot, "test", "fuzz", "requirements.txt");
export const fuzzVenvDir = join(repoRoot, ".tools", "fuzz-venv");
const stampFile = join(fuzzVenvDir, ".agentgw-install-stamp");
export const fuzzPython =
  process.platform === "win32"
    ? join(fuzzVenvDir, "Scripts", "python.exe")
    : join(fuzzVenvDir, "bin", "python");

function inputsHash() {
  const hash = createHash("sha256");
  for (const file of [requirements, join(sdkDir, "pyproject.toml")]) hash.update(readFileSync(file));
  return hash.digest("hex");
}

/** Makes sure .tools/fuzz-venv has the pinned tools and the SDK; returns its python path. */
export function ensureFuzzVenv() {
  const works =
    existsSync(fuzzPython) && spawnSync(fuzzPython, ["-c", "pass"], { stdio: "ignore" }).status === 0;
  if (!works) {
    process.stderr.write(`[fuzz-venv] creating ${fuzzVenvDir}\n`);
    rmSync(fuzzVenvDir, { recursive: true, force: true });
    run(systemPython(), ["-m", "venv", fuzzVenvDir]);
  }
  const wanted = inputsHash();
  const installed = existsSync(stampFile) ? readFileSync(stampFile, "utf8").trim() : "";
  const importable =
    installed === wanted &&
    spawnSync(fuzzPython, ["-c", "import schemathesis, agentgw"], { stdio: "ignore" }).status === 0;
  if (!importable) {
    process.stderr.write("[fuzz-venv] installing schemathesis and the Python SDK from PyPI\n");
    run(fuzzPython, [
      "-m",
      "pip",
      "install",
      "--quiet",
      "--disable-pip-version-check",
      "-r",
      requirements,
      "-e",
      sdkDir,
    ]);
    writeFileSync(stampFile, `${wanted}\n`);
  }
  return fuzzPython;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureFuzzVenv();
  } catch (error) {
    process.stderr.write(`[fuzz-venv] failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
