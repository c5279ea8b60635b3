// Approvals end to end (a person in the loop): the example policy asks approval for Gmail sends
// outside the agent's allowed domains. The real gateway, the fake Gmail, the JS SDK waiting for a
// decision while an admin decides through the API; exactly-once under parallel retries; denial;
// own-approvals-only; the audit chain; the webhook a chat tool would receive.
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AgentGateway, ApprovalDeniedError, ApprovalRequiredError, ApprovalWaitError } from "@agentgw/sdk";
import { type AllFakes, buildMessage, startAllFakes } from "../fakes/index.js";
import { assertProblemShape, type RegisteredAgent, registerAgent, signedCall } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { getToken } from "../support/tokens.js";

const SEND = "/v1/tools/gmail/gmail/v1/users/me/messages/send";
const intent = { intent: "mail a partner about the contract" };

let fakes: AllFakes;
let gw: GatewayProcess;
let agent: RegisteredAgent;
let hook: { server: Server; bodies: Array<{ text: string; approval: { id: string } }>; url: string };

before(async () => {
  const bodies: Array<{ text: string; approval: { id: string } }> = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => {
      text += c;
    });
    req.on("end", () => {
      bodies.push(JSON.parse(text));
      res.end("ok");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/services/T0/B0/hook-secret`;
  hook = { server, bodies, url };
  fakes = await startAllFakes();
  gw = await startGateway({ env: { ...fakes.env, AGENTGW_APPROVAL_WEBHOOK_URL: url } });
  agent = await registerAgent(gw, { name: "mailer" });
});
after(async () => {
  await gw?.stop();
  gw?.cleanup();
  await fakes?.close();
  hook?.server.close();
});

/** Polls the admin API until a pending approval for this agent shows up. */
async function nextPending(agentId: string, known: Set<string> = new Set()) {
  for (let i = 0; i < 200; i++) {
    const page = await gw.admin("GET", `/admin/approvals?status=pending&agentId=${agentId}`);
    const found = page.body.items.find((a: { id: string }) => !known.has(a.id));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("no pending approval appeared");
}

function rawMail(to: string, subject: string) {
  return {
    raw: Buffer.from(buildMessage({ from: "agent@example.com", to, subject, text: "x" })).toString(
      "base64url",
    ),
  };
}

describe("approvals", () => {
  it("the SDK waits while an admin approves; the call then goes through once", async () => {
    const sdk = new AgentGateway({
      baseUrl: gw.url,
      key: agent.key,
      waitForApproval: { timeoutMs: 20_000, pollIntervalMs: 50 },
    });
    const sentBefore = fakes.gmail.sent.length;
    const sending = sdk.gmail.send(
      { to: "pat@partner.test", subject: "Contract", text: "Draft attached." },
      intent,
    );
    const pending = await nextPending(agent.id);
    assert.equal(pending.tool, "gmail");
    assert.equal(pending.action, "messages.send");
    assert.equal(pending.phase, "call");
    assert.match(pending.reason, /partner\.test is outside the agent's allowed domains/);
    assert.match(pending.request.bodyPreview, /pat@partner\.test/, "the person sees the recipients");
    assert.equal(fakes.gmail.sent.length, sentBefore, "nothing sent while waiting");

    const approved = await gw.admin("POST", `/admin/approvals/${pending.id}/approve`, {
      note: "known partner",
    });
    assert.equal(approved.status, 200);
    assert.equal(approved.body.status, "approved");
    assert.equal(approved.body.decidedBy, "admin");
    assert.equal(approved.body.note, "known partner");

    const sent = await sending;
    assert.equal(typeof sent.id, "string");
    assert.equal(fakes.gmail.sent.length, sentBefore + 1);
    assert.deepEqual(fakes.gmail.sent.at(-1)!.to, ["pat@partner.test"]);

    const own = await sdk.getApproval(pending.id);
    assert.equal(own.status, "approved");
    assert.ok(own.usedAt, "the approval records its use");

    // The same message again needs a new approval: the first one was used.
    const strict = new AgentGateway({ baseUrl: gw.url, key: agent.key });
    await assert.rejects(
      strict.gmail.send({ to: "pat@partner.test", subject: "Contract", text: "Draft attached." }, intent),
      (error: unknown) => error instanceof ApprovalRequiredError && error.approvalId !== pending.id,
    );
    assert.equal(fakes.gmail.sent.length, sentBefore + 1);
  });

  it("two parallel retries of an approved call: exactly one reaches Gmail", async () => {
    const { token } = await getToken(gw, agent.key, { tool: "gmail", scopes: ["gmail:send"], ...intent });
    // One message, built once: its Date header would make a rebuilt one a different request.
    const mail = rawMail("sam@partner.test", "Race");
    const call = () =>
      signedCall(gw.url, agent.key, {
        path: SEND,
        json: mail,
        headers: { authorization: `Bearer ${token}` },
      });
    const first = await call();
    assertProblemShape(first, 403, "approval_required");
    assert.match(first.body.expiresAt, /^\d{4}-\d\d-\d\dT/);
    const again = await call();
    assert.equal(
      again.body.approvalId,
      first.body.approvalId,
      "a repeat while pending finds the same approval",
    );
    assert.equal(
      (await gw.admin("POST", `/admin/approvals/${first.body.approvalId}/approve`, {})).status,
      200,
    );
    const sentBefore = fakes.gmail.sent.length;
    const results = await Promise.all([call(), call(), call()]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 403, 403]);
    for (const refused of results.filter((r) => r.status === 403)) {
      assert.equal(refused.body.code, "approval_required");
      assert.notEqual(refused.body.approvalId, first.body.approvalId);
    }
    assert.equal(fakes.gmail.sent.length, sentBefore + 1, "exactly one message went out");
  });

  it("a denied approval ends the SDK's wait with ApprovalDeniedError; repeats answer approval_denied", async () => {
    const sdk = new AgentGateway({ baseUrl: gw.url, key: agent.key });
    const mail = { to: "eve@evil.test", subject: "Secrets", text: "x" };
    const refused = await sdk.gmail.send(mail, intent).catch((e: unknown) => e);
    assert.ok(refused instanceof ApprovalRequiredError);
    // The expectation is attached at once: the wait may end before the admin's answer arrives.
    const waiting = assert.rejects(
      sdk.waitForApproval(refused.approvalId, { pollIntervalMs: 50, timeoutMs: 20_000 }),
      (e: unknown) => e instanceof ApprovalDeniedError && e.note === "not a customer",
    );
    const denied = await gw.admin("POST", `/admin/approvals/${refused.approvalId}/deny`, {
      note: "not a customer",
    });
    assert.equal(denied.body.status, "denied");
    await waiting;
    await assert.rejects(
      sdk.gmail.send(mail, intent),
      (e: unknown) => e instanceof ApprovalDeniedError && e.approvalId === refused.approvalId,
    );
    const twice = await gw.admin("POST", `/admin/approvals/${refused.approvalId}/approve`, {});
    assert.equal(twice.status, 409);
    assert.equal(twice.body.code, "conflict");
  });

  it("waiting can be aborted and times out", async () => {
    const sdk = new AgentGateway({ baseUrl: gw.url, key: agent.key });
    const refused = await sdk.gmail
      .send({ to: "kim@partner.test", subject: "Wait", text: "x" }, intent)
      .catch((e: unknown) => e);
    assert.ok(refused instanceof ApprovalRequiredError);
    const controller = new AbortController();
    const aborted = sdk.waitForApproval(refused.approvalId, {
      pollIntervalMs: 20,
      signal: controller.signal,
    });
    controller.abort(new Error("user gave up"));
    await assert.rejects(aborted, /user gave up/);
    await assert.rejects(
      sdk.waitForApproval(refused.approvalId, { pollIntervalMs: 10, timeoutMs: 50 }),
      (e: unknown) => e instanceof ApprovalWaitError && e.outcome === "timeout",
    );
  });

  it("an agent reads only its own approvals; ids and bodies are validated", async () => {
    const pending = await gw.admin("GET", `/admin/approvals?status=pending&agentId=${agent.id}`);
    const id = pending.body.items[0].id as string;
    const other = await registerAgent(gw, { name: "nosy" });
    const peek = await signedCall(gw.url, other.key, { path: `/v1/approvals/${id}` });
    assertProblemShape(peek, 404, "not_found");
    const mine = await signedCall(gw.url, agent.key, { path: `/v1/approvals/${id}` });
    assert.equal(mine.status, 200);
    assert.equal(mine.body.binding, undefined, "the binding digest stays inside the gateway");
    assertProblemShape(
      await signedCall(gw.url, agent.key, { path: "/v1/approvals/../admin" }),
      404,
      "not_found",
    );
    const badId = await gw.admin("POST", "/admin/approvals/not-an-id/approve", {});
    assert.equal(badId.status, 400);
    const badNote = await gw.admin("POST", `/admin/approvals/${id}/approve`, { note: 5 });
    assert.equal(badNote.status, 400);
    const unsigned = await fetch(`${gw.url}/v1/approvals/${id}`);
    assert.equal(unsigned.status, 401);
    const noAdmin = await fetch(`${gw.url}/admin/approvals`);
    assert.equal(noAdmin.status, 401);
  });

  it("every approval event is in the audit chain, which verifies", async () => {
    const audit = await gw.admin("GET", "/admin/audit?limit=200");
    const actions = new Set(audit.body.items.map((r: { action: string }) => r.action));
    for (const action of ["approval.requested", "approval.approved", "approval.denied", "approval.used"]) {
      assert.ok(actions.has(action), `${action} audited`);
    }
    const approvedRecord = audit.body.items.find((r: { action: string }) => r.action === "approval.approved");
    assert.equal(approvedRecord.actor, "admin");
    assert.equal((await gw.admin("GET", "/admin/audit/verify")).body.ok, true);
  });

  it("each new pending approval reached the webhook as a chat message; its URL is never logged", async () => {
    const pending = await gw.admin("GET", "/admin/approvals?limit=200");
    const ids = new Set(pending.body.items.map((a: { id: string }) => a.id));
    for (let i = 0; i < 100 && hook.bodies.length < ids.size; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(hook.bodies.length, ids.size, "one message per approval");
    for (const body of hook.bodies) {
      assert.ok(ids.has(body.approval.id));
      assert.match(body.text, /^Approval needed: agent agt_/);
    }
    assert.ok(!gw.output().includes("hook-secret"), "the webhook URL stays out of the logs");
  });
});

// A policy of its own: every serpapi token needs a person's approval (for 60 s once approved),
// and the policy's reasons show what it saw as input.approval.
const TOKEN_POLICY = `package agentgw

approval_state := object.get(input, ["approval", "status"], "none")

decision := {
	"allow": false,
	"reasons": [sprintf("a person approves search tokens (approval: %v)", [approval_state])],
	"approval": {"reason": "every search token is approved by a person", "ttl_seconds": 60},
} if {
	input.phase == "token"
	input.tool == "serpapi"
} else := {"allow": true}
`;

describe("approvals for tokens", () => {
  let tokenGw: GatewayProcess;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "agentgw-approval-policy-"));
    writeFileSync(join(dir, "policy.rego"), TOKEN_POLICY);
    tokenGw = await startGateway({ env: { ...fakes.env, AGENTGW_POLICY: dir } });
  });
  after(async () => {
    await tokenGw?.stop();
    tokenGw?.cleanup();
  });

  it("a token request waits for approval, then is granted during the approval's window", async () => {
    const searcher = await registerAgent(tokenGw, { name: "searcher", scopes: ["serpapi:search"] });
    const ask = () =>
      signedCall(tokenGw.url, searcher.key, {
        path: "/v1/tokens",
        json: { tool: "serpapi", scopes: ["serpapi:search"], intent: "market research" },
      });
    const held = await ask();
    assertProblemShape(held, 403, "approval_required");
    assert.equal((await ask()).body.approvalId, held.body.approvalId);
    const pending = await tokenGw.admin("GET", `/admin/approvals/${held.body.approvalId}`);
    assert.equal(pending.body.phase, "token");
    assert.equal(pending.body.action, null);
    assert.equal(pending.body.intent, "market research");
    await tokenGw.admin("POST", `/admin/approvals/${held.body.approvalId}/approve`, {});

    const first = await ask();
    const second = await ask();
    assert.equal(first.status, 201);
    assert.equal(second.status, 201, "a token approval holds for its window, not once");
    assert.notEqual(first.body.jti, second.body.jti);
    const search = await signedCall(tokenGw.url, searcher.key, {
      path: "/v1/tools/serpapi/search.json?q=agents",
      headers: { authorization: `Bearer ${first.body.token}` },
    });
    assert.equal(search.status, 200);

    // Other scopes or another intent are other requests.
    const other = await signedCall(tokenGw.url, searcher.key, {
      path: "/v1/tokens",
      json: { tool: "serpapi", scopes: ["serpapi:search"], intent: "something else" },
    });
    assertProblemShape(other, 403, "approval_required");
    assert.notEqual(other.body.approvalId, held.body.approvalId);

    const decisions = await tokenGw.admin(
      "GET",
      `/admin/decisions?agentId=${searcher.id}&phase=token&limit=10`,
    );
    const seen = decisions.body.items.map(
      (d: { input: { approval: { status: string } | null } }) => d.input.approval?.status ?? null,
    );
    assert.ok(
      seen.includes(null) && seen.includes("pending") && seen.includes("approved"),
      "policies see input.approval",
    );
    const granted = decisions.body.items.find((d: { allow: boolean }) => d.allow);
    assert.match(granted.reasons[0], /^approved by admin \(approval apr_/);
  });
});
