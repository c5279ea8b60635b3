// Several gateways as one (contract section 12): two gateway processes on the same
// PostgreSQL and Redis behind a balancer, then one process with AGENTGW_WORKERS=2.
// Every guarantee a single gateway gives must hold across them: registration, replay,
// revocation, rate limits, budgets, policy reload, signing keys and MCP sessions.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AgentGateway, type FetchLike, signRequest } from "@agentgw/sdk";
import { createMcpTransport } from "@agentgw/sdk/mcp";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { find, parseExposition } from "../../gateway/src/metrics/testing/exposition.js";
import { BACKEND_HEADER } from "../../scripts/balancer.mjs";
import { type FakeMcpRepo, startFakeMcpRepo } from "../fakes/fake-mcp-repo.js";
import { type AllFakes, buildMessage, startAllFakes } from "../fakes/index.js";
import { assertProblemShape, type RegisteredAgent, registerAgent } from "../support/agents.js";
import { signInToConsole, signOutOfConsole, withConsoleCookie } from "../support/console-session.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { allowAllPolicy, policyFolder, writeConfig } from "../support/policies.js";
import { type SharedGateways, startSharedGateways } from "../support/shared-gateways.js";

const BIG = { points: 1000, windowSeconds: 60, burst: 1000 };
const CONFIG = {
  // The reload test proves the fan-out, so no instance may notice the file change by itself.
  policy: { watch: false },
  rateLimits: {
    tiers: {
      default: { perAgent: BIG },
      limited: { perAgent: { points: 7, windowSeconds: 600, burst: 7 } },
      narrow: { perAgent: BIG, concurrency: 3 },
      budgeted: {
        perAgent: BIG,
        budgets: [{ tool: "gmail", unit: "calls", action: "messages.send", period: "day", limit: 4 }],
      },
    },
  },
};
const models = "/v1/tools/openai/v1/models";

let fakes: AllFakes;
let repo: FakeMcpRepo;
let policyDir: string;

before(async () => {
  fakes = await startAllFakes();
  repo = await startFakeMcpRepo();
  policyDir = policyFolder(allowAllPolicy());
});
after(() => Promise.all([fakes.close(), repo.close()]));

/** The gateways' config file: CONFIG and the fake MCP repository server as `repo`. */
const configFile = () => writeConfig({ ...CONFIG, mcp: { servers: { repo: { url: repo.url } } } });

