// Official clients, unchanged: the OpenAI JS clients 6.x and 7.x show the gateway's reason for a refusal
// (OpenAI's error member on OpenAI routes), a browser agent's preflight is answered for an allowed origin,
// and a third-party verifier finds the token keys from the issuer URL alone (RFC 8414).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AgentGateway } from "@agentgw/sdk";
import { createGmailClient } from "@agentgw/sdk/gmail";
import { createRemoteJWKSet, jwtVerify } from "jose";
import OpenAI6 from "openai";
import OpenAI7 from "openai7";
import { type AllFakes, buildMessage, startAllFakes } from "../fakes/index.js";
import { type RegisteredAgent, registerAgent } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { getToken } from "../support/tokens.js";

const BROWSER_APP = "https://agent-app.example.com";
let fakes: AllFakes;
let gw: GatewayProcess;
let agent: RegisteredAgent;
let client: AgentGateway;

before(async () => {
  fakes = await startAllFakes();
  gw = await startGateway({
    env: { ...fakes.env, AGENTGW_CORS_ORIGINS: `${BROWSER_APP}, https://other.example` },
  });
  agent = await registerAgent(gw, { name: "official-clients" });
  client = new AgentGateway({ baseUrl: gw.url, key: agent.key });
});
after(async () => {
  await gw?.stop();
  gw?.cleanup();
  await fakes?.close();
});

describe("the official OpenAI clients show the gateway's reason", () => {
  for (const [version, OpenAI] of [
    ["6.x", OpenAI6],
    ["7.x", OpenAI7],
  ] as const) {
    it(`openai ${version}: a policy denial is a PermissionDeniedError with the reason and code`, async () => {
      // One shape for both majors' clients, so the same calls type-check against either.
      const official = new OpenAI({
        apiKey: "replaced-by-the-tool-token",
        baseURL: client.baseUrlFor("openai"),
        fetch: client.fetchFor("openai", { scopes: ["openai:chat"] }),
        maxRetries: 0,
      }) as unknown as OpenAI6;
      const ok = await official.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "hello" }],
      });
      assert.equal(ok.choices[0]?.message.content, "Echo: hello");
      // The example policy allows only some models to the default tier.
      const refused = await official.chat.completions
        .create({ model: "gpt-4o", messages: [{ role: "user", content: "hello" }] })
        .then(
          () => assert.fail("gpt-4o should be refused"),
          (error: unknown) => error,
        );
      assert.ok(refused instanceof OpenAI.PermissionDeniedError, String(refused));
      assert.equal(refused.status, 403);
      assert.equal(refused.code, "policy_denied");
      assert.equal(refused.type, "permission_error");
      assert.match(refused.message, /^403 .*gpt-4o/);
      assert.doesNotMatch(refused.message, /no body/);
    });
  }

  it("the problem document keeps its own members beside OpenAI's", async () => {
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:chat"] });
    const res = await client.fetchFor("openai", { scopes: ["openai:chat"] })(
      `${client.baseUrlFor("openai")}/chat/completions`,
      {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] }),
      },
    );
    assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
    const body = await res.json();
    assert.equal(body.code, "policy_denied");
    assert.ok(Array.isArray(body.reasons) && body.reasons.length > 0);
    assert.deepEqual(Object.keys(body.error).sort(), ["code", "message", "param", "type"]);
    assert.equal(body.error.message, body.detail);
  });
});

