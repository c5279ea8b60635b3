// One agent cannot hurt all agents (issue 11, point 6): its rate limit is taken before the policy, so a
// flood of denied requests is throttled and stops costing evaluations and records; the replay cache holds a
// bounded number of nonces per agent; a breaker opens only on real upstream faults (not on a failure the
// agent's own request caused), and the http tool has one per origin; calls in flight per agent and tool are
// bounded; and decisions are pruned by a retention setting.
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateKeyPair, signRequest, toBase64Url } from "@agentgw/sdk";
import BetterSqlite3 from "better-sqlite3";
import { type AllFakes, startAllFakes } from "../fakes/index.js";
import { assertProblemShape, type RegisteredAgent, registerAgent, signedCall } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { policyFolder, writeConfig } from "../support/policies.js";
import { getToken, toolCaller } from "../support/tokens.js";

const BIG = { points: 1000, windowSeconds: 60, burst: 1000 };
const POLICY = `package agentgw

deny contains "the model named forbidden is not allowed" if input.request.body.model == "forbidden"

decision := {"allow": count(deny) == 0, "reasons": [r | some r in deny]}
`;

let fakes: AllFakes;
let gw: GatewayProcess;

before(async () => {
  fakes = await startAllFakes();
  const config = writeConfig({
    rateLimits: {
      tiers: {
        default: { perAgent: BIG },
        tight: { perAgent: { points: 3, windowSeconds: 60, burst: 3 } },
        narrow: { perAgent: BIG, concurrency: 2 },
      },
    },
  });
  gw = await startGateway({
    env: { ...fakes.env, AGENTGW_POLICY: policyFolder(POLICY) },
    args: ["--config", config],
  });
});
after(async () => {
  await gw.stop();
  gw.cleanup();
  await fakes.close();
});

const caller = (agent: RegisteredAgent, tool: string, scopes: string[]) =>
  toolCaller(gw, agent, tool, scopes);

const chat = (model: string) => ({ model, messages: [{ role: "user", content: "hi" }] });

describe("rate limits before the policy", () => {
  it("a flood of denied calls is rate limited after the agent's quota, and stops being evaluated and recorded", async () => {
    const agent = await registerAgent(gw, { tier: "tight" });
    const openai = await caller(agent, "openai", ["openai:chat"]); // 1 of 3
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await openai("/v1/tools/openai/v1/chat/completions", chat("forbidden"));
      statuses.push(res.status);
      if (res.status === 429) assertProblemShape(res, 429, "rate_limited");
    }
    assert.deepEqual(statuses, [403, 403, 429, 429, 429, 429]);
    const decisions = await gw.admin("GET", `/admin/decisions?agentId=${agent.id}&limit=50`);
    assert.equal(decisions.body.items.length, 3, "the token decision and two call decisions, no more");
  });
});

