// Token budgets cannot be bypassed (issue 11, point 1): a call reserves an upper bound it cannot lower
// (the body's UTF-8 bytes bound its input tokens, plus its output cap), the gateway sets the output cap
// upstream when the agent names none, and a streamed chat completion is asked for its usage upstream (the
// extra usage chunk is kept from an agent that did not ask for it), so concurrent calls never overshoot.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type AllFakes, startAllFakes } from "../fakes/index.js";
import { assertProblemShape, type RegisteredAgent, registerAgent, signedCall } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { allowAllPolicy, policyFolder, writeConfig } from "../support/policies.js";
import { getToken } from "../support/tokens.js";

const LIMIT = 3000;
const DEFAULT_CAP = 64;
const CHAT = "/v1/tools/openai/v1/chat/completions";

let fakes: AllFakes;
let gw: GatewayProcess;

before(async () => {
  fakes = await startAllFakes();
  const config = writeConfig({
    tools: { openai: { defaultMaxOutputTokens: DEFAULT_CAP } },
    rateLimits: {
      tiers: {
        default: { perAgent: { points: 1000, windowSeconds: 60, burst: 1000 } },
        metered: {
          perAgent: { points: 1000, windowSeconds: 60, burst: 1000 },
          budgets: [{ tool: "openai", unit: "tokens", period: "day", limit: LIMIT }],
        },
      },
    },
  });
  gw = await startGateway({
    env: { ...fakes.env, AGENTGW_POLICY: policyFolder(allowAllPolicy()) },
    args: ["--config", config],
  });
});
after(async () => {
  await gw.stop();
  gw.cleanup();
  await fakes.close();
});

async function meteredAgent() {
  const agent = await registerAgent(gw, { tier: "metered" });
  const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:chat"] });
  const call = (json: unknown) =>
    signedCall(gw.url, agent.key, { path: CHAT, json, headers: { authorization: `Bearer ${token}` } });
  return { agent, call };
}

/** About 500 prompt tokens as the fake counts them (four characters a token), about 2 KB of body. */
const bigPrompt = (extra: Record<string, unknown> = {}) => ({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "word ".repeat(400) }],
  ...extra,
});

/** The agent's tokens budget as its policy input showed it at its latest decision. */
async function budgetUsed(agent: RegisteredAgent): Promise<number> {
  const decisions = await gw.admin("GET", `/admin/decisions?agentId=${agent.id}&limit=1`);
  const budgets = decisions.body.items[0].input.budgets as Array<{ unit: string; used: number }>;
  return budgets.find((b) => b.unit === "tokens")!.used;
}

describe("token budgets", () => {
  it("parallel calls with a huge prompt and max_tokens: 1 cannot spend past the limit", async () => {
    const { call } = await meteredAgent();
    fakes.openai.reset();
    fakes.openai.behave({ delayMs: 800 });
    try {
      const results = await Promise.all(Array.from({ length: 8 }, () => call(bigPrompt({ max_tokens: 1 }))));
      const ok = results.filter((r) => r.status === 200);
      const spent = ok.reduce((sum, r) => sum + (r.body.usage.total_tokens as number), 0);
      assert.ok(spent <= LIMIT, `${ok.length} calls spent ${spent} tokens of a budget of ${LIMIT}`);
      const refused = results.filter((r) => r.status !== 200);
      assert.ok(refused.length > 0);
      for (const r of refused) {
        assertProblemShape(r, 429, "budget_exceeded");
        assert.match(
          r.body.detail,
          /this call reserves \d{4}/,
          "the reservation is the bound, not max_tokens",
        );
      }
    } finally {
      fakes.openai.reset();
    }
  });

  it("a streamed call is charged its real usage: usage is requested upstream and kept from the agent", async () => {
    const { agent, call } = await meteredAgent();
    fakes.openai.reset();
    const streamed = await call(bigPrompt({ max_tokens: 5, stream: true }));
    assert.equal(streamed.status, 200);
    const upstream = fakes.openai.received.find((r) => r.path === "/v1/chat/completions")!;
    assert.deepEqual((upstream.json as Record<string, unknown>).stream_options, { include_usage: true });
    const events = String(streamed.body)
      .split("\n\n")
      .filter((e) => e.startsWith("data: {"))
      .map((e) => JSON.parse(e.slice(6)) as { choices: unknown[]; usage?: unknown });
    assert.ok(events.length > 2);
    assert.equal(
      events.filter((e) => e.choices.length === 0).length,
      0,
      "the agent did not ask for the usage chunk, so it does not get one",
    );
    // The next call's policy input shows what the stream really used (the fake echoes the prompt: about
    // 1000 tokens), not its max_tokens (5).
    const next = await call({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 5,
    });
    assert.equal(next.status, 200, JSON.stringify(next.body));
    const used = await budgetUsed(agent);
    assert.ok(used > 400, `the streamed call was charged ${used} tokens`);
  });

  it("an agent that asked for stream usage still gets its usage chunk", async () => {
    const { call } = await meteredAgent();
    const streamed = await call(
      bigPrompt({ max_tokens: 5, stream: true, stream_options: { include_usage: true } }),
    );
    assert.match(String(streamed.body), /"choices":\[\],[^\n]*"usage":\{/);
  });

  it("a call that names no output cap gets the configured one upstream", async () => {
    const { call } = await meteredAgent();
    fakes.openai.reset();
    const res = await call({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const upstream = fakes.openai.received.find((r) => r.path === "/v1/chat/completions")!;
    assert.equal((upstream.json as Record<string, unknown>).max_completion_tokens, DEFAULT_CAP);
  });

  it("inputs the gateway cannot measure are refused under a tokens budget", async () => {
    const { agent } = await meteredAgent();
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:chat"] });
    const res = await signedCall(gw.url, agent.key, {
      path: "/v1/tools/openai/v1/responses",
      json: { model: "gpt-4o-mini", input: "continue", previous_response_id: "resp_123" },
      headers: { authorization: `Bearer ${token}` },
    });
    assertProblemShape(res, 400, "invalid_request");
    assert.match(res.body.detail, /previous_response_id/);
  });

  it("without a tokens budget the call is forwarded as the agent sent it", async () => {
    const agent = await registerAgent(gw);
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:chat"] });
    fakes.openai.reset();
    const body = JSON.stringify({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    const res = await signedCall(gw.url, agent.key, {
      path: CHAT,
      body,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
    assert.equal(res.status, 200);
    assert.equal(fakes.openai.received.find((r) => r.path === "/v1/chat/completions")!.body, body);
  });
});
