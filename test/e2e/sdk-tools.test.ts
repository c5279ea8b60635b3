// The JS SDK against the real gateway and the fake tools (issues 5 and 6, sdk-js parts): tool
// tokens managed by the client, every typed tool method, the official openai client through
// baseUrlFor/fetchFor (streaming included), typed policy denials, and the committed OpenAPI
// document matching what the gateway serves.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AgentGateway, ApprovalRequiredError, PolicyDeniedError } from "@agentgw/sdk";
import OpenAI from "openai";
import { type AllFakes, startAllFakes } from "../fakes/index.js";
import { type RegisteredAgent, registerAgent } from "../support/agents.js";
import { type GatewayProcess, REPO_ROOT, startGateway } from "../support/gateway-process.js";

let fakes: AllFakes;
let gw: GatewayProcess;
let agent: RegisteredAgent;
let sdk: AgentGateway;

before(async () => {
  fakes = await startAllFakes();
  gw = await startGateway({ env: fakes.env });
  agent = await registerAgent(gw, { name: "sdk-user" });
  sdk = new AgentGateway({ baseUrl: gw.url, key: agent.key });
});
after(async () => {
  await gw?.stop();
  gw?.cleanup();
  await fakes?.close();
});

const hello = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "hello there" }] };

describe("tool tokens through the SDK", () => {
  it("tokenFor mints once for concurrent askers and caches per scope set", async () => {
    const tokens = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        sdk.tokenFor("openai", i % 2 ? ["openai:chat", "openai:models"] : ["openai:models", "openai:chat"]),
      ),
    );
    assert.equal(new Set(tokens.map((t) => t.jti)).size, 1, "one token for all six");
    assert.deepEqual(tokens[0]!.scopes, ["openai:chat", "openai:models"]);
    assert.equal(tokens[0]!.expiresIn, 300);
    const other = await sdk.tokenFor("openai", ["openai:models"]);
    assert.notEqual(other.jti, tokens[0]!.jti);
    assert.equal((await sdk.tokenFor("openai", ["openai:models"])).jti, other.jti);
  });

  it("a revoked token is replaced and the call retried with a fresh one", async () => {
    const first = await sdk.tokenFor("openai", ["openai:models"]);
    const revoked = await gw.admin("POST", "/admin/tokens/revoke", { jti: first.jti });
    assert.equal(revoked.status, 200);
    const upstreamBefore = fakes.openai.received.length;
    const models = await sdk.openai.models.list();
    assert.ok(models.data.length > 0);
    const second = await sdk.tokenFor("openai", ["openai:models"]);
    assert.notEqual(second.jti, first.jti, "the revoked token was dropped from the cache");
    assert.equal(fakes.openai.received.length - upstreamBefore, 1, "the refused call never reached OpenAI");
  });

  it("a token refused at mint time is a PolicyDeniedError with the policy's reasons", async () => {
    // The example policy asks for an intent before it grants gmail:send.
    await assert.rejects(sdk.tokenFor("gmail", ["gmail:send"]), (error: unknown) => {
      assert.ok(error instanceof PolicyDeniedError, String(error));
      assert.ok(error.reasons.length > 0);
      return true;
    });
  });
});

