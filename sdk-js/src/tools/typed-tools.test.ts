import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { after, before, beforeEach, describe, it } from "node:test";
import { AgentGateway } from "../client.js";
import { fromBase64Url } from "../encoding.js";
import { AgentGatewayError } from "../errors.js";
import { generateKeyPair } from "../keys.js";
import { type FakeGateway, startFakeGateway } from "../testing/fake-gateway.js";
import type { Answer, SeenRequest } from "../testing/signature-server.js";

const key = await generateKeyPair();
let fake: FakeGateway;
let gw: AgentGateway;
let reply: (call: SeenRequest) => Answer;

const json = (call: SeenRequest) =>
  JSON.parse(new TextDecoder().decode(call.body)) as Record<string, unknown>;
const lastCall = () => fake.toolCalls.at(-1)!;
const lastScopes = () => fake.mints.at(-1)!.scopes;

function sse(pieces: string[]): Answer {
  return {
    headers: { "content-type": "text/event-stream" },
    async stream(res: ServerResponse) {
      for (const piece of pieces) {
        res.write(piece);
        await new Promise((r) => setTimeout(r, 2));
      }
    },
  };
}

const chunk = (content: string) =>
  JSON.stringify({
    id: "c",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  });

before(async () => {
  fake = await startFakeGateway(key.publicKey);
});
beforeEach(() => {
  fake.reset();
  fake.onToolCall = (call) => reply(call);
  reply = () => ({ body: "{}" });
  gw = new AgentGateway({ baseUrl: fake.url, key });
});
after(() => fake.close());

describe("gw.openai", () => {
  it("chat.completions.create sends the params and returns the completion", async () => {
    reply = () => ({
      body: JSON.stringify({ id: "x", object: "chat.completion", choices: [{ message: { content: "hi" } }] }),
    });
    const completion = await gw.openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hello" }],
      max_tokens: 10,
    });
    assert.equal(completion.choices[0]!.message.content, "hi");
    assert.equal(lastCall().target, "/v1/tools/openai/v1/chat/completions");
    assert.deepEqual(json(lastCall()), {
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hello" }],
      max_tokens: 10,
    });
    assert.deepEqual(lastScopes(), ["openai:chat"]);
  });

  it("stream: true yields the chunks parsed from SSE, up to [DONE]", async () => {
    reply = () =>
      sse([`data: ${chunk("Hel")}\n\ndata: ${chunk("lo")}`, "\n\n", ": ping\n\ndata: [DONE]\n\n"]);
    const stream = await gw.openai.chat.completions.create({ model: "m", messages: [], stream: true });
    const parts: string[] = [];
    for await (const c of stream) parts.push(c.choices[0]!.delta.content ?? "");
    assert.deepEqual(parts, ["Hel", "lo"]);
    assert.equal(lastCall().headers.accept, "text/event-stream");
  });

  it("a stream cut before [DONE] or carrying an error event throws", async () => {
    reply = () => sse([`data: ${chunk("Hel")}\n\n`]);
    const cut = await gw.openai.chat.completions.create({ model: "m", messages: [], stream: true });
    await assert.rejects(
      (async () => {
        for await (const _ of cut);
      })(),
      (error: unknown) => error instanceof AgentGatewayError && /before \[DONE\]/.test(error.message),
    );
    reply = () => sse([`data: {"error":{"message":"overloaded"}}\n\n`]);
    const failed = await gw.openai.chat.completions.create({ model: "m", messages: [], stream: true });
    await assert.rejects(
      (async () => {
        for await (const _ of failed);
      })(),
      /overloaded/,
    );
  });

  it("embeddings ask for floats by default; models list uses openai:models", async () => {
    reply = () => ({ body: JSON.stringify({ object: "list", data: [{ embedding: [0.5] }] }) });
    const embeddings = await gw.openai.embeddings.create({ model: "text-embedding-3-small", input: "x" });
    assert.deepEqual(embeddings.data[0]!.embedding, [0.5]);
    assert.equal(json(lastCall()).encoding_format, "float");
    assert.deepEqual(lastScopes(), ["openai:embeddings"]);

    reply = () => ({ body: JSON.stringify({ object: "list", data: [{ id: "gpt-4o-mini" }] }) });
    assert.equal((await gw.openai.models.list()).data[0]!.id, "gpt-4o-mini");
    assert.equal(lastCall().method, "GET");
    assert.deepEqual(lastScopes(), ["openai:models"]);
  });

  it("a tool's own error becomes a typed error with the tool's message", async () => {
    reply = () => ({
      status: 400,
      body: JSON.stringify({ error: { message: "bad model", type: "invalid_request_error" } }),
    });
    await assert.rejects(
      gw.openai.models.list(),
      (error: unknown) =>
        error instanceof AgentGatewayError &&
        error.code === "unexpected_response" &&
        error.status === 400 &&
        error.problem.detail === "bad model",
    );
  });
});

