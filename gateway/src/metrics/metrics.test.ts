import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createMetrics } from "./metrics.js";
import { find, parseExposition, sampleValue } from "./testing/exposition.js";

describe("createMetrics", () => {
  it("reads the shared servers' state at each scrape", async () => {
    const m = createMetrics({ agentLabels: false, processMetrics: false });
    assert.equal(
      find(parseExposition(await m.render()), "agentgw_dependency_up").length,
      0,
      "none configured: no series",
    );
    let redisUp = true;
    m.setDependencySource(
      () =>
        new Map([
          ["postgres", true],
          ["redis", redisUp],
        ]),
    );
    assert.equal(
      sampleValue(parseExposition(await m.render()), "agentgw_dependency_up", { dependency: "redis" }),
      1,
    );
    redisUp = false;
    const x = parseExposition(await m.render());
    assert.equal(sampleValue(x, "agentgw_dependency_up", { dependency: "redis" }), 0);
    assert.equal(sampleValue(x, "agentgw_dependency_up", { dependency: "postgres" }), 1);
  });

  it("exposes exact series and counts after a scripted set of calls", async () => {
    const m = createMetrics({ agentLabels: false });
    const call = {
      routeClass: "tool",
      tool: "openai",
      action: "chat.completions.create",
      agentId: "agt_secret_id",
    } as const;
    m.observeRequest({ ...call, status: 200, code: "ok", seconds: 0.2 });
    m.observeRequest({ ...call, status: 200, code: "ok", seconds: 0.3 });
    m.observeRequest({ ...call, status: 429, code: "rate_limited", seconds: 0.002 });
    m.observeRequest({ routeClass: "admin", status: 201, code: "ok", seconds: 0.01 });
    m.observeStage("signature", 0.001);
    m.observeStage("upstream", 0.15);
    m.observeStage("upstream", 0.25);
    m.policyDecision("call", true);
    m.policyDecision("call", true);
    m.policyDecision("token", false);
    m.rateLimitHit("agent-tool", "agt_secret_id");
    m.upstreamError("openai", "timeout");
    m.upstreamRetry("openai");
    m.upstreamRetry("openai");
    m.tokenMinted("gmail", "agt_secret_id");
    m.budgetUsed("openai", "tokens", 123);
    m.budgetUsed("openai", "tokens", 7);
    m.budgetUsed("gmail", "calls", 0); // nothing used: no series
    m.signatureFailure("signature_expired");
    m.setBreakerStateSource(
      () =>
        new Map([
          ["openai", "open"],
          ["gmail", "closed"],
          ["serpapi", "half-open"],
        ]),
    );

    const text = await m.render();
    const x = parseExposition(text);
    const ok = {
      route_class: "tool",
      tool: "openai",
      action: "chat.completions.create",
      status: "200",
      code: "ok",
    };
    assert.equal(sampleValue(x, "agentgw_requests_total", ok), 2);
    assert.equal(sampleValue(x, "agentgw_requests_total", { ...ok, status: "429", code: "rate_limited" }), 1);
    assert.equal(
      sampleValue(x, "agentgw_requests_total", {
        route_class: "admin",
        tool: "none",
        action: "none",
        status: "201",
        code: "ok",
      }),
      1,
    );
    assert.equal(find(x, "agentgw_requests_total").length, 3);

    assert.equal(sampleValue(x, "agentgw_request_duration_seconds_count", { route_class: "tool" }), 3);
    assert.ok(
      Math.abs(sampleValue(x, "agentgw_request_duration_seconds_sum", { route_class: "tool" }) - 0.502) <
        1e-9,
    );
    assert.equal(
      sampleValue(x, "agentgw_request_duration_seconds_bucket", { route_class: "tool", le: "0.25" }),
      2,
    );
    assert.equal(
      sampleValue(x, "agentgw_request_duration_seconds_bucket", { route_class: "tool", le: "+Inf" }),
      3,
    );
    assert.equal(sampleValue(x, "agentgw_stage_duration_seconds_count", { stage: "upstream" }), 2);
    assert.equal(
      sampleValue(x, "agentgw_stage_duration_seconds_bucket", { stage: "upstream", le: "0.1" }),
      0,
    );
    assert.equal(sampleValue(x, "agentgw_stage_duration_seconds_count", { stage: "signature" }), 1);

    assert.equal(sampleValue(x, "agentgw_policy_decisions_total", { phase: "call", allow: "true" }), 2);
    assert.equal(sampleValue(x, "agentgw_policy_decisions_total", { phase: "token", allow: "false" }), 1);
    assert.equal(sampleValue(x, "agentgw_rate_limit_hits_total", { policy: "agent-tool" }), 1);
    assert.equal(sampleValue(x, "agentgw_upstream_errors_total", { tool: "openai", kind: "timeout" }), 1);
    assert.equal(sampleValue(x, "agentgw_upstream_retries_total", { tool: "openai" }), 2);
    assert.equal(sampleValue(x, "agentgw_tokens_minted_total", { tool: "gmail" }), 1);
    assert.equal(sampleValue(x, "agentgw_budget_used", { tool: "openai", unit: "tokens" }), 130);
    assert.equal(find(x, "agentgw_budget_used", { tool: "gmail" }).length, 0);
    assert.equal(sampleValue(x, "agentgw_signature_failures_total", { code: "signature_expired" }), 1);
    assert.equal(sampleValue(x, "agentgw_circuit_breaker_state", { tool: "openai" }), 2);
    assert.equal(sampleValue(x, "agentgw_circuit_breaker_state", { tool: "serpapi" }), 1);
    assert.equal(sampleValue(x, "agentgw_circuit_breaker_state", { tool: "gmail" }), 0);

    assert.equal(x.types.get("agentgw_requests_total"), "counter");
    assert.equal(x.types.get("agentgw_stage_duration_seconds"), "histogram");
    assert.equal(x.types.get("agentgw_circuit_breaker_state"), "gauge");
    assert.ok(find(x, "agentgw_process_cpu_user_seconds_total").length === 1, "process metrics");
    for (const sample of x.samples) assert.match(sample.name, /^agentgw_/);
    assert.doesNotMatch(text, /agt_secret_id/, "no agent ids unless enabled");
    assert.ok(x.samples.every((s) => !("agent" in s.labels)));
  });

  it("adds an agent label only when enabled", async () => {
    const m = createMetrics({ agentLabels: true, processMetrics: false });
    m.observeRequest({
      routeClass: "tool",
      tool: "gmail",
      action: "messages.send",
      status: 200,
      code: "ok",
      seconds: 1,
      agentId: "agt_A",
    });
    m.rateLimitHit("agent", "agt_A");
    m.tokenMinted("gmail");
    const x = parseExposition(await m.render());
    assert.equal(find(x, "agentgw_requests_total", { agent: "agt_A", tool: "gmail" }).length, 1);
    assert.equal(sampleValue(x, "agentgw_rate_limit_hits_total", { policy: "agent", agent: "agt_A" }), 1);
    assert.equal(sampleValue(x, "agentgw_tokens_minted_total", { tool: "gmail", agent: "none" }), 1);
    assert.equal(find(x, "agentgw_process_cpu_user_seconds_total").length, 0);
  });

  it("keeps label values bounded", async () => {
    const m = createMetrics({ agentLabels: false, processMetrics: false });
    m.observeRequest({
      routeClass: "tool",
      tool: "../../etc/passwd?x=1",
      action: "a".repeat(500),
      status: 9999,
      code: "ok",
      seconds: Number.NaN,
    });
    m.upstreamError("openai", 'kind with "quotes"\n');
    const x = parseExposition(await m.render());
    assert.equal(
      sampleValue(x, "agentgw_requests_total", {
        route_class: "tool",
        tool: "other",
        action: "other",
        status: "other",
        code: "ok",
      }),
      1,
    );
    assert.equal(find(x, "agentgw_request_duration_seconds_count").length, 0, "NaN is not a duration");
    assert.equal(sampleValue(x, "agentgw_upstream_errors_total", { tool: "openai", kind: "other" }), 1);
  });

  it("survives a breaker-state source that throws", async () => {
    const m = createMetrics({ agentLabels: false, processMetrics: false });
    m.setBreakerStateSource(() => {
      throw new Error("connector not ready");
    });
    const x = parseExposition(await m.render());
    assert.equal(find(x, "agentgw_circuit_breaker_state").length, 0);
  });

  it("gives every app its own registry", async () => {
    const a = createMetrics({ agentLabels: false });
    const b = createMetrics({ agentLabels: false });
    a.upstreamRetry("http");
    const xb = parseExposition(await b.render());
    assert.equal(find(xb, "agentgw_upstream_retries_total").length, 0);
    assert.equal(
      sampleValue(parseExposition(await a.render()), "agentgw_upstream_retries_total", { tool: "http" }),
      1,
    );
    assert.match(a.contentType, /^text\/plain/);
  });

  it("validates its options when created", () => {
    assert.throws(() => createMetrics({} as never), /agentLabels/);
  });
});
