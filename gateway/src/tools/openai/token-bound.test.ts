import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatewayError } from "../../errors.js";
import { toolCall } from "../testing/calls.js";
import { boundOpenAiTokens } from "./token-bound.js";

const options = { defaultMaxOutputTokens: 1000, attachmentTokens: 5000 };
const chat = (json: Record<string, unknown>) => toolCall("openai", "/v1/chat/completions", { json });
const bytes = (json: unknown) => Buffer.byteLength(JSON.stringify(json));
const refused = (pattern: RegExp) => (error: unknown) =>
  error instanceof GatewayError && error.code === "invalid_request" && pattern.test(error.detail);

describe("boundOpenAiTokens", () => {
  it("bounds the input by the body's bytes, however small the agent's cap", () => {
    const json = { model: "m", messages: [{ role: "user", content: "é".repeat(5000) }], max_tokens: 1 };
    const bound = boundOpenAiTokens(chat(json), options);
    assert.equal(bound.tokens, bytes(json) + 1);
    assert.ok(bound.tokens > 10_000, "two UTF-8 bytes per é");
    assert.equal(bound.call.body?.toString(), JSON.stringify(json), "a call with a cap is sent as it came");
  });

  it("sets the output cap upstream when the agent names none (or only null), and reserves it", () => {
    const json = { model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: null };
    const bound = boundOpenAiTokens(chat(json), options);
    const sent = JSON.parse(bound.call.body!.toString());
    assert.equal(sent.max_completion_tokens, 1000);
    assert.equal("max_tokens" in sent, false);
    assert.deepEqual(bound.call.json, sent);
    assert.equal(bound.tokens, bound.call.body!.length + 1000);

    const responses = toolCall("openai", "/v1/responses", { json: { model: "m", input: "hi" } });
    const sentResponses = JSON.parse(boundOpenAiTokens(responses, options).call.body!.toString());
    assert.equal(sentResponses.max_output_tokens, 1000);
  });

  it("takes the larger of two caps, times n choices, plus an allowance per image or file", () => {
    const json = {
      model: "m",
      n: 3,
      max_tokens: 10,
      max_completion_tokens: 200,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is this" },
            { type: "image_url", image_url: { url: "https://x.test/a.png" } },
            { type: "file", file: { file_id: "file-1" } },
          ],
        },
      ],
    };
    assert.equal(boundOpenAiTokens(chat(json), options).tokens, bytes(json) + 2 * 5000 + 3 * 200);
  });

  it("asks a stream for usage and marks the usage chunk to be hidden when the agent did not ask", () => {
    const asked = chat({
      model: "m",
      messages: [],
      max_tokens: 5,
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.equal(boundOpenAiTokens(asked, options).call.hideStreamUsage, undefined);
    const silent = boundOpenAiTokens(
      chat({ model: "m", messages: [], max_tokens: 5, stream: true }),
      options,
    );
    assert.equal(silent.call.hideStreamUsage, true);
    assert.deepEqual(JSON.parse(silent.call.body!.toString()).stream_options, { include_usage: true });
  });

  it("refuses what cannot be bounded, and malformed caps", () => {
    const responses = (json: Record<string, unknown>) =>
      toolCall("openai", "/v1/responses", { json: { model: "m", input: "hi", ...json } });
    for (const [call, pattern] of [
      [responses({ previous_response_id: "resp_1" }), /previous_response_id/],
      [responses({ conversation: "conv_1" }), /conversation/],
      [responses({ prompt: { id: "pmpt_1" } }), /prompt/],
      [responses({ background: true }), /background/],
      [responses({ tools: [{ type: "web_search" }] }), /run upstream/],
      [chat({ model: "m", messages: [], web_search_options: {} }), /web search/],
      [chat({ model: "m", messages: [], max_tokens: 0 }), /max_tokens must be a positive integer/],
      [chat({ model: "m", messages: [], max_tokens: "9" }), /max_tokens must be a positive integer/],
      [chat({ model: "m", messages: [], n: 0 }), /n must be/],
    ] as const) {
      assert.throws(() => boundOpenAiTokens(call, options), refused(pattern), String(pattern));
    }
    assert.doesNotThrow(() =>
      boundOpenAiTokens(responses({ tools: [{ type: "function", name: "f" }] }), options),
    );
  });

  it("embeddings: the input bytes; the models list: nothing", () => {
    const json = { model: "e", input: ["a", "b"] };
    const call = toolCall("openai", "/v1/embeddings", { json });
    assert.equal(boundOpenAiTokens(call, options).tokens, bytes(json));
    assert.equal(boundOpenAiTokens(toolCall("openai", "/v1/models"), options).tokens, 0);
  });
});