describe("typed tool methods against the real gateway", () => {
  it("openai chat, streaming chat, embeddings and models", async () => {
    const completion = await sdk.openai.chat.completions.create(hello);
    assert.equal(completion.choices[0]!.message.content, "Echo: hello there");

    const stream = await sdk.openai.chat.completions.create({ ...hello, stream: true });
    let text = "";
    let chunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      chunks++;
    }
    assert.equal(text, "Echo: hello there");
    assert.ok(chunks > 1, "the answer arrived in several chunks");

    const embeddings = await sdk.openai.embeddings.create({
      model: "text-embedding-3-small",
      input: ["a", "b"],
    });
    assert.equal(embeddings.data.length, 2);
    assert.ok(Array.isArray(embeddings.data[0]!.embedding));

    const models = await sdk.openai.models.list();
    assert.ok(models.data.some((m) => typeof m.id === "string"));
  });

  it("a model outside the agent's tier is a PolicyDeniedError and never reaches OpenAI", async () => {
    const before = fakes.openai.received.length;
    await assert.rejects(
      sdk.openai.chat.completions.create({ ...hello, model: "gpt-4o" }),
      (error: unknown) =>
        error instanceof PolicyDeniedError && error.reasons.some((r) => r.includes("gpt-4o")),
    );
    assert.equal(fakes.openai.received.length, before);
  });

  it("gmail send, list and get", async () => {
    const intent = { intent: "send the weekly status report" };
    const sent = await sdk.gmail.send(
      {
        to: "team@example.com",
        cc: ["lead@example.org"],
        subject: "Weekly — status",
        text: "All green.\nBye",
      },
      intent,
    );
    assert.equal(typeof sent.id, "string");
    const delivered = fakes.gmail.sent.at(-1)!;
    assert.deepEqual(delivered.to, ["team@example.com"]);
    assert.deepEqual(delivered.cc, ["lead@example.org"]);
    assert.equal(delivered.subject, "Weekly — status");
    assert.equal(delivered.text.replace(/\r\n/g, "\n"), "All green.\nBye");

    await assert.rejects(
      sdk.gmail.send({ to: "someone@elsewhere.test", subject: "hi", text: "x" }, intent),
      (error: unknown) => error instanceof ApprovalRequiredError && error.reason.includes("elsewhere.test"),
    );

    const list = await sdk.gmail.list({ maxResults: 10 });
    assert.ok((list.messages ?? []).length > 0);
    const message = await sdk.gmail.get(list.messages![0]!.id, { format: "metadata" });
    assert.equal(message.id, list.messages![0]!.id);
  });

  it("serpapi search and http fetch", async () => {
    const result = await sdk.serpapi.search({ q: "agent gateway", num: 3 });
    assert.equal(result.organic_results?.length, 3);
    assert.equal(result.organic_results![0]!.title, "agent gateway - result 1");

    const page = await sdk.http.fetch({ url: `${fakes.website.url}/page` });
    assert.equal(page.status, 200);
    assert.ok(page.body.length > 0);
  });
});

describe("official clients through baseUrlFor / fetchFor", () => {
  it("the openai npm client works unchanged, streaming included; its own key never leaves", async () => {
    const openai = new OpenAI({
      apiKey: "unused",
      baseURL: sdk.baseUrlFor("openai"),
      fetch: sdk.fetchFor("openai"),
      maxRetries: 0,
    });
    const before = fakes.openai.received.length;
    const completion = await openai.chat.completions.create(hello);
    assert.equal(completion.choices[0]!.message.content, "Echo: hello there");

    const stream = await openai.chat.completions.create({ ...hello, stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    assert.equal(text, "Echo: hello there");

    const models = await openai.models.list();
    assert.ok(models.data.length > 0);
    for (const request of fakes.openai.received.slice(before)) {
      assert.equal(
        request.headers.authorization,
        `Bearer ${fakes.openai.apiKey}`,
        "the gateway's key upstream",
      );
    }
    await assert.rejects(
      openai.chat.completions.create({ ...hello, model: "gpt-4o" }),
      (error: unknown) => error instanceof OpenAI.APIError && error.status === 403,
    );
  });
});

describe("generated API types", () => {
  it("sdk-js/openapi.json is what the running gateway serves (apart from its server URL)", async () => {
    const served = await (await fetch(`${gw.url}/openapi.json`)).json();
    const committed = JSON.parse(readFileSync(join(REPO_ROOT, "sdk-js/openapi.json"), "utf8"));
    assert.deepEqual({ ...served, servers: [] }, { ...committed, servers: [] });
  });
});