describe("circuit breakers see only real upstream faults", () => {
  /** A signed tool call sent with node:http, which lets a request carry `Expect: 100-continue`. */
  async function callWithExpect(agent: RegisteredAgent, token: string) {
    const url = `${gw.url}/v1/tools/openai/v1/chat/completions`;
    const body = JSON.stringify(chat("gpt-4o-mini"));
    const headers: Record<string, string> = {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
    };
    const signature = await signRequest({ method: "POST", url, headers, body }, agent.key);
    return new Promise<number>((resolve, reject) => {
      const req = httpRequest(url, {
        method: "POST",
        headers: {
          ...headers,
          ...signature,
          expect: "100-continue",
          "content-length": Buffer.byteLength(body),
        },
      });
      req.on("continue", () => req.end(body));
      req.on("response", (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", reject);
    });
  }

  it("calls carrying Expect: 100-continue do not open the OpenAI breaker for everyone", async () => {
    const agent = await registerAgent(gw);
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:chat"] });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push(await callWithExpect(agent, token));
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200], "Expect is not passed upstream");
    const other = await caller(await registerAgent(gw), "openai", ["openai:chat"]);
    const res = await other("/v1/tools/openai/v1/chat/completions", chat("gpt-4o-mini"));
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  it("http fetches with an Expect header do not open the http tool's breaker", async () => {
    const http = await caller(await registerAgent(gw), "http", ["http:fetch"]);
    for (let i = 0; i < 7; i++) {
      const res = await http("/v1/tools/http/fetch", {
        url: `${fakes.website.url}/echo`,
        method: "POST",
        headers: { expect: "100-continue" },
        body: "x",
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    const other = await caller(await registerAgent(gw), "http", ["http:fetch"]);
    assert.equal((await other("/v1/tools/http/fetch", { url: `${fakes.website.url}/page` })).status, 200);
  });
});

describe("calls in flight", () => {
  it("an agent's concurrent calls to one tool are bounded by its tier; other agents are unaffected", async () => {
    const agent = await registerAgent(gw, { tier: "narrow" });
    const openai = await caller(agent, "openai", ["openai:models"]);
    const otherAgent = await registerAgent(gw, { tier: "narrow" });
    const other = await caller(otherAgent, "openai", ["openai:models"]);
    fakes.openai.reset();
    fakes.openai.behave({ delayMs: 1500 });
    try {
      const held = [openai("/v1/tools/openai/v1/models"), openai("/v1/tools/openai/v1/models")];
      // Both are at the upstream: the agent has two calls in flight.
      await fakes.openai.waitForRequest(() => fakes.openai.received.length >= 2);
      const third = await openai("/v1/tools/openai/v1/models");
      assertProblemShape(third, 429, "rate_limited");
      assert.equal(third.headers.get("retry-after"), "1");
      assert.match(third.body.detail, /at most 2 calls to openai/);
      const others = await other("/v1/tools/openai/v1/models");
      assert.equal(others.status, 200, "another agent is not refused");
      for (const res of await Promise.all(held)) assert.equal(res.status, 200);
      assert.equal((await openai("/v1/tools/openai/v1/models")).status, 200, "room again once they finished");
    } finally {
      fakes.openai.reset();
    }
  });
});

describe("replay cache quota per agent", () => {
  let small: GatewayProcess;
  before(async () => {
    small = await startGateway({
      env: { AGENTGW_POLICY: policyFolder(POLICY) },
      args: ["--config", writeConfig({ signature: { nonceCacheSize: 40, nonceQuotaPerAgent: 10 } })],
    });
  });
  after(async () => {
    await small.stop();
    small.cleanup();
  });

  it("one agent with several keys cannot fill the replay cache for the others", async () => {
    const flooder = await registerAgent(small);
    const second = await generateKeyPair();
    const added = await small.admin("POST", `/admin/agents/${flooder.id}/keys`, {
      publicKey: toBase64Url(second.publicKey),
    });
    assert.equal(added.status, 201);
    const victim = await registerAgent(small);
    const statuses: number[] = [];
    // More live nonces than the whole cache holds, spread over the flooder's two keys.
    for (let i = 0; i < 45; i++) {
      const key = i % 2 === 0 ? flooder.key : second;
      statuses.push((await signedCall(small.url, key, { path: "/v1/whoami" })).status);
    }
    assert.equal(statuses.filter((s) => s === 200).length, 10, statuses.join(","));
    assert.equal(statuses.filter((s) => s === 429).length, 35);
    const res = await signedCall(small.url, victim.key, { path: "/v1/whoami" });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });
});

describe("decision retention", () => {
  it("decisions older than decisionLog.retentionDays are pruned", async () => {
    const config = writeConfig({ decisionLog: { retentionDays: 7 } });
    let own = await startGateway({
      env: { AGENTGW_POLICY: policyFolder(POLICY) },
      args: ["--config", config],
    });
    try {
      const agent = await registerAgent(own);
      for (const tool of ["openai", "serpapi", "gmail"]) {
        const scope = { openai: "openai:chat", serpapi: "serpapi:search", gmail: "gmail:read" }[tool]!;
        await getToken(own, agent.key, { tool, scopes: [scope] });
      }
      assert.equal((await own.admin("GET", "/admin/decisions?limit=10")).body.items.length, 3);
      await own.stop();
      // Age two of them past the retention, as if the gateway had run for weeks.
      const db = new BetterSqlite3(join(own.dataDir, "agentgw.db"));
      const old = new Date(Date.now() - 8 * 86_400_000).toISOString();
      db.prepare("UPDATE decisions SET time = ? WHERE tool IN ('openai', 'serpapi')").run(old);
      db.close();
      own = await own.restart();
      const left = (await own.admin("GET", "/admin/decisions?limit=10")).body.items as Array<{
        tool: string;
      }>;
      assert.deepEqual(
        left.map((d) => d.tool),
        ["gmail"],
      );
    } finally {
      await own.stop();
      own.cleanup();
    }
  });
});
