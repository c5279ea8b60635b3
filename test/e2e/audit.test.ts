// The audit trail (issue 7): every admin change and decision is appended to a hash
// chain with actor, request id and time; tampering is detected and located.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { registerAgent, signedCall } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";

let gw: GatewayProcess;

before(async () => {
  gw = await startGateway();
});
after(async () => {
  await gw.stop();
  gw.cleanup();
});

describe("audit trail", () => {
  it("records admin changes and decisions with actor, request id, trace id and time", async () => {
    const agent = await registerAgent(gw, { name: "audited" });
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const token = await signedCall(gw.url, agent.key, {
      path: "/v1/tokens",
      json: { tool: "openai", scopes: ["openai:models"] },
      headers: { traceparent, "x-request-id": "audit-req-1" },
    });
    assert.equal(token.status, 201);
    await gw.admin("POST", "/admin/tokens/revoke", { jti: token.body.jti });
    await gw.admin("PATCH", `/admin/agents/${agent.id}`, { tier: "trusted" });
    await gw.admin("POST", "/admin/signing-keys/rotate");

    const { body } = await gw.admin("GET", "/admin/audit?limit=50");
    const actions = body.items.map((r: { action: string }) => r.action);
    for (const action of [
      "agent.created",
      "decision.token",
      "token.revoked",
      "agent.updated",
      "signing_key.rotated",
    ]) {
      assert.ok(actions.includes(action), `audit has ${action}: ${actions.join(", ")}`);
    }
    const decision = body.items.find((r: { action: string }) => r.action === "decision.token");
    assert.equal(decision.actor, `agent:${agent.id}`);
    assert.equal(decision.requestId, "audit-req-1");
    assert.equal(decision.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert.equal(decision.details.allow, true);
    assert.ok(!Number.isNaN(Date.parse(decision.time)));
    const created = body.items.find(
      (r: { action: string; target: string }) => r.action === "agent.created" && r.target === agent.id,
    );
    assert.equal(created.actor, "admin");
    // Newest first, each record linked to the one before it.
    for (let i = 0; i + 1 < body.items.length; i++) {
      assert.equal(body.items[i].seq, body.items[i + 1].seq + 1);
      assert.equal(body.items[i].prevHash, body.items[i + 1].hash);
    }
  });

  it("the chain verifies", async () => {
    const res = await gw.admin("GET", "/admin/audit/verify");
    assert.equal(res.status, 200);
    assert.equal(res.body.ok, true);
    assert.ok(res.body.checked >= 5);
  });

  it("altering one stored record makes verification fail and name the record", async () => {
    const page = await gw.admin("GET", "/admin/audit?action=agent.updated");
    const target = page.body.items[0].seq;
    const db = new BetterSqlite3(join(gw.dataDir, "agentgw.db"));
    try {
      db.prepare("UPDATE audit SET details = ? WHERE seq = ?").run(
        JSON.stringify({ changed: ["nothing"] }),
        target,
      );
    } finally {
      db.close();
    }
    const res = await gw.admin("GET", "/admin/audit/verify");
    assert.equal(res.body.ok, false);
    assert.equal(res.body.firstBad.seq, target);
    assert.match(res.body.firstBad.reason, /hash/);
  });

  it("pages with a cursor and refuses bad queries", async () => {
    const first = await gw.admin("GET", "/admin/audit?limit=2");
    assert.equal(first.body.items.length, 2);
    const second = await gw.admin("GET", `/admin/audit?limit=2&cursor=${first.body.nextCursor}`);
    assert.equal(second.body.items[0].seq, first.body.items[1].seq - 1);
    assert.equal((await gw.admin("GET", "/admin/audit?limit=9999")).status, 400);
  });
});
