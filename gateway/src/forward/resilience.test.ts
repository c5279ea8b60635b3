import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { GatewayError } from "../errors.js";
import { staticCredential } from "../tools/credential-source.js";
import { createOpenAiConnector } from "../tools/openai/openai-connector.js";
import { callContext, FAST_RESILIENCE, toolCall } from "../tools/testing/calls.js";
import { type FakeOpenAi, startFakeOpenAi } from "../tools/testing/fakes.js";
import type { ToolConnector } from "../tools/types.js";
import { retryAfterMs } from "./resilience.js";

const models = () => toolCall("openai", "/v1/models");
const chat = () =>
  toolCall("openai", "/v1/chat/completions", {
    json: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
  });

describe("resilience (retry, breaker, timeout) against the fake OpenAI", () => {
  let fake: FakeOpenAi;
  const open: ToolConnector[] = [];
  const retries: Array<{ attempt: number; reason: string }> = [];
  const states: string[] = [];
  const connector = (resilience: Partial<typeof FAST_RESILIENCE> = {}) => {
    const c = createOpenAiConnector(
      {
        baseUrl: fake.url,
        credential: staticCredential("openai", { apiKey: fake.apiKey }),
        resilience: { ...FAST_RESILIENCE, ...resilience },
      },
      {
        hooks: {
          onRetry: (info) => retries.push(info),
          onBreakerStateChange: (info) => states.push(info.state),
        },
      },
    );
    open.push(c);
    return c;
  };
  before(async () => {
    fake = await startFakeOpenAi();
  });
  beforeEach(() => {
    fake.reset();
    retries.length = 0;
    states.length = 0;
  });
  after(async () => {
    await Promise.all(open.map((c) => c.close?.()));
    await fake.close();
  });

  test("an idempotent action is retried with backoff until it succeeds", async () => {
    fake.behave({ fail: { status: 503, times: 2 } });
    const response = await connector().forward(models(), callContext());
    assert.equal(response.status, 200);
    assert.equal(fake.received.length, 3);
    assert.deepEqual(
      retries.map((r) => r.reason),
      ["status 503", "status 503"],
    );
  });

  test("a non-idempotent POST is not retried on a 500", async () => {
    fake.behave({ fail: { status: 500, times: 1 } });
    const response = await connector().forward(chat(), callContext());
    assert.equal(response.status, 500);
    assert.equal(fake.received.length, 1);
  });

  test("a POST is retried on 503 with a short Retry-After, not on a 429 with a long one", async () => {
    fake.behave({ fail: { status: 503, times: 1, retryAfter: 0 } });
    assert.equal((await connector().forward(chat(), callContext())).status, 200);
    assert.equal(fake.received.length, 2);

    fake.reset();
    fake.behave({ fail: { status: 429, times: 1, retryAfter: 120 } });
    const limited = await connector().forward(chat(), callContext());
    assert.equal(limited.status, 429);
    assert.equal(limited.headers["retry-after"], "120");
    assert.equal(fake.received.length, 1);
  });

  test("the breaker opens after consecutive failures, fails fast, and a half-open probe closes it", async () => {
    const c = connector({ retries: 0, breakerThreshold: 3, breakerHalfOpenAfterMs: 200 });
    fake.behave({ fail: { status: 502, times: 3 } });
    for (let i = 0; i < 3; i++) assert.equal((await c.forward(models(), callContext())).status, 502);
    assert.equal(c.breakerState?.(), "open");
    await assert.rejects(c.forward(models(), callContext()), (e: GatewayError) => {
      assert.equal(e.code, "upstream_unavailable");
      assert.equal(e.status, 503);
      assert.match(e.headers["retry-after"] ?? "", /^\d+$/);
      return true;
    });
    assert.equal(fake.received.length, 3, "no request reached the upstream while open");
    await sleep(250);
    assert.equal((await c.forward(models(), callContext())).status, 200);
    assert.equal(c.breakerState?.(), "closed");
    assert.deepEqual(states, ["open", "half-open", "closed"]);
  });

  test("an upstream that never answers is upstream_timeout (504)", async () => {
    fake.behave({ hang: { times: 1 } });
    const started = Date.now();
    await assert.rejects(
      connector({ retries: 0, timeoutMs: 300 }).forward(chat(), callContext()),
      (e: GatewayError) => e.code === "upstream_timeout" && e.status === 504,
    );
    assert.ok(Date.now() - started < 2000);
  });

  test("a body that trickles in past the deadline is upstream_timeout, though no chunk is late", async () => {
    // A chunk every 50 ms never trips undici's idle body timeout; the attempt's deadline covers the whole body.
    const trickle = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      let sent = 0;
      const timer = setInterval(() => {
        if (++sent === 100) {
          clearInterval(timer);
          res.end("]}");
        } else res.write(sent === 1 ? '{"data": [' : " ");
      }, 50);
      res.on("close", () => clearInterval(timer));
    });
    trickle.listen(0, "127.0.0.1");
    await once(trickle, "listening");
    const slow = createOpenAiConnector({
      baseUrl: `http://127.0.0.1:${(trickle.address() as AddressInfo).port}`,
      credential: staticCredential("openai", { apiKey: "sk-unused" }),
      resilience: { ...FAST_RESILIENCE, retries: 0, timeoutMs: 300 },
    });
    try {
      await assert.rejects(
        slow.forward(models(), callContext()),
        (e: GatewayError) => e.code === "upstream_timeout" && e.status === 504,
      );
    } finally {
      await slow.close?.();
      trickle.closeAllConnections();
      trickle.close();
    }
  });

  test("an unreachable upstream is upstream_error (502); a POST that never connected is retried", async () => {
    const dead = createOpenAiConnector(
      {
        baseUrl: "http://127.0.0.1:9",
        credential: staticCredential("openai", { apiKey: "sk-unused" }),
        resilience: { ...FAST_RESILIENCE, retries: 1 },
      },
      { hooks: { onRetry: (info) => retries.push(info) } },
    );
    await assert.rejects(dead.forward(chat(), callContext()), (e: GatewayError) => {
      assert.equal(e.code, "upstream_error");
      assert.match(e.detail, /could not connect/);
      assert.ok(!e.detail.includes("sk-unused"));
      return true;
    });
    assert.deepEqual(
      retries.map((r) => r.reason),
      ["upstream_error"],
    );
    await dead.close?.();
  });

  test("an agent that leaves stops the call and its retries", async () => {
    fake.behave({ hang: { times: 5 } });
    const controller = new AbortController();
    const call = connector({ retries: 3 }).forward(models(), callContext({ signal: controller.signal }));
    await fake.waitForRequest(() => true);
    controller.abort();
    await assert.rejects(
      call,
      (e: GatewayError) => e.code === "upstream_error" && /cancelled/.test(e.detail),
    );
    assert.equal(fake.received.length, 1);
    assert.equal(retries.length, 0);
  });
});

test("retryAfterMs reads delay-seconds and HTTP dates", () => {
  assert.equal(retryAfterMs({ "retry-after": "3" }), 3000);
  assert.equal(
    retryAfterMs({ "Retry-After": "Thu, 01 Jan 2026 00:00:10 GMT" }, Date.UTC(2026, 0, 1)),
    10_000,
  );
  assert.equal(retryAfterMs({ "retry-after": "soon" }), undefined);
  assert.equal(retryAfterMs({}), undefined);
});
