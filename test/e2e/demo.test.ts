// `npm run demo` is what a newcomer runs first: it must keep working end to end.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { it } from "node:test";
import { REPO_ROOT } from "../support/gateway-process.js";

it("the demo walks the whole flow, including one policy denial", () => {
  const run = spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "examples/demo.ts")], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(run.status, 0, run.stderr + run.stdout);
  for (const expected of [
    /Signed GET \/v1\/whoami/,
    /assistant: Echo: What is an agent gateway\?/,
    /assistant: Echo: stream this answer/,
    /the fake mailbox got "Weekly report"/,
    /top result: agent gateway - result 1/,
    /status 200/,
    /403 policy_denied[\s\S]*model gpt-4o is not allowed/,
    /audit chain ok=true/,
  ]) {
    assert.match(run.stdout, expected);
  }
});
