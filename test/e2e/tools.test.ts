// Tool calls end to end (CONTRACT.md §6, issue 6): a real gateway forwards signed,
// token-bearing calls to fakes that speak each tool's wire format.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createSignedFetch, signRequest } from "@agentgw/sdk";
import OpenAI from "openai";
import { type AllFakes, buildMessage, startAllFakes } from "../fakes/index.js";
import { assertProblemShape, type RegisteredAgent, registerAgent, signedCall } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { allowAllPolicy, policyFolder, writeConfig } from "../support/policies.js";
import { getToken } from "../support/tokens.js";

let fakes: AllFakes;
let gw: GatewayProcess;
let agent: RegisteredAgent;

const FAST_RESILIENCE = {
  timeoutMs: 1500,
  connectTimeoutMs: 1000,
  retries: 2,
  backoffBaseMs: 20,
  backoffMaxMs: 2000,
  breakerThreshold: 3,
  breakerHalfOpenAfterMs: 800,
  cacheTtlSeconds: 30,
};

before(async () => {
  fakes = await startAllFakes();
  const config = writeConfig({
    tools: {
      openai: { resilience: FAST_RESILIENCE },
      serpapi: { resilience: FAST_RESILIENCE },
      gmail: { resilience: FAST_RESILIENCE },
    },
  });
  gw = await startGateway({ env: fakes.env, args: ["--config", config] });
  agent = await registerAgent(gw, { name: "tool-user" });
});
after(async () => {
  await gw.stop();
  gw.cleanup();
  await fakes.close();
});

async function toolCall(
  target: GatewayProcess,
  who: RegisteredAgent,
  tool: string,
  scopes: string[],
  request: {
    method?: string;
    path: string;
    json?: unknown;
    headers?: Record<string, string>;
    intent?: string;
  },
) {
  const { token } = await getToken(target, who.key, {
    tool,
    scopes,
    ...(request.intent ? { intent: request.intent } : {}),
  });
  return signedCall(target.url, who.key, {
    ...(request.method ? { method: request.method } : {}),
    path: request.path,
    ...(request.json !== undefined ? { json: request.json } : {}),
    headers: { authorization: `Bearer ${token}`, ...request.headers },
  });
}

const chat = (content: string, extra: Record<string, unknown> = {}) => ({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content }],
  ...extra,
});

