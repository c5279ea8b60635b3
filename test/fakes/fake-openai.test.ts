import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import OpenAI from "openai";
import { type FakeOpenAi, startFakeOpenAi } from "./fake-openai.js";

describe("fake OpenAI with the official openai client", () => {
  let fake: FakeOpenAi;
  let client: OpenAI;

  before(async () => {
    fake = await startFakeOpenAi({ chunkDelayMs: 30 });
    client = new OpenAI({ apiKey: fake.apiKey, baseURL: `${fake.url}/v1`, maxRetries: 0 });
  });
  beforeEach(() => fake.reset());
  after(() => fake.close());

  it("answers a chat completion by echoing the last user message", async () => {
    const completion = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "What is the capital of France?" },
      ],
    });
    assert.equal(completion.object, "chat.completion");
    assert.equal(completion.model, "gpt-4o-mini");
    assert.equal(completion.choices[0]?.message.role, "assistant");
    assert.equal(completion.choices[0]?.message.content, "Echo: What is the capital of France?");
    assert.equal(completion.choices[0]?.finish_reason, "stop");
    const usage = completion.usage!;
    assert.ok(usage.prompt_tokens > 0 && usage.completion_tokens > 0);
    assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);

    const request = fake.received[0]!;
    assert.equal(request?.method, "POST");
    assert.equal(request?.path, "/v1/chat/completions");
    assert.equal(request?.headers.authorization, `Bearer ${fake.apiKey}`);
    assert.equal((request.json as { messages: unknown[] }).messages.length, 2);
    assert.equal(request?.outcome, "completed");
    assert.equal(request?.status, 200);
  });

  it("streams chunks with a delay between them, usage last, then [DONE]", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "one two three four" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const arrivals: number[] = [];
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      arrivals.push(Date.now());
      chunks.push(chunk);
    }
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    assert.equal(text, "Echo: one two three four");
    assert.ok(chunks.every((c) => c.object === "chat.completion.chunk"));
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.ok(
      last.usage && last.usage.total_tokens === last.usage.prompt_tokens + last.usage.completion_tokens,
    );
    assert.equal(chunks.at(-2)?.choices[0]?.finish_reason, "stop");
    // Role chunk, 5 word deltas, finish chunk, usage chunk: 8 events 30 ms apart.
    assert.equal(chunks.length, 8);
    assert.ok(arrivals.at(-1)! - arrivals[0]! >= 150, "chunks are paced, not sent at once");

    const raw = await fetch(`${fake.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fake.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }], stream: true }),
    });
    assert.match(raw.headers.get("content-type") ?? "", /^text\/event-stream/);
    const body = await raw.text();
    assert.ok(body.endsWith("data: [DONE]\n\n"));
    assert.ok(!body.includes('"usage"'), "no usage member unless include_usage is asked for");
  });

  it("records a client that disconnects before the stream ends", async () => {
    fake.script({ chunkDelayMs: 50 });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "a b c d e f g h" }],
      stream: true,
    });
    let seen = 0;
    // Leaving the loop early makes the client abort its request, as an agent that goes away would.
    for await (const _chunk of stream) {
      seen += 1;
      if (seen === 2) break;
    }
    const request = await fake.waitForRequest((r) => r.clientDisconnected);
    assert.equal(request.outcome, "pending");
    assert.equal(fake.received[0]?.clientDisconnected, true);
  });

  it("lets a test script the reply content and the stream deltas", async () => {
    fake.script({ reply: ({ lastUserText }) => `card 4111 1111 1111 1111 for ${lastUserText}` });
    const completion = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "Bob" }],
    });
    assert.equal(completion.choices[0]?.message.content, "card 4111 1111 1111 1111 for Bob");

    fake.script({ reply: "sk-live-abcdef", streamDeltas: ["sk-li", "ve-abc", "def"] });
    const stream = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "x" }],
      stream: true,
    });
    const deltas: string[] = [];
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) deltas.push(content);
    }
    assert.deepEqual(deltas, ["sk-li", "ve-abc", "def"]);

    fake.reset();
    const echoed = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "back" }],
    });
    assert.equal(echoed.choices[0]?.message.content, "Echo: back", "reset restores the default reply");
  });

  it("answers the Responses API, plain and streamed", async () => {
    const response = await client.responses.create({ model: "gpt-4o-mini", input: "Say hi" });
    assert.equal(response.object, "response");
    assert.equal(response.status, "completed");
    assert.equal(response.output_text, "Echo: Say hi");
    assert.equal(
      response.usage?.total_tokens,
      (response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0),
    );

    const stream = await client.responses.create({
      model: "gpt-4o-mini",
      input: [{ role: "user", content: "stream me" }],
      stream: true,
    });
    const types: string[] = [];
    let text = "";
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
    }
    assert.equal(text, "Echo: stream me");
    assert.equal(types[0], "response.created");
    assert.equal(types.at(-1), "response.completed");
  });

  it("answers embeddings deterministically, as floats or base64 (the client's default)", async () => {
    const viaClient = await client.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
    assert.equal(viaClient.data.length, 2);
    assert.equal(viaClient.data[0]?.embedding.length, 16);
    assert.notDeepEqual(viaClient.data[0]?.embedding, viaClient.data[1]?.embedding);
    const asFloats = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: "a",
      encoding_format: "float",
      dimensions: 16,
    });
    assert.deepEqual(asFloats.data[0]?.embedding, viaClient.data[0]?.embedding);
    assert.ok(viaClient.usage.prompt_tokens > 0);
  });

  it("lists models", async () => {
    const page = await client.models.list();
    assert.deepEqual(
      page.data.map((m) => m.id),
      ["gpt-4o-mini", "gpt-4o", "text-embedding-3-small"],
    );
    const model = await client.models.retrieve("gpt-4o");
    assert.equal(model.object, "model");
    await assert.rejects(client.models.retrieve("nope"), (e: unknown) => e instanceof OpenAI.NotFoundError);
  });

  it("refuses a wrong or missing key with OpenAI's 401 error shape, without echoing the key", async () => {
    const wrong = new OpenAI({ apiKey: "sk-wrong-key-1234567890", baseURL: `${fake.url}/v1`, maxRetries: 0 });
    await assert.rejects(
      wrong.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] }),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.AuthenticationError);
        assert.equal(e.status, 401);
        assert.equal(e.code, "invalid_api_key");
        assert.ok(!e.message.includes("sk-wrong-key-1234567890"));
        return true;
      },
    );
    const missing = await fetch(`${fake.url}/v1/models`);
    assert.equal(missing.status, 401);
    const body = (await missing.json()) as { error: Record<string, unknown> };
    assert.deepEqual(Object.keys(body.error).sort(), ["code", "message", "param", "type"]);
    assert.equal(body.error.type, "invalid_request_error");
  });

  it("answers bad requests with 400 and unknown paths with 404, in OpenAI's shape", async () => {
    const post = (path: string, body: string) =>
      fetch(`${fake.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${fake.apiKey}`, "content-type": "application/json" },
        body,
      });
    const notJson = await post("/v1/chat/completions", "{not json");
    assert.equal(notJson.status, 400);
    const noModel = await post("/v1/chat/completions", JSON.stringify({ messages: [] }));
    assert.equal(((await noModel.json()) as { error: { param: string } }).error.param, "model");
    const unknown = await post("/v1/nothing", "{}");
    assert.equal(unknown.status, 404);
    assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /Invalid URL/);
  });
});
