// The decision a policy returns (issue 11, points 10 and 12): only `allow` is required,
// and an obligation the gateway does not know is refused at load, not silently ignored.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { assertProblemShape, registerAgent, signedCall } from "../support/agents.js";
import { startGateway } from "../support/gateway-process.js";
import { policyFolder } from "../support/policies.js";

describe("decision shape", () => {
  it("a policy whose decision names only allow loads, allows and denies (reasons and obligations default)", async () => {
    const folder = policyFolder(`package agentgw\n\ndecision := {"allow": input.tool == "openai"}\n`);
    const gw = await startGateway({ env: { AGENTGW_POLICY: folder } });
    try {
      const agent = await registerAgent(gw);
      const allowed = await signedCall(gw.url, agent.key, {
        path: "/v1/tokens",
        json: { tool: "openai", scopes: ["openai:chat"] },
      });
      assert.equal(allowed.status, 201, JSON.stringify(allowed.body));
      const denied = await signedCall(gw.url, agent.key, {
        path: "/v1/tokens",
        json: { tool: "serpapi", scopes: ["serpapi:search"] },
      });
      assertProblemShape(denied, 403, "policy_denied");
      assert.ok(Array.isArray(denied.body.reasons) && denied.body.reasons.length > 0);
      const decisions = await gw.admin("GET", `/admin/decisions?agentId=${agent.id}`);
      assert.deepEqual(
        decisions.body.items.map((d: { allow: boolean; obligations: unknown }) => [d.allow, d.obligations]),
        [
          [false, {}],
          [true, {}],
        ],
      );
    } finally {
      await gw.stop();
      gw.cleanup();
    }
  });

  it("a policy returning an unknown obligation is refused at load: not ready, reload names the key", async () => {
    const folder = policyFolder(
      `package agentgw\n\ndecision := {"allow": true, "obligations": {"redcat": ["/body"]}}\n`,
    );
    const gw = await startGateway({ env: { AGENTGW_POLICY: folder }, waitFor: "alive" });
    try {
      assert.equal((await fetch(`${gw.url}/readyz`)).status, 503);
      const reload = await gw.admin("POST", "/admin/policy/reload");
      assert.equal(reload.status, 422, JSON.stringify(reload.body));
      assert.equal(reload.body.code, "policy_invalid");
      assert.match(JSON.stringify(reload.body.errors), /redcat/);
      // The same folder fixed: the gateway becomes ready.
      writeFileSync(
        join(folder, "policy.rego"),
        `package agentgw\n\ndecision := {"allow": true, "obligations": {"redact": ["/body"]}}\n`,
      );
      const fixed = await gw.admin("POST", "/admin/policy/reload");
      assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
      assert.equal((await fetch(`${gw.url}/readyz`)).status, 200);
    } finally {
      await gw.stop();
      gw.cleanup();
    }
  });
});
