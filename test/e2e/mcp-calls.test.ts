// MCP tools/call as a call like any other: rate limits and budgets per call (lists and initialize use
// none; a failed call gives its reservation back; parallel calls never get more than the limit), result
// obligations (truncate, block_patterns, in streamed answers too), and approvals bound to what the call
// does rather than its JSON-RPC id. The official TypeScript client through the gateway, as mcp.test.ts.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AgentGateway } from "@agentgw/sdk";
import { createMcpTransport } from "@agentgw/sdk/mcp";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { type FakeMcpRepo, startFakeMcpRepo } from "../fakes/fake-mcp-repo.js";
import { type RegisteredAgent, registerAgent } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { policyFolder, writeConfig } from "../support/policies.js";

const BIG = { points: 1000, windowSeconds: 60, burst: 1000 };
const SECRET_PATTERN = "ghp_[A-Za-z0-9]+";

// echo's results are cut to 12 characters unless the text asks to keep it whole ("keep:"); GitHub tokens
// are blocked in everything a call answers; create_issue needs a person's approval; delete_repo never.
const POLICY = `package agentgw

deny contains "delete_repo is never allowed" if input.action == "delete_repo"

needs_approval contains "opening an issue needs a person" if {
	input.phase == "call"
	input.action == "create_issue"
}

truncate := {"/content/0/text": 12, "/structuredContent/text": 12} if {
	input.action == "echo"
	not startswith(input.request.body.text, "keep:")
} else := {}

obligations := {"block_patterns": ["${SECRET_PATTERN}"], "truncate": truncate} if input.phase == "call"

obligations := {} if input.phase != "call"

decision := {
	"allow": false,
	"reasons": [r | some r in needs_approval],
	"obligations": obligations,
	"approval": {"reason": "opening an issue needs a person"},
} if {
	count(deny) == 0
	count(needs_approval) > 0
} else := {"allow": count(deny) == 0, "reasons": [r | some r in deny], "obligations": obligations}
`;

let repo: FakeMcpRepo;
/** The same server answering in JSON documents rather than SSE streams: the gateway's buffered path. */
let jsonRepo: FakeMcpRepo;
let gw: GatewayProcess;

type McpRefusal = Error & { code?: number; data?: Record<string, any> };

async function refusal(promise: Promise<unknown>): Promise<McpRefusal> {
  return promise.then(
    () => assert.fail("expected a refusal"),
    (error: unknown) => error as McpRefusal,
  );
}

async function connect(agent: RegisteredAgent, server = "repo"): Promise<Client> {
  const client = new Client({ name: "e2e-agent", version: "1.0.0" });
  await client.connect(createMcpTransport(new AgentGateway({ baseUrl: gw.url, key: agent.key }), server));
  return client;
}

const echo = (client: Client, text: string) => client.callTool({ name: "echo", arguments: { text } });

before(async () => {
  repo = await startFakeMcpRepo();
  jsonRepo = await startFakeMcpRepo({ jsonResponses: true });
  const config = writeConfig({
    mcp: { servers: { repo: { url: repo.url }, repojson: { url: jsonRepo.url } } },
    rateLimits: {
      tiers: {
        default: { perAgent: BIG },
        limited: { perAgent: BIG, perTool: { points: 2, windowSeconds: 3600, burst: 2 } },
        three: { perAgent: BIG, perTool: { points: 3, windowSeconds: 3600, burst: 3 } },
        budgeted: {
          perAgent: BIG,
          budgets: [{ tool: "mcp.repo", unit: "calls", period: "day", limit: 3 }],
        },
      },
    },
  });
  gw = await startGateway({
    args: ["--config", config],
    env: { AGENTGW_POLICY: policyFolder(POLICY) },
  });
});
after(async () => {
  await gw?.stop();
  gw?.cleanup();
  await repo?.close();
  await jsonRepo?.close();
});

