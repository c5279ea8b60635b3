// Policies end to end (CONTRACT.md §5, issue 4): a Rego policy written here decides
// signed requests; edits are picked up without a restart; a broken policy is refused
// and the last good one keeps answering; every decision is inspectable.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { assertProblemShape, type RegisteredAgent, registerAgent, signedCall } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";

/** Allows tokens only for the tools listed in data.allowed_tools, and only for agents whose metadata.team is "blue". */
const policyV1 = () => `package agentgw

import rego.v1

default allow := false

allow if {
	input.tool in data.allowed_tools
	input.agent.metadata.team == "blue"
}

reasons contains sprintf("tool %s is not in allowed_tools", [input.tool]) if not input.tool in data.allowed_tools

reasons contains "only the blue team may use tools" if input.agent.metadata.team != "blue"

decision := {"allow": allow, "reasons": [r | some r in reasons], "obligations": {"max_ttl_seconds": 60}}
`;

let gw: GatewayProcess;
let policyDir: string;
let blue: RegisteredAgent;
let red: RegisteredAgent;

const askToken = (agent: RegisteredAgent, tool: string, scopes: string[]) =>
  signedCall(gw.url, agent.key, { path: "/v1/tokens", json: { tool, scopes } });

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  policyDir = mkdtempSync(join(tmpdir(), "agentgw-policy-"));
  writeFileSync(join(policyDir, "policy.rego"), policyV1());
  writeFileSync(join(policyDir, "data.json"), JSON.stringify({ allowed_tools: ["openai"] }));
  gw = await startGateway({ env: { AGENTGW_POLICY: policyDir } });
  blue = await registerAgent(gw, { name: "blue", metadata: { team: "blue" } });
  red = await registerAgent(gw, { name: "red", metadata: { team: "red" } });
});
after(async () => {
  await gw.stop();
  gw.cleanup();
});

describe("a policy written by the test decides", () => {
  it("allows what it allows, with its obligations applied", async () => {
    const res = await askToken(blue, "openai", ["openai:models"]);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.expiresIn, 60, "max_ttl_seconds obligation");
  });
  it("denies with the policy's reasons", async () => {
    const red1 = await askToken(red, "openai", ["openai:models"]);
    assertProblemShape(red1, 403, "policy_denied");
    assert.deepEqual(red1.body.reasons, ["only the blue team may use tools"]);
    const blueSerp = await askToken(blue, "serpapi", ["serpapi:search"]);
    assertProblemShape(blueSerp, 403, "policy_denied");
    assert.deepEqual(blueSerp.body.reasons, ["tool serpapi is not in allowed_tools"]);
  });
  it("records every decision, filterable through the admin API", async () => {
    const denied = await gw.admin("GET", `/admin/decisions?agentId=${red.id}&allow=false`);
    assert.equal(denied.status, 200);
    assert.ok(denied.body.items.length >= 1);
    const d = denied.body.items[0];
    assert.equal(d.agentId, red.id);
    assert.equal(d.allow, false);
    assert.equal(d.phase, "token");
    assert.equal(d.tool, "openai");
    assert.deepEqual(d.reasons, ["only the blue team may use tools"]);
    assert.equal(d.kid, red.key.kid);
    assert.match(d.decisionId, /^[0-9a-f-]{36}$/);
    assert.equal(typeof d.policyRevision, "string");
    assert.equal(d.input.agent.metadata.team, "red");
    assert.equal(d.input.request.headers.authorization, undefined);
    assert.equal(d.input.request.headers.signature, undefined);
    const serp = await gw.admin("GET", "/admin/decisions?tool=serpapi");
    assert.ok(serp.body.items.every((x: { tool: string }) => x.tool === "serpapi"));
    assertProblemShape(
      await gw.admin("GET", "/admin/decisions?allow=maybe").then((r) => ({ ...r })),
      400,
      "invalid_request",
    );
  });
});

describe("hot reload", () => {
  it("an edited data.json is enforced within seconds, without a restart", async () => {
    const before = (await gw.admin("GET", "/admin/policy")).body;
    assert.equal(before.source, policyDir);
    writeFileSync(join(policyDir, "data.json"), JSON.stringify({ allowed_tools: ["openai", "serpapi"] }));
    await waitFor(
      async () => (await askToken(blue, "serpapi", ["serpapi:search"])).status === 201,
      "the watcher to load the new data",
    );
    const afterReload = (await gw.admin("GET", "/admin/policy")).body;
    assert.notEqual(afterReload.revision, before.revision);
    assert.ok(Date.parse(afterReload.loadedAt) > Date.parse(before.loadedAt));
  });

  it("a broken policy is refused with its compile errors (422) and the old one keeps answering", async () => {
    const good = (await gw.admin("GET", "/admin/policy")).body.revision;
    writeFileSync(join(policyDir, "policy.rego"), 'package agentgw\n\ndecision := {"allow": true\n');
    const reload = await gw.admin("POST", "/admin/policy/reload");
    assertProblemShape(reload, 422, "policy_invalid");
    assert.ok(Array.isArray(reload.body.errors) && reload.body.errors.length > 0);
    assert.match(JSON.stringify(reload.body.errors), /policy\.rego/);
    assert.equal((await gw.admin("GET", "/admin/policy")).body.revision, good);
    assert.equal((await askToken(blue, "openai", ["openai:models"])).status, 201, "old policy still allows");
    assertProblemShape(await askToken(red, "openai", ["openai:models"]), 403, "policy_denied");
    assert.equal((await fetch(`${gw.url}/readyz`)).status, 200, "still ready: a policy is loaded");
  });

  it("a fixed policy loads through POST /admin/policy/reload and is audited", async () => {
    writeFileSync(
      join(policyDir, "policy.rego"),
      policyV1().replace('input.agent.metadata.team == "blue"', "true"),
    );
    const reload = await gw.admin("POST", "/admin/policy/reload");
    assert.equal(reload.status, 200, JSON.stringify(reload.body));
    assert.equal(typeof reload.body.revision, "string");
    assert.equal(
      (await askToken(red, "openai", ["openai:models"])).status,
      201,
      "red is allowed by the new rule",
    );
    const audit = await gw.admin("GET", "/admin/audit?action=policy.reloaded");
    assert.ok(audit.body.items.some((r: { details: { ok: boolean } }) => r.details.ok === false));
    assert.ok(audit.body.items.some((r: { target: string }) => r.target === reload.body.revision));
  });
});

describe("readiness", () => {
  it("/readyz is 503 until a policy loads, and decisions fail closed meanwhile", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agentgw-policy-bad-"));
    writeFileSync(join(dir, "policy.rego"), "package agentgw\n\nthis is not rego\n");
    const broken = await startGateway({ env: { AGENTGW_POLICY: dir }, waitFor: "alive" });
    try {
      const ready = await fetch(`${broken.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.equal((await ready.json()).code, "not_ready");
      const agent = await registerAgent(broken);
      assertProblemShape(
        await signedCall(broken.url, agent.key, {
          path: "/v1/tokens",
          json: { tool: "openai", scopes: ["openai:models"] },
        }),
        403,
        "policy_denied",
      );
      writeFileSync(
        join(dir, "policy.rego"),
        'package agentgw\n\ndecision := {"allow": true, "reasons": [], "obligations": {}}\n',
      );
      assert.equal((await broken.admin("POST", "/admin/policy/reload")).status, 200);
      assert.equal((await fetch(`${broken.url}/readyz`)).status, 200);
    } finally {
      await broken.stop();
      broken.cleanup();
    }
  });
});