describe("gw.gmail", () => {
  it("send builds the message, sends it as base64url raw, with intent, needing gmail:send", async () => {
    reply = () => ({ body: JSON.stringify({ id: "m1", threadId: "t1", labelIds: ["SENT"] }) });
    const sent = await gw.gmail.send(
      { to: "a@example.com", cc: ["b@example.com"], subject: "Hi", text: "Body" },
      { intent: "send the weekly report" },
    );
    assert.deepEqual(sent, { id: "m1", threadId: "t1", labelIds: ["SENT"] });
    assert.equal(lastCall().target, "/v1/tools/gmail/gmail/v1/users/me/messages/send");
    const raw = new TextDecoder().decode(fromBase64Url(String(json(lastCall()).raw))!);
    assert.match(raw, /^To: a@example.com\r\nCc: b@example.com\r\nSubject: Hi\r\n/);
    assert.deepEqual(fake.mints.at(-1), {
      tool: "gmail",
      scopes: ["gmail:send"],
      intent: "send the weekly report",
      token: "tok-1",
    });
    await assert.rejects(
      gw.gmail.send({ to: "a@example.com", subject: "x\r\nBcc: e@evil.test", text: "" }),
      TypeError,
    );
    assert.equal(fake.toolCalls.length, 1, "nothing is sent for a refused header");
  });

  it("list and get read with gmail:read", async () => {
    reply = () => ({
      body: JSON.stringify({ messages: [{ id: "m1", threadId: "t1" }], resultSizeEstimate: 1 }),
    });
    const list = await gw.gmail.list({ q: "from:boss is:unread", maxResults: 5 });
    assert.equal(list.messages![0]!.id, "m1");
    assert.equal(
      lastCall().target,
      "/v1/tools/gmail/gmail/v1/users/me/messages?q=from%3Aboss+is%3Aunread&maxResults=5",
    );
    reply = () => ({ body: JSON.stringify({ id: "m1", threadId: "t1", snippet: "hello" }) });
    assert.equal((await gw.gmail.get("m1", { format: "metadata" })).snippet, "hello");
    assert.equal(lastCall().target, "/v1/tools/gmail/gmail/v1/users/me/messages/m1?format=metadata");
    assert.deepEqual(lastScopes(), ["gmail:read"]);
    assert.equal(fake.mints.length, 1, "list and get share the gmail:read token");
    await assert.rejects(gw.gmail.get("../send"), TypeError);
    await assert.rejects(gw.gmail.list({ maxResults: 0 }), RangeError);
  });
});

describe("gw.serpapi and gw.http", () => {
  it("serpapi.search sends the parameters as the query; the gateway adds the key", async () => {
    reply = () => ({
      body: JSON.stringify({ organic_results: [{ position: 1, title: "t", link: "https://x" }] }),
    });
    const result = await gw.serpapi.search({ q: "agent gateway", num: 3, engine: "bing" });
    assert.equal(result.organic_results![0]!.title, "t");
    assert.equal(lastCall().target, "/v1/tools/serpapi/search.json?q=agent+gateway&num=3&engine=bing");
    assert.deepEqual(lastScopes(), ["serpapi:search"]);
    await assert.rejects(gw.serpapi.search({ q: "x", api_key: "mine" }), TypeError);
    await assert.rejects(gw.serpapi.search({ q: "" }), TypeError);
  });

  it("http.fetch posts {url, method, headers, body} and returns {status, headers, body}", async () => {
    reply = () => ({
      body: JSON.stringify({ status: 404, headers: { "content-type": "text/plain" }, body: "nope" }),
    });
    const page = await gw.http.fetch({
      url: "https://example.com/x",
      method: "GET",
      headers: { accept: "text/plain" },
    });
    assert.deepEqual(page, { status: 404, headers: { "content-type": "text/plain" }, body: "nope" });
    assert.equal(lastCall().target, "/v1/tools/http/fetch");
    assert.deepEqual(json(lastCall()), {
      url: "https://example.com/x",
      method: "GET",
      headers: { accept: "text/plain" },
    });
    assert.deepEqual(lastScopes(), ["http:fetch"]);
    await assert.rejects(gw.http.fetch({ url: "file:///etc/passwd" }), TypeError);
  });
});
