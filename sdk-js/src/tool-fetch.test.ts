import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import OpenAI from "openai";
import { AgentGateway } from "./client.js";
import { generateKeyPair } from "./keys.js";
import { type FakeGateway, problem, startFakeGateway } from "./testing/fake-gateway.js";
import type { SeenRequest } from "./testing/signature-server.js";

const key = await generateKeyPair();
let fake: FakeGateway;
let gw: AgentGateway;

/** Answers like OpenAI: a chat completion, or its SSE chunks when stream is true. */
function openAiAnswer(call: SeenRequest) {
  if (call.target.endsWith("/v1/models")) {
    return {
      body: JSON.stringify({
        object: "list",
        data: [{ id: "gpt-4o-mini", object: "model", created: 1, owned_by: "x" }],
      }),
    };
  }
  const body = JSON.parse(new TextDecoder().decode(call.body)) as { stream?: boolean; model: string };
  const base = { id: "chatcmpl-1", created: 1, model: body.model };
  if (!body.stream) {
    return {
      body: JSON.stringify({
        ...base,
        object: "chat.completion",
        choices: [{ index: 0, message: { role: "assistant", content: "Hello!" }, finish_reason: "stop" }],
      }),
    };
  }
  return {
    headers: { "content-type": "text/event-stream" },
    async stream(res: import("node:http").ServerResponse) {
      for (const content of ["Hel", "lo", "!"]) {
        const chunk = {
          ...base,
          object: "chat.completion.chunk",
          choices: [{ index: 0, delta: { content }, finish_reason: null }],
        };
        res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        await new Promise((r) => setTimeout(r, 5));
      }
      res.write("data: [DONE]\n\n");
    },
  };
}

before(async () => {
  fake = await startFakeGateway(key.publicKey);
});
beforeEach(() => {
  fake.reset();
  fake.onToolCall = openAiAnswer;
  gw = new AgentGateway({ baseUrl: `${fake.url}/`, key });
});
after(() => fake.close());

describe("fetchFor and baseUrlFor with the official openai client", () => {
  it("baseUrlFor gives the tool's base URL on the gateway", () => {
    assert.equal(gw.baseUrlFor("openai"), `${fake.url}/v1/tools/openai/v1`);
    assert.equal(gw.baseUrlFor("serpapi"), `${fake.url}/v1/tools/serpapi`);
    assert.throws(() => gw.baseUrlFor("a/b"), TypeError);
  });

  it("chat, models and streaming work unchanged; the client's own bearer never leaves", async () => {
    const openai = new OpenAI({
      apiKey: "unused",
      baseURL: gw.baseUrlFor("openai"),
      fetch: gw.fetchFor("openai"),
      maxRetries: 0,
    });
    const completion = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Hi" }],
    });
    assert.equal(completion.choices[0]!.message.content, "Hello!");
    const models = await openai.models.list();
    assert.equal(models.data[0]!.id, "gpt-4o-mini");
    const stream = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    assert.equal(text, "Hello!");

    assert.deepEqual(
      fake.mints.map((m) => m.scopes),
      [["openai:chat"], ["openai:models"]],
      "one token per action's scope, the chat token reused for the stream",
    );
    for (const call of fake.toolCalls) {
      assert.equal(call.verdict, "ok");
      assert.match(String(call.headers.authorization), /^Bearer tok-\d$/);
      assert.ok(call.components.includes("authorization"));
    }
  });

  it("replaces a refused token once, and hands other gateway problems to the client as responses", async () => {
    const openai = new OpenAI({
      apiKey: "unused",
      baseURL: gw.baseUrlFor("openai"),
      fetch: gw.fetchFor("openai"),
      maxRetries: 0,
    });
    await openai.models.list();
    fake.refuse.set("tok-1", "token_expired");
    await openai.models.list();
    assert.deepEqual(
      fake.toolCalls.map((c) => c.token),
      ["tok-1", "tok-1", "tok-2"],
    );

    fake.onToolCall = () => problem(403, "policy_denied", { reasons: ["no"] });
    await assert.rejects(
      openai.models.list(),
      (error: unknown) => error instanceof OpenAI.APIError && error.status === 403,
    );
  });

  it("uses the scopes and intent given, and sends nothing outside the tool's routes", async () => {
    const toolFetch = gw.fetchFor("openai", { scopes: ["openai:models", "openai:chat"], intent: "triage" });
    await toolFetch(`${gw.baseUrlFor("openai")}/models`);
    assert.deepEqual(fake.mints[0], {
      tool: "openai",
      scopes: ["openai:chat", "openai:models"],
      intent: "triage",
      token: "tok-1",
    });
    await assert.rejects(toolFetch("https://api.openai.com/v1/models"), TypeError);
    await assert.rejects(toolFetch(`${fake.url}/v1/tools/gmail/gmail/v1/users/me/messages`), TypeError);
    assert.equal(fake.toolCalls.length, 1);
  });
});
