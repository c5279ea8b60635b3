import assert from "node:assert/strict";
import type { Readable } from "node:stream";
import { after, before, beforeEach, describe, test } from "node:test";
import type { GatewayError } from "../../errors.js";
import { staticCredential } from "../credential-source.js";
import { callContext, FAST_RESILIENCE, toolCall } from "../testing/calls.js";
import { type FakeOpenAi, startFakeOpenAi } from "../testing/fakes.js";
import type { ToolConnector, ToolResponse } from "../types.js";
import { createOpenAiConnector } from "./openai-connector.js";

const chat = (extra: Record<string, unknown> = {}) =>
  toolCall("openai", "/v1/chat/completions", {
    json: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hello there" }], ...extra },
    headers: {
      authorization: "Bearer agent-tool-token",
      signature: "sig1=:AAAA:",
      "signature-input": 'sig1=("@method");keyid="k"',
      cookie: "session=agent",
      "content-type": "application/json",
    },
  });

function text(response: ToolResponse): string {
  assert.ok(Buffer.isBuffer(response.body));
  return response.body.toString("utf8");
}

describe("openai connector", () => {
  let fake: FakeOpenAi;
  let connector: ToolConnector;
  before(async () => {
    fake = await startFakeOpenAi({ chunkDelayMs: 40 });
    connector = createOpenAiConnector({
      baseUrl: fake.url,
      credential: staticCredential("openai", { apiKey: fake.apiKey }),
      resilience: FAST_RESILIENCE,
    });
  });
  after(async () => {
    await connector.close?.();
    await fake.close();
  });
  beforeEach(() => fake.reset());

  test("chat completion: upstream sees the gateway key and none of the agent's credentials", async () => {
    const response = await connector.forward(chat(), callContext());
    assert.equal(response.status, 200);
    const answer = JSON.parse(text(response));
    assert.equal(answer.choices[0].message.content, "Echo: hello there");
    assert.equal((await response.usage)?.tokens, answer.usage.total_tokens);

    const seen = fake.received[0]!;
    assert.equal(seen.headers.authorization, `Bearer ${fake.apiKey}`);
    assert.equal(seen.headers.signature, undefined);
    assert.equal(seen.headers["signature-input"], undefined);
    assert.equal(seen.headers.cookie, undefined);
    assert.equal(seen.headers["x-request-id"], "req-test-1");
    assert.match(seen.headers.traceparent ?? "", /^00-0af7651916cd43dd8448eb211c80319c-/);
    assert.ok(!JSON.stringify(response.headers).includes(fake.apiKey));
    assert.ok(!text(response).includes(fake.apiKey));
  });

  test("policyBody is the parsed request; a non-object body is invalid_request", () => {
    assert.deepEqual((connector.policyBody(chat()) as { model: string }).model, "gpt-4o-mini");
    const bad = { ...chat(), json: "nope" };
    assert.throws(
      () => connector.policyBody(bad),
      (e: GatewayError) => e.code === "invalid_request",
    );
    assert.equal(connector.policyBody(toolCall("openai", "/v1/models")), null);
  });

  test("models list and embeddings", async () => {
    const models = JSON.parse(text(await connector.forward(toolCall("openai", "/v1/models"), callContext())));
    assert.ok(models.data.some((m: { id: string }) => m.id === "gpt-4o-mini"));
    const embed = await connector.forward(
      toolCall("openai", "/v1/embeddings", { json: { model: "text-embedding-3-small", input: "hi" } }),
      callContext(),
    );
    assert.equal(JSON.parse(text(embed)).data[0].embedding.length, 16);
    assert.ok(((await embed.usage)?.tokens ?? 0) > 0);
  });

  test("an upstream error passes through in OpenAI's shape, without the key", async () => {
    const wrongKey = createOpenAiConnector({
      baseUrl: fake.url,
      credential: staticCredential("openai", { apiKey: "sk-wrong-key-0123456789abcdef" }),
      resilience: FAST_RESILIENCE,
    });
    const response = await wrongKey.forward(chat(), callContext());
    assert.equal(response.status, 401);
    assert.ok(!text(response).includes("sk-wrong-key-0123456789abcdef"));
    assert.equal(JSON.parse(text(response)).error.code, "invalid_api_key");
    await wrongKey.close?.();
  });

  test("streaming arrives incrementally, with usage from the final chunk", async () => {
    const response = await connector.forward(
      chat({ stream: true, stream_options: { include_usage: true } }),
      callContext(),
    );
    assert.equal(response.status, 200);
    assert.match(response.headers["content-type"] ?? "", /text\/event-stream/);
    const stream = response.body as Readable;
    const chunks: string[] = [];
    for await (const chunk of stream) {
      chunks.push(String(chunk));
      // The first chunk is read while the fake is still pacing the rest.
      if (chunks.length === 1) assert.equal(fake.received[0]!.outcome, "pending");
    }
    const all = chunks.join("");
    assert.match(all, /data: \[DONE\]/);
    assert.ok(((await response.usage)?.tokens ?? 0) > 0);
  });

  test("cancelling ctx.signal aborts the upstream stream", async () => {
    fake.script({ chunkDelayMs: 200 });
    const controller = new AbortController();
    const response = await connector.forward(
      chat({ stream: true }),
      callContext({ signal: controller.signal }),
    );
    const stream = response.body as Readable;
    const first = await new Promise<string>((resolve) => stream.once("data", (c) => resolve(String(c))));
    assert.match(first, /^data: /);
    controller.abort();
    stream.resume();
    const seen = await fake.waitForRequest((r) => r.clientDisconnected, 3000);
    assert.equal(seen.clientDisconnected, true);
    assert.equal(await response.usage, undefined);
  });

  test("obligations apply to JSON answers and to each SSE event", async () => {
    fake.script({ reply: "card 4111 1111 1111 1111 and key sk-abcdefghijklmnopqrstu" });
    const obligations = {
      redact: ["/system_fingerprint", "/id"],
      truncate: { "/model": 3 },
      block_patterns: ["\\b(?:\\d[ -]?){13,16}\\b", "sk-[A-Za-z0-9]{20,}"],
    };
    const json = JSON.parse(text(await connector.forward(chat(), callContext({ obligations }))));
    assert.equal(json.choices[0].message.content, "card [blocked]and key [blocked]");
    assert.equal(json.id, undefined);
    assert.equal(json.model, "gpt");

    fake.script({ streamDeltas: ["card 4111 1111 1111 1111", " key sk-abcdefghijklmnopqrstu"] });
    const streamed = await connector.forward(chat({ stream: true }), callContext({ obligations }));
    let all = "";
    for await (const chunk of streamed.body as Readable) all += String(chunk);
    assert.ok(!all.includes("4111"));
    assert.ok(!all.includes("sk-abc"));
    assert.match(all, /\[blocked\]/);
    assert.ok(!/"id":/.test(all), "redact applies to every event");
    assert.match(all, /data: \[DONE\]\n\n$/);
  });

  test("a missing key makes the tool unavailable", async () => {
    const off = createOpenAiConnector({
      baseUrl: fake.url,
      credential: staticCredential("openai", undefined),
      resilience: FAST_RESILIENCE,
    });
    assert.equal(off.available(), false);
    await assert.rejects(off.forward(chat(), callContext()), (e: GatewayError) => {
      assert.equal(e.code, "upstream_unavailable");
      assert.match(e.detail, /not configured/);
      return true;
    });
    await off.close?.();
  });
});