describe("each connector's happy path", () => {
  it("openai chat completion: the upstream sees the gateway's key and none of the agent's credentials", async () => {
    fakes.reset();
    const res = await toolCall(gw, agent, "openai", ["openai:chat"], {
      path: "/v1/tools/openai/v1/chat/completions",
      json: chat("hello there"),
      headers: {
        cookie: "session=agent-cookie",
        "x-request-id": "tools-req-1",
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.object, "chat.completion");
    assert.equal(res.body.choices[0].message.content, "Echo: hello there");
    const upstream = fakes.openai.received.at(-1)!;
    assert.equal(upstream.headers.authorization, `Bearer ${fakes.openai.apiKey}`);
    for (const name of ["signature", "signature-input", "content-digest", "cookie"])
      assert.equal(upstream.headers[name], undefined, name);
    assert.equal(upstream.headers["x-request-id"], "tools-req-1");
    assert.match(upstream.headers.traceparent ?? "", /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    assert.ok(!JSON.stringify(res.body).includes(fakes.openai.apiKey));
    assert.ok(![...res.headers.values()].some((v) => v.includes(fakes.openai.apiKey)));
  });

  it("openai responses, embeddings and models.list", async () => {
    const responses = await toolCall(gw, agent, "openai", ["openai:chat"], {
      path: "/v1/tools/openai/v1/responses",
      json: { model: "gpt-4o-mini", input: "hi" },
    });
    assert.equal(responses.status, 200, JSON.stringify(responses.body));
    assert.equal(responses.body.object, "response");
    const embeddings = await toolCall(gw, agent, "openai", ["openai:embeddings"], {
      path: "/v1/tools/openai/v1/embeddings",
      json: { model: "text-embedding-3-small", input: "hi" },
    });
    assert.equal(embeddings.status, 200, JSON.stringify(embeddings.body));
    assert.equal(embeddings.body.data[0].object, "embedding");
    const models = await toolCall(gw, agent, "openai", ["openai:models"], {
      path: "/v1/tools/openai/v1/models",
    });
    assert.equal(models.status, 200, JSON.stringify(models.body));
    assert.equal(models.body.object, "list");
  });

  it("gmail send, list and get; the upstream gets an OAuth access token, never the refresh token", async () => {
    fakes.reset();
    const raw = Buffer.from(
      buildMessage({
        from: "agent@example.com",
        to: "Bob <bob@example.com>",
        subject: "Weekly report",
        text: "All green.",
      }),
    ).toString("base64url");
    const sent = await toolCall(gw, agent, "gmail", ["gmail:send"], {
      path: "/v1/tools/gmail/gmail/v1/users/me/messages/send",
      json: { raw },
      intent: "send the weekly report to bob",
    });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.deepEqual(sent.body.labelIds, ["SENT"]);
    assert.equal(fakes.gmail.sent.at(-1)?.subject, "Weekly report");
    const upstream = fakes.gmail.received.find((r) => r.path.endsWith("/messages/send"))!;
    assert.match(upstream.headers.authorization ?? "", /^Bearer /);
    assert.ok(!upstream.headers.authorization!.includes(fakes.gmail.refreshToken));
    const list = await toolCall(gw, agent, "gmail", ["gmail:read"], {
      path: "/v1/tools/gmail/gmail/v1/users/me/messages?maxResults=5",
    });
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.ok(list.body.messages.length >= 1);
    const got = await toolCall(gw, agent, "gmail", ["gmail:read"], {
      path: `/v1/tools/gmail/gmail/v1/users/me/messages/${sent.body.id}?format=metadata`,
    });
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.equal(got.body.id, sent.body.id);
  });

  it("gmail refreshes its access token once when Gmail answers 401", async () => {
    const before = fakes.gmail.tokenCalls;
    fakes.gmail.revokeAccessTokens();
    const list = await toolCall(gw, agent, "gmail", ["gmail:read"], {
      path: "/v1/tools/gmail/gmail/v1/users/me/messages",
    });
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.equal(fakes.gmail.tokenCalls, before + 1);
  });

  it("serpapi search: the gateway adds its api_key and drops the agent's; a repeat is served from the cache", async () => {
    fakes.reset();
    const path = "/v1/tools/serpapi/search.json?q=agent%20gateway&engine=google&api_key=agent-guess";
    const first = await toolCall(gw, agent, "serpapi", ["serpapi:search"], { path });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.search_metadata.status, "Success");
    assert.equal(first.body.organic_results[0].title, "agent gateway - result 1");
    assert.equal(fakes.serpapi.received.length, 1);
    assert.equal(fakes.serpapi.received[0]!.query.api_key, fakes.serpapi.apiKey);
    assert.ok(!JSON.stringify(first.body).includes(fakes.serpapi.apiKey));
    const second = await toolCall(gw, agent, "serpapi", ["serpapi:search"], { path });
    assert.equal(second.status, 200);
    assert.equal(second.headers.get("x-agentgw-cache"), "hit");
    assert.equal(fakes.serpapi.received.length, 1, "served from the cache");
  });

  it("http fetch of an allow-listed page", async () => {
    const res = await toolCall(gw, agent, "http", ["http:fetch"], {
      path: "/v1/tools/http/fetch",
      json: { url: `${fakes.website.url}/page` },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 200);
    assert.equal(typeof res.body.body, "string");
    assert.ok(res.body.body.length > 0);
    assert.equal(typeof res.body.headers, "object");
  });
});

describe("streaming", () => {
  it("SSE chunks arrive before the upstream has finished", async () => {
    fakes.reset();
    fakes.openai.script({ chunkDelayMs: 300 });
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:chat"] });
    const signedFetch = createSignedFetch(agent.key);
    const res = await signedFetch(`${gw.url}/v1/tools/openai/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(chat("one two three four five six", { stream: true })),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.ok(!first.done);
    assert.match(Buffer.from(first.value!).toString(), /^data: \{/);
    const upstream = fakes.openai.received.at(-1)!;
    assert.equal(
      upstream.outcome,
      "pending",
      "the first chunk reached the agent while the upstream was still sending",
    );
    let text = Buffer.from(first.value!).toString();
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      text += Buffer.from(next.value).toString();
    }
    assert.match(text, /data: \[DONE\]/);
  });

  it("an agent that hangs up cancels the upstream request", async () => {
    fakes.reset();
    fakes.openai.script({ chunkDelayMs: 300 });
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:chat"] });
    const controller = new AbortController();
    const res = await createSignedFetch(agent.key)(`${gw.url}/v1/tools/openai/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(chat("a b c d e f g h i j k l m n o p", { stream: true })),
      signal: controller.signal,
    });
    await res.body!.getReader().read();
    controller.abort();
    const seen = await fakes.openai.waitForRequest((r) => r.clientDisconnected, 5000);
    assert.equal(seen.clientDisconnected, true);
  });

  it("the official openai npm client works through the gateway with the SDK's signed fetch, streaming included", async () => {
    const { token } = await getToken(gw, agent.key, {
      tool: "openai",
      scopes: ["openai:chat", "openai:models"],
    });
    fakes.openai.script({ chunkDelayMs: 5 });
    const client = new OpenAI({
      apiKey: token,
      baseURL: `${gw.url}/v1/tools/openai/v1`,
      fetch: createSignedFetch(agent.key),
      maxRetries: 0,
    });
    const completion = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "via the official client" }],
    });
    assert.equal(completion.choices[0]!.message.content, "Echo: via the official client");
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "stream me" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = "";
    let usage: unknown;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(content, "Echo: stream me");
    assert.ok(usage, "usage arrives in the last chunk");
    const models = await client.models.list();
    assert.ok(models.data.length > 0);
  });
});

