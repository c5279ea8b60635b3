import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { AgentGateway } from "./client.js";
import { AgentGatewayError, PolicyDeniedError, RateLimitedError } from "./errors.js";
import { generateKeyPair } from "./keys.js";
import { type FakeGateway, problem, startFakeGateway } from "./testing/fake-gateway.js";

const key = await generateKeyPair();
let fake: FakeGateway;
let gw: AgentGateway;
before(async () => {
  fake = await startFakeGateway(key.publicKey);
});
beforeEach(() => {
  fake.reset();
  gw = new AgentGateway({ baseUrl: fake.url, key });
});
after(() => fake.close());

describe("callTool", () => {
  it("sends the tool token in Authorization, covered by the signature, with the action's scope", async () => {
    const response = await gw.callTool("openai", "GET", "/v1/models");
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true });
    assert.deepEqual(fake.mints, [{ tool: "openai", scopes: ["openai:models"], token: "tok-1" }]);
    const call = fake.toolCalls[0]!;
    assert.equal(call.target, "/v1/tools/openai/v1/models");
    assert.equal(call.token, "tok-1");
    assert.equal(call.verdict, "ok");
    assert.ok(call.components.includes("authorization"));
  });

  it("reuses the cached token, and N concurrent calls make one token request", async () => {
    fake.mintDelayMs = 50;
    await Promise.all(Array.from({ length: 8 }, () => gw.callTool("serpapi", "GET", "/search.json?q=x")));
    await gw.callTool("serpapi", "GET", "/search.json", { query: { q: "y" } });
    assert.equal(fake.mints.length, 1);
    assert.equal(fake.toolCalls.length, 9);
    assert.equal(fake.toolCalls.at(-1)!.target, "/v1/tools/serpapi/search.json?q=y");
  });

  for (const code of ["token_expired", "token_revoked"] as const) {
    it(`on ${code} drops the token and retries once with a fresh token and signature`, async () => {
      await gw.tokenFor("openai", ["openai:chat"]);
      fake.refuse.set("tok-1", code);
      const response = await gw.callTool("openai", "POST", "/v1/chat/completions", { json: { model: "m" } });
      assert.equal(response.status, 200);
      assert.deepEqual(
        fake.toolCalls.map((c) => c.token),
        ["tok-1", "tok-2"],
      );
      assert.notEqual(fake.toolCalls[0]!.params.nonce, fake.toolCalls[1]!.params.nonce);
      assert.equal(new TextDecoder().decode(fake.toolCalls[1]!.body), '{"model":"m"}');
      assert.equal(
        (await gw.tokenFor("openai", ["openai:chat"])).token,
        "tok-2",
        "the fresh token is cached",
      );
    });
  }

  it("retries only once: a second token refusal is thrown", async () => {
    fake.onToolCall = () => problem(401, "token_revoked");
    await assert.rejects(
      gw.callTool("openai", "GET", "/v1/models"),
      (error: unknown) =>
        error instanceof AgentGatewayError && error.code === "token_revoked" && error.status === 401,
    );
    assert.equal(fake.toolCalls.length, 2);
    assert.equal(fake.mints.length, 2);
  });

  it("throws PolicyDeniedError with the reasons, without retrying", async () => {
    fake.onToolCall = () => problem(403, "policy_denied", { reasons: ["model gpt-x is not allowed"] });
    await assert.rejects(
      gw.callTool("openai", "POST", "/v1/chat/completions", { json: {} }),
      (error: unknown) =>
        error instanceof PolicyDeniedError &&
        error.reasons[0] === "model gpt-x is not allowed" &&
        error.requestId === "req-1",
    );
    assert.equal(fake.toolCalls.length, 1);
  });

  it("throws RateLimitedError with retryAfter; with retryOnRateLimit waits and retries once", async () => {
    let calls = 0;
    fake.onToolCall = () =>
      ++calls === 1 ? problem(429, "rate_limited", {}, { "retry-after": "1" }) : { body: "{}" };
    await assert.rejects(
      gw.callTool("openai", "GET", "/v1/models"),
      (error: unknown) => error instanceof RateLimitedError && error.retryAfter === 1,
    );

    calls = 0;
    const started = Date.now();
    const response = await gw.callTool("openai", "GET", "/v1/models", {
      retryOnRateLimit: { maxWaitMs: 2000 },
    });
    assert.equal(response.status, 200);
    assert.ok(Date.now() - started >= 950, "waited for Retry-After");

    fake.onToolCall = () => problem(429, "rate_limited", {}, { "retry-after": "1" });
    const patient = new AgentGateway({ baseUrl: fake.url, key, retryOnRateLimit: { maxWaitMs: 1500 } });
    const before = fake.toolCalls.length;
    await assert.rejects(patient.callTool("openai", "GET", "/v1/models"), RateLimitedError);
    assert.equal(fake.toolCalls.length - before, 2, "one retry, not more");

    const impatient = new AgentGateway({ baseUrl: fake.url, key, retryOnRateLimit: { maxWaitMs: 500 } });
    const quick = Date.now();
    await assert.rejects(impatient.callTool("openai", "GET", "/v1/models"), RateLimitedError);
    assert.ok(Date.now() - quick < 900, "a longer wait than allowed is not waited for");
    assert.throws(
      () => new AgentGateway({ baseUrl: fake.url, key, retryOnRateLimit: { maxWaitMs: -1 } }),
      RangeError,
    );
  });

  it("waits for a rate-limited token request too, when allowed", async () => {
    let mints = 0;
    fake.onMint = () =>
      ++mints === 1 ? problem(429, "rate_limited", {}, { "retry-after": "1" }) : undefined;
    await assert.rejects(gw.callTool("openai", "GET", "/v1/models"), RateLimitedError);
    mints = 0;
    const response = await gw.callTool("openai", "GET", "/v1/models", {
      retryOnRateLimit: { maxWaitMs: 1500 },
    });
    assert.equal(response.status, 200);
    assert.equal(mints, 2);
  });

  it("returns the tool's own error answers as they are", async () => {
    fake.onToolCall = () => ({ status: 404, body: '{"error":{"message":"no such model"}}' });
    const response = await gw.callTool("openai", "GET", "/v1/models");
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { error: { message: "no such model" } });
  });

  it("needs explicit scopes for an action it does not know, and refuses odd tool names", async () => {
    await assert.rejects(gw.callTool("openai", "DELETE", "/v1/files/x"), /pass options.scopes/);
    const response = await gw.callTool("openai", "DELETE", "/v1/files/x", { scopes: ["openai:chat"] });
    assert.equal(response.status, 200);
    await assert.rejects(gw.callTool("../admin", "GET", "/x", { scopes: ["a"] }), TypeError);
    await assert.rejects(gw.callTool("openai", "GET", "v1/models"), TypeError);
  });
});

describe("tokenFor", () => {
  it("POSTs /v1/tokens signed, with intent, and throws the gateway's typed errors", async () => {
    const token = await gw.tokenFor("gmail", ["gmail:send"], { intent: "send the weekly report" });
    assert.equal(token.tokenType, "Bearer");
    assert.deepEqual(fake.mints[0], {
      tool: "gmail",
      scopes: ["gmail:send"],
      intent: "send the weekly report",
      token: "tok-1",
    });
    assert.equal(fake.server.seen.at(-1)!.verdict, "ok");

    fake.onMint = (request) =>
      request.intent ? undefined : problem(403, "policy_denied", { reasons: ["gmail:send needs an intent"] });
    await assert.rejects(
      gw.tokenFor("gmail", ["gmail:send", "gmail:read"]),
      (error: unknown) =>
        error instanceof PolicyDeniedError && error.reasons[0] === "gmail:send needs an intent",
    );
    await assert.rejects(
      gw.gmail.send({ to: "a@example.com", subject: "s", text: "t" }),
      PolicyDeniedError,
      "a typed method passes the refusal on",
    );
  });
});
