// Prometheus metrics end to end (issue 7): after a scripted set of calls the
// exposition holds exactly the expected series and counts, parsed, not grepped.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseExposition, sampleValue } from "../../gateway/src/metrics/testing/exposition.js";
import { type AllFakes, startAllFakes } from "../fakes/index.js";
import { registerAgent, signedCall } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { getToken } from "../support/tokens.js";

const METRICS_TOKEN = "metrics-bearer-token-for-tests";
let fakes: AllFakes;
let gw: GatewayProcess;

before(async () => {
  fakes = await startAllFakes();
  gw = await startGateway({ env: { ...fakes.env, AGENTGW_METRICS_TOKEN: METRICS_TOKEN } });
});
after(async () => {
  await gw.stop();
  gw.cleanup();
  await fakes.close();
});

async function scrape() {
  const res = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/plain/);
  return parseExposition(await res.text());
}

describe("/metrics", () => {
  it("is protected by the configured bearer token", async () => {
    const res = await fetch(`${gw.url}/metrics`);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).code, "unauthorized");
    const wrong = await fetch(`${gw.url}/metrics`, { headers: { authorization: "Bearer nope" } });
    assert.equal(wrong.status, 401);
  });

  it("counts a scripted set of calls exactly", async () => {
    const agent = await registerAgent(gw);
    await signedCall(gw.url, agent.key, { path: "/v1/whoami" });
    await signedCall(gw.url, agent.key, { path: "/v1/whoami" });
    await fetch(`${gw.url}/v1/whoami`); // no signature
    const { token } = await getToken(gw, agent.key, {
      tool: "openai",
      scopes: ["openai:models", "openai:chat"],
    });
    const call = (path: string, json?: unknown) =>
      signedCall(gw.url, agent.key, {
        path,
        ...(json ? { json } : {}),
        headers: { authorization: `Bearer ${token}` },
      });
    for (let i = 0; i < 3; i++) assert.equal((await call("/v1/tools/openai/v1/models")).status, 200);
    assert.equal(
      (await call("/v1/tools/openai/v1/chat/completions", { model: "gpt-4o", messages: [] })).status,
      403,
    );
    fakes.serpapi.behave({ fail: { status: 503, times: 1 } });
    const { token: serpToken } = await getToken(gw, agent.key, {
      tool: "serpapi",
      scopes: ["serpapi:search"],
    });
    const serp = await signedCall(gw.url, agent.key, {
      path: "/v1/tools/serpapi/search.json?q=metrics",
      headers: { authorization: `Bearer ${serpToken}` },
    });
    assert.equal(serp.status, 200);

    const m = await scrape();
    const requests = (labels: Record<string, string>) => sampleValue(m, "agentgw_requests_total", labels);
    assert.equal(
      requests({ route_class: "agent", tool: "none", action: "none", status: "200", code: "ok" }),
      2,
    );
    assert.equal(
      requests({
        route_class: "agent",
        tool: "none",
        action: "none",
        status: "401",
        code: "signature_missing",
      }),
      1,
    );
    assert.equal(
      requests({ route_class: "token", tool: "none", action: "none", status: "201", code: "ok" }),
      2,
    );
    assert.equal(
      requests({ route_class: "tool", tool: "openai", action: "models.list", status: "200", code: "ok" }),
      3,
    );
    assert.equal(
      requests({
        route_class: "tool",
        tool: "openai",
        action: "chat.completions.create",
        status: "403",
        code: "policy_denied",
      }),
      1,
    );
    assert.equal(
      requests({ route_class: "tool", tool: "serpapi", action: "search", status: "200", code: "ok" }),
      1,
    );

    assert.equal(sampleValue(m, "agentgw_policy_decisions_total", { phase: "token", allow: "true" }), 2);
    assert.equal(sampleValue(m, "agentgw_policy_decisions_total", { phase: "call", allow: "true" }), 4);
    assert.equal(sampleValue(m, "agentgw_policy_decisions_total", { phase: "call", allow: "false" }), 1);
    assert.equal(sampleValue(m, "agentgw_tokens_minted_total", { tool: "openai" }), 1);
    assert.equal(sampleValue(m, "agentgw_tokens_minted_total", { tool: "serpapi" }), 1);
    assert.equal(sampleValue(m, "agentgw_signature_failures_total", { code: "signature_missing" }), 1);
    assert.equal(sampleValue(m, "agentgw_upstream_retries_total", { tool: "serpapi" }), 1);
    assert.equal(sampleValue(m, "agentgw_upstream_errors_total", { tool: "serpapi", kind: "status_503" }), 1);
    assert.equal(sampleValue(m, "agentgw_circuit_breaker_state", { tool: "openai" }), 0);
    assert.equal(sampleValue(m, "agentgw_stage_duration_seconds_count", { stage: "upstream" }), 4);
    assert.equal(sampleValue(m, "agentgw_stage_duration_seconds_count", { stage: "policy" }), 7);
    assert.ok(sampleValue(m, "agentgw_stage_duration_seconds_count", { stage: "signature" }) >= 9);
    assert.ok(
      m.samples.some((s) => s.name === "agentgw_process_cpu_user_seconds_total"),
      "process metrics",
    );
    assert.ok(
      m.samples.every((s) => s.name.startsWith("agentgw_")),
      "every series is prefixed agentgw_",
    );
    assert.ok(
      m.samples.every((s) => !Object.values(s.labels).includes(agent.id)),
      "no agent ids as labels by default",
    );
  });
});