describe("resilience", () => {
  it("an idempotent read is retried with backoff until it succeeds", async () => {
    fakes.reset();
    fakes.serpapi.behave({ fail: { status: 503, times: 2 } });
    const res = await toolCall(gw, agent, "serpapi", ["serpapi:search"], {
      path: "/v1/tools/serpapi/search.json?q=retry-me",
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(fakes.serpapi.received.length, 3);
  });

  it("a non-idempotent call is not retried on a 500; the agent gets the upstream's answer", async () => {
    fakes.reset();
    fakes.openai.behave({ fail: { status: 500, times: 1 } });
    const res = await toolCall(gw, agent, "openai", ["openai:chat"], {
      path: "/v1/tools/openai/v1/chat/completions",
      json: chat("no retry"),
    });
    assert.ok(res.status >= 500, `status ${res.status}`);
    assert.equal(fakes.openai.received.filter((r) => r.path === "/v1/chat/completions").length, 1);
  });

  it("a 429 with Retry-After is retried after waiting, even for a non-idempotent call", async () => {
    fakes.reset();
    fakes.openai.behave({ fail: { status: 429, times: 1, retryAfter: 1 } });
    const started = Date.now();
    const res = await toolCall(gw, agent, "openai", ["openai:chat"], {
      path: "/v1/tools/openai/v1/chat/completions",
      json: chat("after a 429"),
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(fakes.openai.received.filter((r) => r.path === "/v1/chat/completions").length, 2);
    assert.ok(Date.now() - started >= 900, "Retry-After was respected");
  });

  it("a hanging upstream answers 504 upstream_timeout", async () => {
    fakes.reset();
    fakes.openai.behave({ hang: { times: 1 } });
    const res = await toolCall(gw, agent, "openai", ["openai:chat"], {
      path: "/v1/tools/openai/v1/chat/completions",
      json: chat("hang"),
    });
    assertProblemShape(res, 504, "upstream_timeout");
  });

  it("repeated failures open the circuit (503 without calling upstream), a half-open probe closes it", async () => {
    fakes.reset();
    fakes.openai.behave({ fail: { status: 500, times: 100, path: "/v1/models" } });
    for (let i = 0; i < 3; i++) {
      const res = await toolCall(gw, agent, "openai", ["openai:models"], {
        path: "/v1/tools/openai/v1/models",
      });
      assert.ok(res.status >= 500);
    }
    const seen = fakes.openai.received.length;
    const open = await toolCall(gw, agent, "openai", ["openai:models"], {
      path: "/v1/tools/openai/v1/models",
    });
    assertProblemShape(open, 503, "upstream_unavailable");
    assert.equal(fakes.openai.received.length, seen, "no upstream call while the circuit is open");
    fakes.openai.reset();
    await new Promise((r) => setTimeout(r, 1000));
    const probe = await toolCall(gw, agent, "openai", ["openai:models"], {
      path: "/v1/tools/openai/v1/models",
    });
    assert.equal(probe.status, 200, JSON.stringify(probe.body));
  });
});

describe("the example policy denies", () => {
  const deny = async (
    tool: string,
    scopes: string[],
    request: Parameters<typeof toolCall>[4],
    reason: RegExp,
  ) => {
    const res = await toolCall(gw, agent, tool, scopes, request);
    assertProblemShape(res, 403, "policy_denied");
    assert.match(res.body.reasons.join(" | "), reason);
  };
  it("a max_tokens above the tier's cap", () =>
    deny(
      "openai",
      ["openai:chat"],
      { path: "/v1/tools/openai/v1/chat/completions", json: chat("big", { max_tokens: 100_000 }) },
      /max_tokens/,
    ));
  it("a model outside the tier's allow-list", () =>
    deny(
      "openai",
      ["openai:chat"],
      { path: "/v1/tools/openai/v1/chat/completions", json: { ...chat("x"), model: "gpt-4o" } },
      /gpt-4o/,
    ));
  it("a Gmail recipient outside the allowed domains needs a person's approval", async () => {
    const raw = Buffer.from(
      buildMessage({ from: "agent@example.com", to: "mallory@evil.test", subject: "hi", text: "x" }),
    ).toString("base64url");
    const res = await toolCall(gw, agent, "gmail", ["gmail:send"], {
      path: "/v1/tools/gmail/gmail/v1/users/me/messages/send",
      json: { raw },
      intent: "send a note to a partner",
    });
    assertProblemShape(res, 403, "approval_required");
    assert.match(res.body.approvalId, /^apr_/);
    assert.match(res.body.reason, /evil\.test is outside the agent's allowed domains/);
  });
  it("a host that is not allow-listed", () =>
    deny(
      "http",
      ["http:fetch"],
      { path: "/v1/tools/http/fetch", json: { url: "http://evilexample.com/" } },
      /evilexample\.com/,
    ));
  it("and a denied call reaches no upstream", async () => {
    fakes.reset();
    await deny(
      "openai",
      ["openai:chat"],
      { path: "/v1/tools/openai/v1/chat/completions", json: { ...chat("x"), model: "gpt-4o" } },
      /gpt-4o/,
    );
    assert.equal(fakes.openai.received.length, 0);
  });
});

describe("obligations on responses", () => {
  it("redact, truncate and block_patterns are applied before the agent sees the answer", async () => {
    const policy = policyFolder(
      allowAllPolicy(
        '{"redact": ["/usage", "/system_fingerprint"], "truncate": {"/id": 8}, "block_patterns": ["\\\\b(?:\\\\d[ -]?){13,16}\\\\b", "sk-[A-Za-z0-9]{20,}"]}',
      ),
    );
    const strict = await startGateway({ env: { ...fakes.env, AGENTGW_POLICY: policy } });
    try {
      const who = await registerAgent(strict);
      fakes.openai.script({ reply: "card 4111 1111 1111 1111 and key sk-abcdefghijklmnopqrstuvwx end" });
      const res = await toolCall(strict, who, "openai", ["openai:chat"], {
        path: "/v1/tools/openai/v1/chat/completions",
        json: chat("leak"),
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.usage, undefined, "redacted");
      assert.ok(res.body.id.length <= 8, "truncated");
      const content: string = res.body.choices[0].message.content;
      assert.ok(!content.includes("4111"), content);
      assert.ok(!content.includes("sk-abcdef"), content);
      assert.match(content, /\[blocked\]/);
    } finally {
      fakes.openai.reset();
      await strict.stop();
      strict.cleanup();
    }
  });
});

describe("secrets stay inside the gateway", () => {
  it("no upstream secret is in the logs, the store, or any answer", async () => {
    const secrets = [
      fakes.openai.apiKey,
      fakes.serpapi.apiKey,
      fakes.gmail.clientSecret,
      fakes.gmail.refreshToken,
    ];
    const decisions = await gw.admin("GET", "/admin/decisions?limit=200");
    const audit = await gw.admin("GET", "/admin/audit?limit=200");
    const haystacks: Array<[string, string]> = [
      ["logs", gw.output()],
      ["decisions", JSON.stringify(decisions.body)],
      ["audit", JSON.stringify(audit.body)],
    ];
    for (const file of readdirSync(gw.dataDir)) {
      if (file.startsWith("agentgw.db"))
        haystacks.push([file, readFileSync(join(gw.dataDir, file)).toString("latin1")]);
    }
    for (const [where, text] of haystacks) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `${where} contains a secret`);
    }
    // Gmail's recorded policy input is the parsed envelope, never the raw message.
    const gmail = decisions.body.items.find(
      (d: { tool: string; action: string; allow: boolean }) =>
        d.tool === "gmail" && d.action === "messages.send" && d.allow,
    );
    assert.ok(gmail, "a gmail send decision was recorded");
    assert.equal(gmail.input.request.body.raw, undefined);
    assert.deepEqual(gmail.input.request.body.to, ["bob@example.com"]);
  });
});

describe("unknown tools and routes", () => {
  it("refuses an unknown tool and an unknown route of a known tool", async () => {
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:models"] });
    const unknownTool = await signedCall(gw.url, agent.key, {
      path: "/v1/tools/slack/api/chat.postMessage",
      json: {},
      headers: { authorization: `Bearer ${token}` },
    });
    assertProblemShape(unknownTool, 404, "unknown_tool");
    const unknownRoute = await signedCall(gw.url, agent.key, {
      path: "/v1/tools/openai/v1/files",
      headers: { authorization: `Bearer ${token}` },
    });
    assertProblemShape(unknownRoute, 404, "unknown_tool");
  });
  it("signatures still cover tool calls: a token without the signature is refused", async () => {
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:models"] });
    const res = await fetch(`${gw.url}/v1/tools/openai/v1/models`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).code, "signature_missing");
    // and the Authorization header is covered: swapping it after signing breaks the signature
    const other = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:models"] });
    const headers = await signRequest(
      {
        method: "GET",
        url: `${gw.url}/v1/tools/openai/v1/models`,
        headers: { authorization: `Bearer ${token}` },
      },
      agent.key,
    );
    const swapped = await fetch(`${gw.url}/v1/tools/openai/v1/models`, {
      headers: { ...headers, authorization: `Bearer ${other.token}` },
    });
    assert.equal((await swapped.json()).code, "signature_invalid");
  });
});
