import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, beforeEach, describe, it } from "node:test";
import OpenAI from "openai";
import { type FakeGmail, startFakeGmail } from "./fake-gmail.js";
import { type FakeOpenAi, startFakeOpenAi } from "./fake-openai.js";
import { type FakeWebsite, startFakeWebsite } from "./fake-website.js";

const chat = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "hello there" }] };

describe("scripted misbehaviour", () => {
  let openai: FakeOpenAi;
  let website: FakeWebsite;

  before(async () => {
    openai = await startFakeOpenAi({ chunkDelayMs: 20 });
    website = await startFakeWebsite();
  });
  beforeEach(() => {
    openai.reset();
    website.reset();
  });
  after(async () => {
    await openai.close();
    await website.close();
  });

  it("fails the next N requests with the status and Retry-After, then serves normally", async () => {
    openai.behave({ fail: { times: 2, status: 503, retryAfter: 1 } });
    const headers = { authorization: `Bearer ${openai.apiKey}` };
    const first = await fetch(`${openai.url}/v1/models`, { headers });
    assert.equal(first.status, 503);
    assert.equal(first.headers.get("retry-after"), "1");
    assert.equal(((await first.json()) as { error: { type: string } }).error.type, "server_error");
    assert.equal((await fetch(`${openai.url}/v1/models`, { headers })).status, 503);
    assert.equal((await fetch(`${openai.url}/v1/models`, { headers })).status, 200);
    assert.deepEqual(
      openai.received.map((r) => r.status),
      [503, 503, 200],
    );
  });

  it("lets the official client's retries get through a 429 with Retry-After", async () => {
    openai.behave({ fail: { times: 1, status: 429, retryAfter: 0, message: "Rate limit reached" } });
    const client = new OpenAI({ apiKey: openai.apiKey, baseURL: `${openai.url}/v1`, maxRetries: 1 });
    const completion = await client.chat.completions.create(chat);
    assert.equal(completion.choices[0]?.message.content, "Echo: hello there");
    assert.equal(openai.received.length, 2);
    assert.equal(openai.received[0]?.status, 429);
  });

  it("limits a failure to one path prefix", async () => {
    website.behave({ fail: { status: 502, path: "/page" } });
    assert.equal((await fetch(`${website.url}/json`)).status, 200);
    assert.equal((await fetch(`${website.url}/page`)).status, 502);
    assert.equal((await fetch(`${website.url}/page`)).status, 200);
  });

  it("hangs so a client timeout fires, and records that the client gave up", async () => {
    openai.behave({ hang: { times: 1 } });
    const client = new OpenAI({
      apiKey: openai.apiKey,
      baseURL: `${openai.url}/v1`,
      maxRetries: 0,
      timeout: 150,
    });
    await assert.rejects(
      client.chat.completions.create(chat),
      (e: unknown) => e instanceof OpenAI.APIConnectionTimeoutError,
    );
    const hung = await openai.waitForRequest((r) => r.clientDisconnected);
    assert.equal(hung.outcome, "hung");
    assert.equal(hung.status, undefined);
    const after = await client.chat.completions.create(chat);
    assert.equal(after.choices[0]?.message.content, "Echo: hello there", "only the next request hangs");
  });

  it("delays every response by the scripted time until reset", async () => {
    website.behave({ delayMs: 300 });
    const started = Date.now();
    await (await fetch(`${website.url}/page`)).text();
    await (await fetch(`${website.url}/json`)).text();
    assert.ok(Date.now() - started >= 590, "both answers were delayed");
    website.reset();
    const again = Date.now();
    await (await fetch(`${website.url}/page`)).text();
    assert.ok(Date.now() - again < 290, "reset turns the delay off");
  });

  it("drops a stream mid-way: the client sees the first chunks, then an error", async () => {
    openai.behave({ drop: { times: 1, afterChunks: 2 } });
    const client = new OpenAI({ apiKey: openai.apiKey, baseURL: `${openai.url}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({ ...chat, stream: true });
    let chunks = 0;
    await assert.rejects(async () => {
      for await (const _chunk of stream) chunks += 1;
    });
    assert.equal(chunks, 2);
    assert.equal(openai.received[0]?.outcome, "dropped");
    assert.equal(openai.received[0]?.clientDisconnected, false);
  });

  it("drops a plain response after its head and half its body", async () => {
    website.behave({ drop: true });
    const response = await fetch(`${website.url}/page`);
    assert.equal(response.status, 200);
    await assert.rejects(response.text());
    assert.equal(website.received[0]?.outcome, "dropped");
  });

  it("rejects nonsense behaviour at once", () => {
    assert.throws(() => openai.behave({ fail: { status: 200 } }), RangeError);
    assert.throws(() => openai.behave({ delayMs: -1 }), RangeError);
    assert.throws(() => openai.behave({ hang: { times: 1.5 } }), RangeError);
  });

  it("cuts hung connections on close", async () => {
    const fake = await startFakeWebsite();
    fake.behave({ hang: true });
    const outcome = new Promise<string>((resolve) => {
      const req = httpRequest(`${fake.url}/page`, (res) => resolve(`answered ${res.statusCode}`));
      req.on("error", (error) => resolve(error.message));
      req.end();
    });
    await fake.waitForRequest((r) => r.outcome === "hung");
    await fake.close();
    assert.match(await outcome, /socket hang up|ECONNRESET/);
  });
});

describe("misbehaviour on the Gmail token endpoint", () => {
  let gmail: FakeGmail;
  before(async () => {
    gmail = await startFakeGmail();
  });
  after(() => gmail.close());

  it("answers scripted failures there in the OAuth error shape", async () => {
    gmail.behave({ fail: { status: 503, path: "/token", retryAfter: 2 } });
    const response = await fetch(gmail.tokenUrl, { method: "POST", body: new URLSearchParams({}) });
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("retry-after"), "2");
    const body = (await response.json()) as { error: string; error_description: string };
    assert.equal(body.error, "temporarily_unavailable");
  });
});