describe("MCP tools/call: limits, budgets, obligations and approvals", () => {
  it("a rate limit on mcp.repo refuses the call over it with rate_limited and Retry-After; lists use none", async () => {
    const agent = await registerAgent(gw, { name: "limited", scopes: ["mcp.repo:use"], tier: "limited" });
    const client = await connect(agent);
    for (let i = 0; i < 5; i++) await client.listTools();
    await client.listPrompts();
    await client.ping();
    assert.equal((await echo(client, "one")).isError, undefined);
    await echo(client, "two");
    const refused = await refusal(echo(client, "three"));
    assert.equal(refused.code, -32001);
    assert.match(refused.message, /rate_limited/);
    assert.equal(refused.data?.code, "rate_limited");
    assert.equal(refused.data?.status, 429);
    assert.ok(Number.isInteger(refused.data?.retryAfter) && refused.data!.retryAfter > 0);
    assert.equal(repo.calls.filter(([, args]) => (args as { text?: string }).text === "three").length, 0);
    // Lists still work: they do not count against the tool's limit.
    await client.listTools();
    await client.close();
  });

  it("a calls budget on mcp.repo: lists do not use it, failed calls give it back, over it is budget_exceeded", async () => {
    const agent = await registerAgent(gw, { name: "budgeted", scopes: ["mcp.repo:use"], tier: "budgeted" });
    const client = await connect(agent);
    for (let i = 0; i < 4; i++) await client.listTools();
    // Tool errors (isError results) and denied calls use no budget.
    for (let i = 0; i < 4; i++)
      assert.equal((await client.callTool({ name: "fail", arguments: {} })).isError, true);
    assert.equal(
      (await refusal(client.callTool({ name: "delete_repo", arguments: {} }))).data?.code,
      "policy_denied",
    );
    for (const text of ["a", "b", "c"]) await echo(client, text);
    const refused = await refusal(echo(client, "d"));
    assert.equal(refused.data?.code, "budget_exceeded");
    assert.equal(refused.data?.status, 429);
    assert.ok(refused.data!.retryAfter > 0 && refused.data!.retryAfter <= 86_400);
    assert.ok(!repo.calls.some(([, args]) => (args as { text?: string }).text === "d"));
    await client.close();
  });

  for (const { limit, tier, code } of [
    { limit: "a budget", tier: "budgeted", code: "budget_exceeded" },
    { limit: "a rate limit", tier: "three", code: "rate_limited" },
  ]) {
    it(`parallel calls against ${limit} of 3 never get more than 3 results`, async () => {
      const agent = await registerAgent(gw, { name: `parallel-${tier}`, scopes: ["mcp.repo:use"], tier });
      // Two sessions of the one agent, ten calls at once split between them.
      const clients = await Promise.all([connect(agent), connect(agent)]);
      const marker = `${tier}-${Date.now()}`;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => echo(clients[i % 2]!, `keep:${marker}-${i}`)),
      );
      assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 3);
      for (const o of outcomes)
        if (o.status === "rejected") assert.equal((o.reason as McpRefusal).data?.code, code);
      const served = repo.calls.filter(([, args]) =>
        String((args as { text?: string }).text).includes(marker),
      );
      assert.equal(served.length, 3);
      await Promise.all(clients.map((c) => c.close()));
    });
  }

  it("truncate cuts a result's text and structuredContent; block_patterns blocks in results and streamed notifications", async () => {
    const agent = await registerAgent(gw, { name: "obligations", scopes: ["mcp.repo:use"] });
    const client = await connect(agent);
    const long = await echo(client, "abcdefghijklmnopqrstuvwxyz");
    assert.deepEqual(long.content, [{ type: "text", text: "abcdefghijkl" }]);
    assert.deepEqual(long.structuredContent, { text: "abcdefghijkl" });

    const token = "ghp_0123456789abcdefABCDEF";
    const messages: string[] = [];
    const blocked = await client.callTool(
      { name: "echo", arguments: { text: `keep: the token is ${token}` } },
      undefined,
      { onprogress: (p) => messages.push(String(p.message)) },
    );
    // The progress notification streamed (SSE) before the result carried the token too: blocked there.
    assert.deepEqual(messages, ["echoing keep: the token is [blocked]"]);
    assert.deepEqual(blocked.content, [{ type: "text", text: "keep: the token is [blocked]" }]);
    assert.deepEqual(blocked.structuredContent, { text: "keep: the token is [blocked]" });
    assert.doesNotMatch(JSON.stringify(blocked), new RegExp(SECRET_PATTERN));
    await client.close();
  });

  it("truncate and block_patterns apply to a result answered as one JSON document too", async () => {
    const agent = await registerAgent(gw, { name: "json-answers", scopes: ["mcp.repojson:use"] });
    const client = await connect(agent, "repojson");
    const long = await echo(client, "abcdefghijklmnopqrstuvwxyz");
    assert.deepEqual(long.content, [{ type: "text", text: "abcdefghijkl" }]);
    const blocked = await echo(client, "keep: ghp_0123456789abcdef");
    assert.deepEqual(blocked.structuredContent, { text: "keep: [blocked]" });
    assert.ok(
      jsonRepo.calls.some(([tool]) => tool === "echo"),
      "the JSON server served the calls",
    );
    await client.close();
  });

  it("a hostile server: calls of tools it does not list are refused; a list_changed flood reaches the client once", async () => {
    const agent = await registerAgent(gw, { name: "hostile", scopes: ["mcp.repo:use"] });
    const client = await connect(agent);
    const unlisted = await refusal(client.callTool({ name: "admin_backdoor", arguments: {} }));
    assert.equal(unlisted.code, -32602);
    assert.equal(unlisted.data?.code, "invalid_request");
    assert.ok(!repo.calls.some(([tool]) => tool === "admin_backdoor"));

    let listChanged = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      listChanged++;
    });
    const flooded = await client.callTool({ name: "flood", arguments: {} });
    assert.deepEqual(flooded.content, [{ type: "text", text: "flooded" }]);
    assert.equal(listChanged, 1);
    await client.close();
  });

  it("an approval binds what the call does, not its JSON-RPC id: approve, a renumbered retry is served once, the next asks anew", async () => {
    const agent = await registerAgent(gw, { name: "approvals", scopes: ["mcp.repo:use"] });
    const client = await connect(agent);
    const title = `approve me ${Date.now()}`;
    const create = () => client.callTool({ name: "create_issue", arguments: { title } });
    const first = await refusal(create());
    assert.equal(first.data?.code, "approval_required");
    const approvalId = first.data?.approvalId as string;
    assert.ok(approvalId);
    // The same call asked again while pending is the same approval.
    assert.equal((await refusal(create())).data?.approvalId, approvalId);
    const approved = await gw.admin("POST", `/admin/approvals/${approvalId}/approve`, { note: "ok" });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));

    // The client numbers each request anew: the retry has another JSON-RPC id, and is served once.
    const served = await create();
    assert.deepEqual(served.content, [{ type: "text", text: `issue #1: ${title}` }]);
    const again = await refusal(create());
    assert.equal(again.data?.code, "approval_required");
    assert.notEqual(again.data?.approvalId, approvalId);
    // Other arguments are another call: the approval never covered them.
    const other = await refusal(client.callTool({ name: "create_issue", arguments: { title: `${title}!` } }));
    assert.notEqual(other.data?.approvalId, approvalId);
    assert.equal(
      repo.calls.filter(
        ([tool, args]) => tool === "create_issue" && (args as { title: string }).title === title,
      ).length,
      1,
    );
    await client.close();
  });
});
