#!/usr/bin/env node
// Project set-up that must live in the repo: a fresh machine gets everything the
// start and test commands need from here. Each step is reused when already done.
//   --opa     the pinned OPA compiler in .tools/bin (go install, about a minute the first time)
//   --python  the Python SDK's virtualenv in sdk-python-stub/.venv (pip, from PyPI)
//   --fuzz    the fuzzing tools' virtualenv in .tools/fuzz-venv (schemathesis, from PyPI)
import { ensureOpa } from "./opa.mjs";
import { ensureFuzzVenv } from "./fuzz-venv.mjs";
import { ensureVenv } from "./py.mjs";

const steps = process.argv.slice(2);
const started = Date.now();

try {
  if (steps.includes("--opa")) {
    const path = await ensureOpa();
    console.log(`[setup] OPA compiler ready: ${path}`);
  }
  if (steps.includes("--python")) {
    await ensureVenv();
    console.log("[setup] Python SDK virtualenv ready");
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
