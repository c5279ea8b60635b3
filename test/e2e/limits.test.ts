// Rate limits and budgets end to end (issue 7): token buckets per agent and per
// agent+tool with the IETF RateLimit headers, tier and policy overrides, quotas that
// denied calls do not use, and budgets that parallel calls cannot overshoot.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseList } from "structured-headers";
import { type AllFakes, buildMessage, startAllFakes } from "../fakes/index.js";
import { assertProblemShape, type RegisteredAgent, registerAgent, signedCall } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { policyFolder, writeConfig } from "../support/policies.js";
import { getToken, toolCaller } from "../support/tokens.js";

const BIG = { points: 1000, windowSeconds: 60, burst: 1000 };
const POLICY = `package agentgw

deny contains "the model named forbidden is not allowed" if input.request.body.model == "forbidden"

obligations := {"rate_limit": {"points": 1, "duration_seconds": 2}} if input.tool == "http"

obligations := {} if input.tool != "http"

decision := {"allow": count(deny) == 0, "reasons": [r | some r in deny], "obligations": obligations}
`;

let fakes: AllFakes;
let gw: GatewayProcess;

before(async () => {
  fakes = await startAllFakes();
  const config = writeConfig({
    rateLimits: {
      tiers: {
        default: { perAgent: BIG, perTool: { points: 3, windowSeconds: 2, burst: 3 } },
        trusted: { perAgent: BIG, perTool: { points: 10, windowSeconds: 2, burst: 10 } },
        tight: { perAgent: { points: 2, windowSeconds: 2, burst: 2 } },
        budgeted: {
          perAgent: BIG,
          budgets: [
            { tool: "gmail", unit: "calls", action: "messages.send", period: "day", limit: 3 },
            { tool: "openai", unit: "tokens", period: "day", limit: 1000 },
          ],
        },
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

const models = "/v1/tools/openai/v1/models";
const chatBody = (model = "gpt-4o-mini", extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: "user", content: "hi" }],
  ...extra,
});

describe("rate limits", () => {
  it("a burst, then 429 rate_limited with Retry-After and RateLimit headers; other tools unaffected; recovery after the window", async () => {
    const agent = await registerAgent(gw);
    const openai = await caller(agent, "openai", ["openai:models"]);
    const serp = await caller(agent, "serpapi", ["serpapi:search"]);
    for (let i = 0; i < 3; i++) {
      const ok = await openai(models);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const policies = parseList(ok.headers.get("ratelimit-policy")!);
      const agentTool = policies.find(([name]) => name === "agent-tool");
      assert.ok(agentTool, "RateLimit-Policy names the agent-tool policy");
      assert.equal(agentTool[1].get("q"), 3);
      assert.equal(agentTool[1].get("w"), 2);
      const remaining = parseList(ok.headers.get("ratelimit")!).find(([name]) => name === "agent-tool")!;
      assert.equal(remaining[1].get("r"), 2 - i);
    }
    const limited = await openai(models);
    assertProblemShape(limited, 429, "rate_limited");
    const retryAfter = Number(limited.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After ${retryAfter}`);
    const state = parseList(limited.headers.get("ratelimit")!);
    assert.equal(state[0]![0], "agent-tool");
    assert.equal(state[0]![1].get("r"), 0);
    assert.ok((state[0]![1].get("t") as number) <= retryAfter, "Retry-After is not earlier than t");
    assert.ok(limited.headers.get("ratelimit-policy"));
    assert.doesNotMatch(limited.body.detail, new RegExp(agent.id), "no agent id in the problem");

    assert.equal((await serp("/v1/tools/serpapi/search.json?q=isolated")).status, 200, "per-tool isolation");
    await new Promise((r) => setTimeout(r, (retryAfter + 0.2) * 1000));
    assert.equal((await openai(models)).status, 200, "recovered after the window");
  });

  it("a tier with higher limits is not limited at the same count", async () => {
    const agent = await registerAgent(gw, { tier: "trusted" });
    const openai = await caller(agent, "openai", ["openai:models"]);
    for (let i = 0; i < 6; i++) assert.equal((await openai(models)).status, 200);
  });

  it("a policy's rate_limit obligation overrides the tier's agent+tool rule", async () => {
    const agent = await registerAgent(gw);
    const http = await caller(agent, "http", ["http:fetch"]);
    assert.equal((await http("/v1/tools/http/fetch", { url: `${fakes.website.url}/page` })).status, 200);
    assertProblemShape(
      await http("/v1/tools/http/fetch", { url: `${fakes.website.url}/page` }),
      429,
      "rate_limited",
    );
  });

  it("denied calls use no agent+tool quota", async () => {
    const agent = await registerAgent(gw);
    const openai = await caller(agent, "openai", ["openai:chat"]);
    for (let i = 0; i < 5; i++)
      assertProblemShape(
        await openai("/v1/tools/openai/v1/chat/completions", chatBody("forbidden")),
        403,
        "policy_denied",
      );
    for (let i = 0; i < 3; i++)
      assert.equal((await openai("/v1/tools/openai/v1/chat/completions", chatBody())).status, 200);
  });

  it("the per-agent limit covers every signed request", async () => {
    const agent = await registerAgent(gw, { tier: "tight" });
    assert.equal((await signedCall(gw.url, agent.key, { path: "/v1/whoami" })).status, 200);
    assert.equal((await signedCall(gw.url, agent.key, { path: "/v1/whoami" })).status, 200);
    const limited = await signedCall(gw.url, agent.key, { path: "/v1/whoami" });
    assertProblemShape(limited, 429, "rate_limited");
    assert.equal(parseList(limited.headers.get("ratelimit")!)[0]![0], "agent");
  });

  it("failed signatures from one address are throttled", async () => {
    let last = 0;
    for (let i = 0; i < 40 && last !== 429; i++) {
      last = (
        await fetch(`${gw.url}/v1/whoami`, {
          headers: { signature: "sig1=:AAAA:", "signature-input": "sig1=()" },
        })
      ).status;
    }
    assert.equal(last, 429, "the ip policy (burst 30) refuses after repeated failures");
  });
});

describe("budgets", () => {
  it("N parallel Gmail sends against a budget of M < N: exactly M go through", async () => {
    const agent = await registerAgent(gw, { tier: "budgeted" });
    const { token } = await getToken(gw, agent.key, {
      tool: "gmail",
      scopes: ["gmail:send"],
      intent: "parallel budget test",
    });
    const sentBefore = fakes.gmail.sent.length;
    const raw = Buffer.from(
      buildMessage({ from: "a@example.com", to: "b@example.com", subject: "budget", text: "x" }),
    ).toString("base64url");
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        signedCall(gw.url, agent.key, {
          path: "/v1/tools/gmail/gmail/v1/users/me/messages/send",
          json: { raw },
          headers: { authorization: `Bearer ${token}` },
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    const over = results.filter((r) => r.status === 429);
    assert.equal(ok.length, 3, results.map((r) => r.status).join(","));
    assert.equal(over.length, 9);
    for (const r of over) {
      assertProblemShape(r, 429, "budget_exceeded");
      assert.ok(Number(r.headers.get("retry-after")) > 0, "Retry-After points at the next period");
    }
    assert.equal(fakes.gmail.sent.length - sentBefore, 3);
  });

  it("OpenAI token budgets reserve the call's bound (body bytes + max_tokens), settle with the reported usage, and are visible to policies", async () => {
    const agent = await registerAgent(gw, { tier: "budgeted" });
    const openai = await caller(agent, "openai", ["openai:chat"]);
    const chat = (max: number) =>
      openai("/v1/tools/openai/v1/chat/completions", chatBody("gpt-4o-mini", { max_tokens: max }));
    // Hold the first call at the upstream so its reservation (about 80 body bytes + 460) is still open when the
    // second arrives.
    fakes.openai.reset();
    fakes.openai.behave({ delayMs: 800 });
    const first = chat(460);
    await fakes.openai.waitForRequest((r) => r.path === "/v1/chat/completions");
    const second = await chat(460);
    assertProblemShape(second, 429, "budget_exceeded");
    const a = await first;
    fakes.openai.reset();
    assert.equal(
      a.status,
      200,
      "two reservations of about 540 would pass the limit of 1000: only the first goes through",
    );
    const used = a.body.usage.total_tokens as number;
    assert.ok(used < 40);
    const third = await chat(460);
    assert.equal(third.status, 200, "settled with the real usage, which left room for another reservation");
    const decisions = await gw.admin("GET", `/admin/decisions?agentId=${agent.id}&limit=1`);
    const budgets = decisions.body.items[0].input.budgets as Array<{
      tool: string;
      unit: string;
      used: number;
      limit: number;
    }>;
    const tokens = budgets.find((x) => x.tool === "openai" && x.unit === "tokens");
    assert.equal(tokens?.limit, 1000);
    assert.equal(
      tokens?.used,
      used,
      "the third call's policy input showed what the one earlier successful call used",
    );
  });
});