async function token(gws: SharedGateways, i: number, agent: RegisteredAgent, tool: string, scopes: string[]) {
  const res = await gws.call(i, agent.key, { path: "/v1/tokens", json: { tool, scopes } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { token: string; jti: string };
}

/** Signs one request for the balancer's authority, to be sent (replayed) to any instance. */
async function signOnce(
  gws: SharedGateways,
  agent: RegisteredAgent,
  path: string,
  headers: Record<string, string> = {},
) {
  const url = gws.url + path;
  const signature = await signRequest({ method: "GET", url, headers, body: null }, agent.key);
  return (i: number) =>
    fetch(url, { headers: { ...headers, ...signature, [BACKEND_HEADER]: String(i) } }).then(async (r) => ({
      status: r.status,
      body: await r.json(),
      headers: r.headers,
    }));
}

/** The agent's budget counter as Redis holds it (the shared budget ledger), read with redis-cli. */
function budgetCounter(gws: SharedGateways, agent: RegisteredAgent): string {
  const redis = (...args: string[]) =>
    execFileSync("redis-cli", ["-u", gws.env.AGENTGW_REDIS_URL!, ...args], { encoding: "utf8" }).trim();
  const keys = redis(
    "--scan",
    "--pattern",
    `${gws.env.AGENTGW_REDIS_KEY_PREFIX}budget:${agent.id.length}:${agent.id}:*`,
  );
  assert.equal(keys.split("\n").filter(Boolean).length, 1, keys);
  return redis("GET", keys);
}

const gmailSend = () => ({
  path: "/v1/tools/gmail/gmail/v1/users/me/messages/send",
  json: {
    raw: Buffer.from(
      buildMessage({ from: "a@example.com", to: "b@example.com", subject: "shared", text: "x" }),
    ).toString("base64url"),
  },
});

describe("two gateway processes on one PostgreSQL and Redis", () => {
  let gws: SharedGateways;
  before(async () => {
    gws = await startSharedGateways({
      env: { ...fakes.env, AGENTGW_POLICY: policyDir },
      args: ["--config", configFile()],
    });
  });
  after(() => gws?.stop());

  it("an agent registered through one is served by the other, with the other's tokens", async () => {
    const agent = await registerAgent(gws.instances[0]!);
    const who = await gws.call(1, agent.key, { path: "/v1/whoami" });
    assert.equal(who.status, 200, JSON.stringify(who.body));
    assert.equal(who.body.agent.id, agent.id);
    // A token minted by instance 1 is accepted by instance 0: one signing key for all.
    const { token: t } = await token(gws, 1, agent, "openai", ["openai:models"]);
    const call = await gws.call(0, agent.key, { path: models, headers: { authorization: `Bearer ${t}` } });
    assert.equal(call.status, 200, JSON.stringify(call.body));
  });

  it("a nonce used on one is refused on the other", async () => {
    const agent = await registerAgent(gws.instances[0]!);
    const send = await signOnce(gws, agent, "/v1/whoami");
    assert.equal((await send(0)).status, 200);
    const replay = await send(1);
    assert.equal(replay.status, 401);
    assert.equal(replay.body.code, "replay_detected");
    // Sent to both at once, many times: exactly one is accepted.
    const burst = await signOnce(gws, agent, "/v1/whoami");
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => burst(i % 2)));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
  });

  it("a token or key revoked through one is refused by the other within one second", async () => {
    const agent = await registerAgent(gws.instances[0]!);
    const { token: t, jti } = await token(gws, 0, agent, "openai", ["openai:models"]);
    const auth = { authorization: `Bearer ${t}` };
    assert.equal((await gws.call(1, agent.key, { path: models, headers: auth })).status, 200);
    assert.equal((await gws.instances[0]!.admin("POST", "/admin/tokens/revoke", { jti })).status, 200);
    // The very next call on the other instance, with no wait at all, is refused.
    const refused = await gws.call(1, agent.key, { path: models, headers: auth });
    assertProblemShape(refused, 401, "token_revoked");

    const { kid } = (await gws.call(1, agent.key, { path: "/v1/whoami" })).body;
    const revokeKey = await gws.instances[1]!.admin("DELETE", `/admin/agents/${agent.id}/keys/${kid}`);
    assert.ok(revokeKey.status === 200 || revokeKey.status === 204, JSON.stringify(revokeKey.body));
    const afterKey = await gws.call(0, agent.key, { path: "/v1/whoami" });
    assertProblemShape(afterKey, 401, "unknown_key");
  });

  it("one agent's rate limit holds across both under parallel load", async () => {
    const agent = await registerAgent(gws.instances[0]!, { tier: "limited" });
    // The token request counts too when the limit covers it; take it first and count from here.
    const { token: t } = await token(gws, 0, agent, "openai", ["openai:models"]);
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        gws.call(i % 2, agent.key, { path: models, headers: { authorization: `Bearer ${t}` } }),
      ),
    );
    const ok = results.filter((r) => r.status === 200).length;
    const limited = results.filter((r) => r.status === 429);
    assert.ok(ok <= 7, `never more successes than the limit (got ${ok})`);
    assert.ok(ok >= 5, `the limit is not refused early (got ${ok})`);
    assert.equal(ok + limited.length, 24, results.map((r) => r.status).join(","));
    for (const r of limited) assertProblemShape(r, 429, "rate_limited");
  });

  it("one agent's calls in flight stay within its bound when slow calls are split between both", async () => {
    const agent = await registerAgent(gws.instances[0]!, { tier: "narrow" });
    const { token: t } = await token(gws, 0, agent, "openai", ["openai:models"]);
    const auth = { authorization: `Bearer ${t}` };
    // Not reset(): that would also forget API keys an earlier test rotated the credential to.
    const seen = fakes.openai.received.length;
    fakes.openai.behave({ delayMs: 1500 });
    try {
      // Counted per process, each instance would admit 3: 6 of the 10 would succeed.
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => gws.call(i % 2, agent.key, { path: models, headers: auth })),
      );
      const ok = results.filter((r) => r.status === 200).length;
      assert.ok(
        ok >= 1 && ok <= 3,
        `never more than 3 in flight (${results.map((r) => r.status).join(",")})`,
      );
      assert.ok(fakes.openai.received.length - seen <= 3, "no more than 3 reached the upstream");
      for (const r of results.filter((x) => x.status !== 200)) {
        assertProblemShape(r, 429, "rate_limited");
        assert.match(r.body.detail, /at most 3 calls to openai/);
      }
      // Every place was given back when the calls ended, on both instances.
      fakes.openai.behave({ delayMs: 0 });
      const again = await Promise.all(
        Array.from({ length: 3 }, (_, i) => gws.call(i % 2, agent.key, { path: models, headers: auth })),
      );
      assert.deepEqual(
        again.map((r) => r.status),
        [200, 200, 200],
      );
    } finally {
      fakes.openai.behave({ delayMs: 0 });
    }
  });

  it("one agent's budget holds across both under parallel load", async () => {
    const agent = await registerAgent(gws.instances[0]!, { tier: "budgeted" });
    const { token: t } = await token(gws, 1, agent, "gmail", ["gmail:send"]);
    const sentBefore = fakes.gmail.sent.length;
    const results = await Promise.all(
      // 12: more than the budget, fewer than the calls one agent may have in flight to a tool.
      Array.from({ length: 12 }, (_, i) =>
        gws.call(i % 2, agent.key, { ...gmailSend(), headers: { authorization: `Bearer ${t}` } }),
      ),
    );
    assert.equal(results.filter((r) => r.status === 200).length, 4, results.map((r) => r.status).join(","));
    for (const r of results.filter((x) => x.status !== 200)) assertProblemShape(r, 429, "budget_exceeded");
    assert.equal(fakes.gmail.sent.length - sentBefore, 4);
    assert.equal(budgetCounter(gws, agent), "4", "one counter in Redis, shared by both");
  });

  it("a policy reload through one takes effect on both", async () => {
    const agent = await registerAgent(gws.instances[0]!);
    const { token: t } = await token(gws, 0, agent, "openai", ["openai:models"]);
    const auth = { authorization: `Bearer ${t}` };
    assert.equal((await gws.call(1, agent.key, { path: models, headers: auth })).status, 200);
    writeFileSync(
      join(policyDir, "policy.rego"),
      `package agentgw

decision := {"allow": false, "reasons": ["closed for maintenance"], "obligations": {}} if input.phase == "call"

decision := {"allow": true, "reasons": [], "obligations": {}} if input.phase != "call"
`,
    );
    try {
      const reload = await gws.instances[0]!.admin("POST", "/admin/policy/reload");
      assert.equal(reload.status, 200, JSON.stringify(reload.body));
      let other = "";
      for (let i = 0; i < 50 && other !== reload.body.revision; i++) {
        other = (await gws.instances[1]!.admin("GET", "/admin/policy")).body.revision;
        if (other !== reload.body.revision) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(other, reload.body.revision, "the other instance loaded the same revision");
      const denied = await gws.call(1, agent.key, { path: models, headers: auth });
      assertProblemShape(denied, 403, "policy_denied");
    } finally {
      writeFileSync(join(policyDir, "policy.rego"), allowAllPolicy());
      await gws.instances[1]!.admin("POST", "/admin/policy/reload");
    }
    for (let i = 0; i < 50; i++) {
      if ((await gws.call(0, agent.key, { path: models, headers: auth })).status === 200) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail("the reload through instance 1 did not reach instance 0");
  });

  it("signing keys rotated through one: both sign with the new key, the old tokens still verify", async () => {
    const agent = await registerAgent(gws.instances[0]!);
    const old = await token(gws, 0, agent, "openai", ["openai:models"]);
    const rotated = await gws.instances[1]!.admin("POST", "/admin/signing-keys/rotate");
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const fresh = await token(gws, 1, agent, "openai", ["openai:models"]);
    const header = JSON.parse(Buffer.from(fresh.token.split(".")[0]!, "base64url").toString());
    assert.equal(header.kid, rotated.body.kid);
    for (const t of [old.token, fresh.token]) {
      const res = await gws.call(0, agent.key, { path: models, headers: { authorization: `Bearer ${t}` } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    const jwks = await (await fetch(`${gws.instances[0]!.url}/.well-known/jwks.json`)).json();
    assert.ok(jwks.keys.some((k: { kid: string }) => k.kid === rotated.body.kid));
  });

  it("a credential rotated through one is used by both", async () => {
    const agent = await registerAgent(gws.instances[0]!);
    const { token: t } = await token(gws, 0, agent, "openai", ["openai:embeddings"]);
    const auth = { authorization: `Bearer ${t}` };
    const lastKey = () => fakes.openai.received.at(-1)?.headers.authorization?.replace(/^Bearer /, "");
    const fresh = fakes.openai.issueApiKey();
    const rotated = await gws.instances[0]!.admin("PUT", "/admin/credentials/openai", {
      secret: { apiKey: fresh },
    });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    for (const i of [1, 0]) {
      const seen = fakes.openai.received.length;
      const res = await gws.call(i, agent.key, {
        path: "/v1/tools/openai/v1/embeddings",
        json: { model: "text-embedding-3-small", input: `rotation ${i}` },
        headers: auth,
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(fakes.openai.received.length, seen + 1, "the call reached the upstream");
      assert.equal(lastKey(), fresh, `instance ${i} used the rotated key`);
    }
  });

  it("a console session issued by one works on the other; signed out through one, refused by both at once", async () => {
    const [one, two] = gws.instances as [GatewayProcess, GatewayProcess];
    const session = await signInToConsole(one.url, gws.env.AGENTGW_ADMIN_TOKEN!);
    assert.equal(await withConsoleCookie(two.url, session, "/admin/agents"), 200);
    assert.equal(await withConsoleCookie(two.url, session, "/console/session"), 200);
    const kept = await signInToConsole(two.url, gws.env.AGENTGW_ADMIN_TOKEN!);
    assert.equal(await signOutOfConsole(two.url, session), 204);
    // The very next request to the other instance, with no wait at all, is refused.
    assert.equal(await withConsoleCookie(one.url, session, "/admin/agents"), 401);
    assert.equal(await withConsoleCookie(one.url, session, "/console/session"), 401);
    assert.equal(await withConsoleCookie(two.url, session, "/admin/agents"), 401);
    assert.equal(await withConsoleCookie(one.url, kept, "/admin/agents"), 200, "other sessions stay");
  });

  it("an MCP session opened through one is served by the other; another agent cannot use it on either", async () => {
    const agent = await registerAgent(gws.instances[0]!, { scopes: ["mcp.repo:use"] });
    // The official client, each MCP request aimed: initialize at instance 0, everything after it at 1.
    const served: string[] = [];
    const aimed: FetchLike = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!new URL(url).pathname.startsWith("/v1/mcp/")) return fetch(input, init);
      const body = init?.body instanceof Uint8Array ? Buffer.from(init.body).toString() : "";
      const method = init?.method === "POST" ? (JSON.parse(body).method ?? "reply") : init?.method;
      const backend = method === "initialize" ? 0 : 1;
      served.push(`${method}@${backend}`);
      const headers = new Headers(init?.headers);
      headers.set(BACKEND_HEADER, String(backend));
      return fetch(url, { ...init, headers });
    };
    const transport = createMcpTransport(
      new AgentGateway({ baseUrl: gws.url, key: agent.key, fetch: aimed }),
      "repo",
    );
    const client = new Client({ name: "e2e-shared", version: "1.0.0" });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      assert.ok(
        tools.some((t) => t.name === "read_file"),
        tools.map((t) => t.name).join(","),
      );
      const result = await client.callTool({ name: "read_file", arguments: { path: "README.md" } });
      assert.deepEqual(result.content, [{ type: "text", text: "# demo repository\n" }]);
      assert.ok(served.includes("initialize@0"), served.join(","));
      assert.ok(served.includes("tools/list@1") && served.includes("tools/call@1"), served.join(","));

      // The session id, presented by another agent (with its own valid token), is unknown on both.
      const sessionId = transport.sessionId!;
      assert.ok(sessionId);
      const other = await registerAgent(gws.instances[0]!, { scopes: ["mcp.repo:use"] });
      const otherToken = await token(gws, 1, other, "mcp.repo", ["mcp.repo:use"]);
      const list = (key: RegisteredAgent["key"], bearer: string, i: number) =>
        gws.call(i, key, {
          method: "POST",
          path: "/v1/mcp/repo",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            authorization: `Bearer ${bearer}`,
            "mcp-session-id": sessionId,
            "mcp-protocol-version": "2025-06-18",
          },
          body: JSON.stringify({ jsonrpc: "2.0", id: 99, method: "tools/list", params: {} }),
        });
      for (const i of [0, 1])
        assertProblemShape(await list(other.key, otherToken.token, i), 404, "not_found");
      const ownToken = await token(gws, 0, agent, "mcp.repo", ["mcp.repo:use"]);
      assert.equal(
        (await list(agent.key, ownToken.token, 0)).status,
        200,
        "the owner still has it, on either",
      );

      // Ended through instance 1, it is gone on instance 0 too.
      await transport.terminateSession();
      assert.ok(served.includes("DELETE@1"), served.join(","));
      assertProblemShape(await list(agent.key, ownToken.token, 0), 404, "not_found");
      for (const gw of gws.instances) assert.ok(!gw.output().includes(sessionId), "the id is never logged");
    } finally {
      await client.close();
    }
  });

  it("/readyz names the shared servers it checked", async () => {
    const res = await fetch(`${gws.instances[1]!.url}/readyz`);
    const body = await res.json();
    assert.equal(res.status, 200);
    assert.equal(body.checks.redis, true);
    assert.equal(body.checks.store, true);
  });
});

describe("AGENTGW_WORKERS=2", () => {
  it("is refused without Redis, with a message that says why", async () => {
    await assert.rejects(
      startGateway({ env: { AGENTGW_WORKERS: "2" }, waitFor: "alive" }),
      /AGENTGW_WORKERS=2 needs AGENTGW_REDIS_URL[\s\S]*replay/,
    );
  });

  let gws: SharedGateways;
  before(async () => {
    gws = await startSharedGateways({
      instances: 1,
      workers: 2,
      env: { ...fakes.env, AGENTGW_POLICY: policyDir },
      args: ["--config", configFile()],
    });
  });
  after(() => gws?.stop());

  it("workers share registration, replay, rate limits and budgets", async () => {
    const agent = await registerAgent(gws.instances[0]!);
    const { token: t } = await token(gws, 0, agent, "openai", ["openai:models"]);
    const calls = await Promise.all(
      Array.from({ length: 16 }, () =>
        gws.call(0, agent.key, { path: models, headers: { authorization: `Bearer ${t}` } }),
      ),
    );
    assert.deepEqual(new Set(calls.map((r) => r.status)), new Set([200]));
    const workers = new Set(
      gws.instances[0]!.logs()
        .filter((l) => l.msg === "request" && l.agentId === agent.id)
        .map((l) => l.worker),
    );
    assert.ok(workers.size >= 2, `both workers served (workers ${[...workers].join(",")})`);

    const replayed = await signOnce(gws, agent, "/v1/whoami");
    const results = await Promise.all(Array.from({ length: 12 }, () => replayed(0)));
    assert.equal(results.filter((r) => r.status === 200).length, 1);

    const limited = await registerAgent(gws.instances[0]!, { tier: "limited" });
    const lt = await token(gws, 0, limited, "openai", ["openai:models"]);
    const burst = await Promise.all(
      Array.from({ length: 20 }, () =>
        gws.call(0, limited.key, { path: models, headers: { authorization: `Bearer ${lt.token}` } }),
      ),
    );
    const ok = burst.filter((r) => r.status === 200).length;
    assert.ok(ok <= 7 && ok >= 5, `rate limit across workers (got ${ok})`);

    const budgeted = await registerAgent(gws.instances[0]!, { tier: "budgeted" });
    const bt = await token(gws, 0, budgeted, "gmail", ["gmail:send"]);
    const sends = await Promise.all(
      Array.from({ length: 10 }, () =>
        gws.call(0, budgeted.key, { ...gmailSend(), headers: { authorization: `Bearer ${bt.token}` } }),
      ),
    );
    assert.equal(sends.filter((r) => r.status === 200).length, 4);
    assert.equal(budgetCounter(gws, budgeted), "4", "one counter in Redis, shared by the workers");
  });

  it("workers share the calls-in-flight bound and console sign-outs", async () => {
    const agent = await registerAgent(gws.instances[0]!, { tier: "narrow" });
    const { token: t } = await token(gws, 0, agent, "openai", ["openai:models"]);
    fakes.openai.behave({ delayMs: 1500 });
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          gws.call(0, agent.key, { path: models, headers: { authorization: `Bearer ${t}` } }),
        ),
      );
      const ok = results.filter((r) => r.status === 200).length;
      assert.ok(
        ok >= 1 && ok <= 3,
        `never more than 3 in flight (${results.map((r) => `${r.status} ${r.body.code ?? ""}`).join(",")})`,
      );
    } finally {
      fakes.openai.behave({ delayMs: 0 });
    }

    const gw = gws.instances[0]!;
    const session = await signInToConsole(gw.url, gws.env.AGENTGW_ADMIN_TOKEN!);
    const before = await Promise.all(
      Array.from({ length: 8 }, () => withConsoleCookie(gw.url, session, "/admin/agents")),
    );
    assert.deepEqual(new Set(before), new Set([200]), "whichever worker answers accepts the cookie");
    assert.equal(await signOutOfConsole(gw.url, session), 204);
    const after = await Promise.all(
      Array.from({ length: 8 }, () => withConsoleCookie(gw.url, session, "/admin/agents")),
    );
    assert.deepEqual(new Set(after), new Set([401]), "and every worker refuses it once signed out");
  });

  it("workers share MCP sessions: a client initialized on one worker is served by every worker", async () => {
    const agent = await registerAgent(gws.instances[0]!, { scopes: ["mcp.repo:use"] });
    const client = new Client({ name: "e2e-workers", version: "1.0.0" });
    await client.connect(createMcpTransport(new AgentGateway({ baseUrl: gws.url, key: agent.key }), "repo"));
    try {
      for (let i = 0; i < 4; i++) {
        const lists = await Promise.all(Array.from({ length: 4 }, () => client.listTools()));
        for (const { tools } of lists) assert.ok(tools.some((t) => t.name === "read_file"));
      }
      const result = await client.callTool({ name: "read_file", arguments: { path: "README.md" } });
      assert.deepEqual(result.content, [{ type: "text", text: "# demo repository\n" }]);
    } finally {
      await client.close();
    }
    const workers = new Set(
      gws.instances[0]!.logs()
        .filter((l) => l.msg === "request" && l.agentId === agent.id && l.path === "/v1/mcp/repo")
        .map((l) => l.worker),
    );
    assert.ok(workers.size >= 2, `both workers served the one session (workers ${[...workers].join(",")})`);
  });

  it("workers share revocations, policy reloads, credential rotations and signing-key rotations", async () => {
    const agent = await registerAgent(gws.instances[0]!);
    const issued = await token(gws, 0, agent, "openai", ["openai:models", "openai:embeddings"]);
    const auth = { authorization: `Bearer ${issued.token}` };
    const many = (n: number, call: () => Promise<{ status: number; body: any }>) =>
      Promise.all(Array.from({ length: n }, call));

    // A credential rotated through whichever worker answers the admin call is used by every worker.
    const fresh = fakes.openai.issueApiKey();
    const put = await gws.instances[0]!.admin("PUT", "/admin/credentials/openai", {
      secret: { apiKey: fresh },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const seen = fakes.openai.received.length;
    const embedded = await many(6, () =>
      gws.call(0, agent.key, {
        path: "/v1/tools/openai/v1/embeddings",
        json: { model: "text-embedding-3-small", input: "workers" },
        headers: auth,
      }),
    );
    assert.deepEqual(new Set(embedded.map((r) => r.status)), new Set([200]));
    const keys = fakes.openai.received.slice(seen).map((r) => r.headers.authorization);
    assert.deepEqual(new Set(keys), new Set([`Bearer ${fresh}`]));

    // A signing-key rotation: tokens minted by any worker afterwards verify on every worker.
    const rotated = await gws.instances[0]!.admin("POST", "/admin/signing-keys/rotate");
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const kidOf = (t: { token: string }) =>
      JSON.parse(Buffer.from(t.token.split(".")[0]!, "base64url").toString()).kid;
    // The other worker hears of the rotation over Redis pub/sub, asynchronously: on a loaded machine
    // that can take a moment, so mint until every worker signs with the new key (at most 2 s).
    let minted: { token: string }[] = [];
    for (const deadline = Date.now() + 2_000; ; ) {
      minted = await Promise.all([0, 1, 2, 3].map(() => token(gws, 0, agent, "openai", ["openai:models"])));
      if (minted.every((t) => kidOf(t) === rotated.body.kid) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const t of minted) {
      assert.equal(kidOf(t), rotated.body.kid, "every worker signs with the new key");
      const answers = await many(4, () =>
        gws.call(0, agent.key, { path: models, headers: { authorization: `Bearer ${t.token}` } }),
      );
      assert.deepEqual(new Set(answers.map((r) => r.status)), new Set([200]));
    }

    // A policy reload through one worker takes effect on all.
    writeFileSync(
      join(policyDir, "policy.rego"),
      `package agentgw

decision := {"allow": false, "reasons": ["closed"], "obligations": {}} if input.phase == "call"

decision := {"allow": true, "reasons": [], "obligations": {}} if input.phase != "call"
`,
    );
    try {
      assert.equal((await gws.instances[0]!.admin("POST", "/admin/policy/reload")).status, 200);
      // The other worker compiles the policy when it hears the announcement: wait until every answer is a denial.
      let codes = new Set<string>();
      for (let i = 0; i < 100; i++) {
        const answers = await many(8, () => gws.call(0, agent.key, { path: models, headers: auth }));
        codes = new Set(answers.map((r) => r.body.code));
        if (codes.size === 1 && codes.has("policy_denied")) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(codes, new Set(["policy_denied"]));
    } finally {
      writeFileSync(join(policyDir, "policy.rego"), allowAllPolicy());
      await gws.instances[0]!.admin("POST", "/admin/policy/reload");
    }
    for (let i = 0; i < 100; i++) {
      const answers = await many(8, () => gws.call(0, agent.key, { path: models, headers: auth }));
      if (answers.every((r) => r.status === 200)) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    // A token revoked through one worker is refused by every worker.
    assert.equal(
      (await gws.instances[0]!.admin("POST", "/admin/tokens/revoke", { jti: issued.jti })).status,
      200,
    );
    const refused = await many(8, () => gws.call(0, agent.key, { path: models, headers: auth }));
    assert.deepEqual(new Set(refused.map((r) => r.body.code)), new Set(["token_revoked"]));
  });

  it("a scrape of /metrics counts what every worker served, whichever worker answers it", async () => {
    const gw = gws.instances[0]!;
    const agent = await registerAgent(gw);
    const served = async () => {
      const res = await fetch(`${gw.url}/metrics`, {
        headers: { authorization: `Bearer ${gws.env.AGENTGW_ADMIN_TOKEN}` },
      });
      assert.equal(res.status, 200);
      const samples = find(parseExposition(await res.text()), "agentgw_requests_total", {
        route_class: "agent",
        code: "ok",
      });
      return samples.reduce((sum, s) => sum + s.value, 0);
    };
    const before = await served();
    const calls = await Promise.all(
      Array.from({ length: 20 }, () => gws.call(0, agent.key, { path: "/v1/whoami" })),
    );
    assert.deepEqual(new Set(calls.map((r) => r.status)), new Set([200]));
    const workers = new Set(
      gw
        .logs()
        .filter((l) => l.msg === "request" && l.agentId === agent.id)
        .map((l) => l.worker),
    );
    assert.ok(workers.size >= 2, `both workers served (workers ${[...workers].join(",")})`);
    // Each scrape may land on either worker; every one of them sees all 20.
    for (let i = 0; i < 6; i++) assert.equal((await served()) - before, 20);
  });
});
