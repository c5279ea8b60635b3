// Fuzzing the whole HTTP surface (issue 11): schemathesis generates requests from the gateway's
// own /openapi.json — valid ones and broken ones — and sends them to a real gateway whose tools
// point at the fakes. The admin token goes on /admin, the Python SDK signs every /v1 request
// (test/fuzz/signing_hooks.py) and tool calls carry a real tool token, so generated input gets
// past the front door into validation, the policy, the connectors and the upstreams.
// It passes only when no response is a 5xx and every response conforms to the document.
//
// Bounded: a fixed number of examples per operation (AGENTGW_FUZZ_EXAMPLES, default 40) and a
// time budget for the whole run (AGENTGW_FUZZ_SECONDS, default 150), so the suite stays short.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { toBase64Url } from "@agentgw/sdk";
import { type AllFakes, startAllFakes } from "../fakes/index.js";
import { type RegisteredAgent, registerAgent } from "../support/agents.js";
import { type GatewayProcess, REPO_ROOT, startGateway } from "../support/gateway-process.js";
import { allowAllPolicy, policyFolder, writeConfig } from "../support/policies.js";

const EXAMPLES = process.env.AGENTGW_FUZZ_EXAMPLES ?? "40";
const SECONDS = process.env.AGENTGW_FUZZ_SECONDS ?? "150";
/** The checks this suite promises: no 5xx, and answers the document describes (AGENTGW_FUZZ_CHECKS: others). */
const CHECKS =
  process.env.AGENTGW_FUZZ_CHECKS ??
  [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
  ].join(",");

let fakes: AllFakes;
let gw: GatewayProcess;
let agent: RegisteredAgent;
let reportDir: string;

before(async () => {
  fakes = await startAllFakes();
  // Limits high enough that the fuzzer's hundreds of requests are judged, not throttled.
  const generous = { points: 1_000_000, windowSeconds: 60, burst: 1_000_000 };
  const config = writeConfig({
    rateLimits: { tiers: { default: { perAgent: generous } }, unauthenticatedPerIp: generous },
  });
  gw = await startGateway({
    env: { ...fakes.env, AGENTGW_POLICY: policyFolder(allowAllPolicy()), AGENTGW_LOG_LEVEL: "info" },
    args: ["--config", config],
  });
  agent = await registerAgent(gw, { name: "fuzzer" });
  reportDir = mkdtempSync(join(tmpdir(), "agentgw-fuzz-"));
});

after(async () => {
  await gw.stop();
  gw.cleanup();
  await fakes.close();
  rmSync(reportDir, { recursive: true, force: true });
});

it("schemathesis finds no 5xx and no answer outside the OpenAPI document", async (t) => {
  const ensure = spawnSync(process.execPath, [join(REPO_ROOT, "scripts/fuzz-venv.mjs")], {
    stdio: "inherit",
  });
  assert.equal(ensure.status, 0, "could not prepare the fuzzing virtualenv (.tools/fuzz-venv)");
  const python = join(REPO_ROOT, ".tools/fuzz-venv/bin/python");
  const args = [
    "-m",
    "schemathesis.cli",
    "run",
    `${gw.url}/openapi.json`,
    "--checks",
    CHECKS,
    "--max-examples",
    EXAMPLES,
    "--max-time",
    SECONDS,
    // One worker thread: Python 3.11's AST constructor can leave its depth counter off on an error
    // path (CPython gh-106905, reported from threaded programs), and hypothesis parsing sources in
    // two threads crashed runs with "AST constructor recursion depth mismatch", no fault of the gateway.
    "--workers",
    "1",
    "--seed",
    process.env.AGENTGW_FUZZ_SEED ?? String(Date.now() % 1_000_000),
    "--no-color",
    "--report-dir",
    reportDir,
  ];
  const output = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
    const child = spawn(python, args, {
      // Its working files (.schemathesis, .hypothesis) go with the report, not into the repo.
      cwd: reportDir,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? tmpdir(),
        PYTHONPATH: join(REPO_ROOT, "test/fuzz"),
        SCHEMATHESIS_HOOKS: "signing_hooks",
        AGENTGW_FUZZ_URL: gw.url,
        AGENTGW_FUZZ_ADMIN_TOKEN: gw.adminToken,
        AGENTGW_FUZZ_AGENT_KEY: toBase64Url(agent.key.secretKey),
        AGENTGW_FUZZ_AGENT_ID: agent.id,
        AGENTGW_FUZZ_WEBSITE_URL: fakes.website.url,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, text }));
  });
  const logs = gw.logs();
  const serverErrors = logs.filter((line) => Number(line.status) >= 500 || line.level === 50);
  // How deep the generated tool calls got: answers per tool and status, in the test's output.
  const depth = new Map<string, number>();
  for (const line of logs) {
    const tool = /^\/v1\/tools\/(openai|gmail|serpapi|http)\//.exec(String(line.path ?? ""))?.[1];
    if (line.msg !== "request" || !tool) continue;
    const key = `${tool} ${String(line.status)}`;
    depth.set(key, (depth.get(key) ?? 0) + 1);
  }
  t.diagnostic(`tool calls by tool and status: ${JSON.stringify(Object.fromEntries([...depth].sort()))}`);
  assert.equal(
    output.code,
    0,
    `schemathesis failed:\n${output.text}\ngateway errors:\n${JSON.stringify(serverErrors, null, 1)}`,
  );
  // A run that tested nothing must not pass, nor one stuck at the front door: generated tool calls
  // must have got through signature, token, policy and connector to the fake upstreams.
  assert.match(output.text, /\d+ (generated|passed)/);
  const reached = Object.fromEntries(
    Object.entries({
      openai: fakes.openai,
      gmail: fakes.gmail,
      serpapi: fakes.serpapi,
      website: fakes.website,
    }).map(([name, fake]) => [name, fake.received.length]),
  );
  t.diagnostic(`requests each fake upstream received: ${JSON.stringify(reached)}`);
  assert.ok(
    Object.values(reached).reduce((sum, n) => sum + n, 0) > 0,
    `no generated request reached an upstream; schemathesis said:\n${output.text.slice(-4000)}`,
  );
});
