#!/usr/bin/env node
// Project set-up that must live in the repo: a fresh machine gets everything the
// start and test commands need from here. Each step is reused when already done.
//   --opa     the pinned OPA compiler in .tools/bin (go install, about a minute the first time)
//   --python  the Python SDK's virtualenv in sdk-python-stub/.venv (pip, from PyPI)
//   --fuzz    the fuzzing tools' virtualenv in .tools/fuzz-venv (schemathesis, from PyPI)
//   --chromium Debian's chromium for the console's browser tests (apt-get when missing)
//   --cli     builds the agentgw command and the SDK it uses, so `npx agentgw` works
//             (run by `npm install`/`npm ci` through the root prepare script)
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureChromium } from "./chromium.mjs";
import { ensureFuzzVenv } from "./fuzz-venv.mjs";
import { ensureOpa } from "./opa.mjs";
import { ensureVenv } from "./py.mjs";

const steps = process.argv.slice(2);
const started = Date.now();

try {
  if (steps.includes("--opa")) {
    const path = await ensureOpa();
    console.log(`[setup] OPA compiler ready: ${path}`);
  }
  if (steps.includes("--cli")) {
    console.log("[setup] building the agentgw command and the JS SDK (tsc)...");
    const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
    const turbo = join(root, "node_modules", "turbo", "bin", "turbo");
    const built = spawnSync(
      process.execPath,
      [turbo, "run", "build", "--filter=@agentgw/cli...", "--output-logs=errors-only"],
      { cwd: root, stdio: "inherit", env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" } },
    );
    if (built.status !== 0) throw new Error("building the agentgw command failed (see above)");
    console.log("[setup] agentgw ready: npx agentgw --help");
  }
  if (steps.includes("--python")) {
    await ensureVenv();
    console.log("[setup] Python SDK virtualenv ready");
  }
  if (steps.includes("--chromium")) {
    console.log(`[setup] Chromium ready: ${ensureChromium()}`);
  }
  if (steps.includes("--fuzz")) {
    ensureFuzzVenv();
    console.log("[setup] fuzzing tools virtualenv ready");
  }
  console.log(`[setup] done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(`[setup] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
