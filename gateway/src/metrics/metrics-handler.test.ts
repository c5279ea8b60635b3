import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import express from "express";
import { pino } from "pino";
import { problemHandler } from "../http/problem.js";
import { requestContext } from "../http/request-context.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { metricsHandler } from "./metrics-handler.js";
import { parseExposition, sampleValue } from "./testing/exposition.js";

const TOKEN = "metrics-token-0123456789";

async function serve(metrics: Metrics, bearerToken?: string) {
  const app = express();
  app.use(requestContext());
  app.get("/metrics", metricsHandler({ metrics, bearerToken }));
  app.use(problemHandler(pino({ level: "silent" })));
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/metrics`, close: () => new Promise((r) => server.close(r)) };
}

describe("metricsHandler", () => {
  const metrics = createMetrics({ agentLabels: false, processMetrics: false });
  metrics.tokenMinted("openai");
  let open: Awaited<ReturnType<typeof serve>>;
  let guarded: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    open = await serve(metrics);
    guarded = await serve(metrics, TOKEN);
  });
  after(async () => {
    await open.close();
    await guarded.close();
  });

  it("serves the exposition when no token is configured", async () => {
    const res = await fetch(open.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    assert.equal(
      sampleValue(parseExposition(await res.text()), "agentgw_tokens_minted_total", { tool: "openai" }),
      1,
    );
  });

  it("requires the bearer token when one is configured", async () => {
    for (const authorization of [
      undefined,
      "Bearer wrong-token-0123456789",
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN}x`,
    ]) {
      const res = await fetch(guarded.url, { headers: authorization ? { authorization } : {} });
      assert.equal(res.status, 401, String(authorization));
      assert.equal(res.headers.get("content-type"), "application/problem+json; charset=utf-8");
      assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer realm="agentgw-metrics"/);
      const problem = (await res.json()) as { code: string; detail: string };
      assert.equal(problem.code, "unauthorized");
      assert.doesNotMatch(JSON.stringify(problem), /agentgw_/);
    }
    const res = await fetch(guarded.url, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^# HELP agentgw_/m);
  });

  it("validates its options when created", () => {
    assert.throws(() => metricsHandler({ metrics, bearerToken: "short" }), /bearerToken/);
  });
});