describe("the official Gmail client (@googleapis/gmail) through the gateway", () => {
  const message = (to: string, subject: string) =>
    buildMessage({ from: "agent@example.com", to, subject, text: "Sent by the official client." });

  it("lists and reads with userId me or the mailbox's address", async () => {
    const gmail = await createGmailClient(client);
    const listed = await gmail.users.messages.list({ userId: "me", maxResults: 5 });
    assert.equal(listed.status, 200);
    const first = listed.data.messages?.[0];
    assert.ok(first?.id, "the fake mailbox has seeded messages");
    const byAddress = await gmail.users.messages.list({ userId: fakes.gmail.emailAddress, maxResults: 5 });
    assert.deepEqual(
      byAddress.data.messages?.map((m) => m.id),
      listed.data.messages?.map((m) => m.id),
    );
    const got = await gmail.users.messages.get({ userId: "me", id: first.id, format: "metadata" });
    assert.equal(got.data.id, first.id);
    assert.ok(
      fakes.gmail.received.some((r) => r.path === `/gmail/v1/users/${fakes.gmail.emailAddress}/messages`),
      "the address reached Gmail as the userId",
    );
  });

  it("sends as JSON raw, as a media upload and as a multipart upload", async () => {
    const gmail = await createGmailClient(client, { intent: "send the weekly report to bob" });
    fakes.gmail.reset();
    const json = await gmail.users.messages.send({
      userId: "me",
      requestBody: { raw: Buffer.from(message("bob@example.com", "as json")).toString("base64url") },
    });
    assert.equal(json.status, 200);
    const media = await gmail.users.messages.send({
      userId: "me",
      media: { mimeType: "message/rfc822", body: message("bob@example.com", "as media") },
    });
    assert.equal(media.status, 200);
    const multipart = await gmail.users.messages.send({
      userId: "me",
      requestBody: {},
      media: { mimeType: "message/rfc822", body: message("bob@example.com", "as multipart") },
    });
    assert.equal(multipart.status, 200);
    assert.deepEqual(
      fakes.gmail.sent.map((m) => m.subject),
      ["as json", "as media", "as multipart"],
    );
    const uploads = fakes.gmail.received.filter((r) => r.path.startsWith("/upload/"));
    assert.deepEqual(
      uploads.map((r) => r.query.uploadType),
      ["media", "multipart"],
    );
  });

  it("an uploaded message is judged by the policy like any other", async () => {
    const gmail = await createGmailClient(client, { intent: "send the weekly report to bob" });
    fakes.gmail.reset();
    const refused = await gmail.users.messages
      .send({
        userId: "me",
        media: { mimeType: "message/rfc822", body: message("mallory@evil.test", "leak") },
      })
      .then(
        () => assert.fail("a recipient outside the allowed domains must not be sent to"),
        (error: { status?: number; response?: { data?: unknown } }) => error,
      );
    assert.equal(refused.status, 403);
    const decisions = await gw.admin("GET", `/admin/decisions?agentId=${agent.id}&tool=gmail&limit=1`);
    const last = decisions.body.items[0];
    assert.deepEqual([last.action, last.allow], ["messages.send", false]);
    assert.deepEqual(
      last.input.request.body.to,
      ["mallory@evil.test"],
      "the policy saw the uploaded message's recipient",
    );
    assert.equal(fakes.gmail.sent.length, 0);
  });
});

describe("CORS for browser agents", () => {
  it("answers the preflight of an allowed origin with the signature headers allowed", async () => {
    const res = await fetch(`${gw.url}/v1/tokens`, {
      method: "OPTIONS",
      headers: {
        origin: BROWSER_APP,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,content-digest,signature,signature-input",
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), BROWSER_APP);
    assert.match(res.headers.get("access-control-allow-headers") ?? "", /signature-input/);
    assert.match(res.headers.get("access-control-allow-methods") ?? "", /POST/);
  });

  it("marks the signed answers to that origin, and nothing for another origin or the admin API", async () => {
    const signed = new AgentGateway({
      baseUrl: gw.url,
      key: agent.key,
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set("origin", BROWSER_APP);
        return fetch(input, { ...init, headers });
      },
    });
    const me = await signed.whoami();
    assert.equal(me.agent.id, agent.id);
    const raw = await fetch(`${gw.url}/v1/whoami`, { headers: { origin: BROWSER_APP } });
    assert.equal(raw.status, 401, "a CORS answer still needs a signature");
    assert.equal(raw.headers.get("access-control-allow-origin"), BROWSER_APP);
    assert.match(raw.headers.get("access-control-expose-headers") ?? "", /x-request-id/);

    const stranger = await fetch(`${gw.url}/v1/tokens`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    assert.equal(stranger.headers.get("access-control-allow-origin"), null);
    const admin = await fetch(`${gw.url}/admin/agents`, {
      method: "OPTIONS",
      headers: { origin: BROWSER_APP, "access-control-request-method": "GET" },
    });
    assert.equal(admin.headers.get("access-control-allow-origin"), null);
  });
});

describe("token discovery (RFC 8414)", () => {
  it("names the issuer and jwks_uri, enough for a third party to verify a tool token", async () => {
    const res = await fetch(`${gw.url}/.well-known/oauth-authorization-server`);
    assert.equal(res.status, 200);
    const metadata = await res.json();
    assert.equal(metadata.issuer, gw.url);
    assert.equal(metadata.jwks_uri, `${gw.url}/.well-known/jwks.json`);
    assert.deepEqual(metadata.response_types_supported, []);

    const { token } = await getToken(gw, agent.key, { tool: "serpapi", scopes: ["serpapi:search"] });
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createRemoteJWKSet(new URL(metadata.jwks_uri)),
      {
        issuer: metadata.issuer,
        audience: "serpapi",
      },
    );
    assert.equal(payload.sub, agent.id);
    assert.equal(protectedHeader.alg, "EdDSA");
  });
});
