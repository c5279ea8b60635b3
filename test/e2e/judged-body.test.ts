// The policy judges exactly what is sent (issue 11, points 4 and 5): a body with duplicate JSON member
// names is refused before any policy sees it (the policy would judge one value, the upstream may read the
// other); a Gmail header hidden behind a bare CR is refused; and the body-size rule of the example
// policies counts the bytes received, so a chunked upload without content-length cannot skip it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { signRequest } from "@agentgw/sdk";
import { type AllFakes, startAllFakes } from "../fakes/index.js";
import { assertProblemShape, type RegisteredAgent, registerAgent, signedCall } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { getToken } from "../support/tokens.js";

let fakes: AllFakes;
let gw: GatewayProcess;
let agent: RegisteredAgent;

before(async () => {
  fakes = await startAllFakes();
  // The repository's example policies (policies/), as shipped.
  gw = await startGateway({ env: fakes.env });
  agent = await registerAgent(gw, { metadata: { role: "assistant" } });
});
after(async () => {
  await gw.stop();
  gw.cleanup();
  await fakes.close();
});

async function tokenFor(tool: string, scopes: string[], who = agent) {
  return (await getToken(gw, who.key, { tool, scopes, intent: "judged body e2e test" })).token;
}

describe("duplicate JSON member names", () => {
  it("a tool call whose body names a member twice is 400 invalid_request and never reaches the upstream", async () => {
    const token = await tokenFor("openai", ["openai:chat"]);
    fakes.openai.reset();
    // The policy would see the last "model" (allowed); an upstream keeping the first would run "o1-pro".
    const body = `{"model":"o1-pro","messages":[{"role":"user","content":"hi"}],"model":"gpt-4o-mini"}`;
    const res = await signedCall(gw.url, agent.key, {
      path: "/v1/tools/openai/v1/chat/completions",
      body,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
    assertProblemShape(res, 400, "invalid_request");
    assert.match(res.body.detail, /duplicate member name "model"/);
    assert.equal(fakes.openai.received.length, 0, "nothing was forwarded");
  });

  it("names equal after unescaping count as the same member", async () => {
    const token = await tokenFor("openai", ["openai:chat"]);
    const body = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi","\\u0063ontent":"x"}]}`;
    const res = await signedCall(gw.url, agent.key, {
      path: "/v1/tools/openai/v1/chat/completions",
      body,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
    assertProblemShape(res, 400, "invalid_request");
  });

  it("a token request with a duplicate member is refused too", async () => {
    const res = await signedCall(gw.url, agent.key, {
      path: "/v1/tokens",
      // Read last-wins this would be a valid request for a serpapi token; it must not be read at all.
      body: `{"tool":"openai","scopes":["serpapi:search"],"tool":"serpapi"}`,
      headers: { "content-type": "application/json" },
    });
    assertProblemShape(res, 400, "invalid_request");
  });
});

describe("Gmail envelope", () => {
  it("a header hidden behind a bare CR is refused and nothing is sent", async () => {
    const mailer = await registerAgent(gw, { metadata: { role: "mailer" } });
    const token = await tokenFor("gmail", ["gmail:send"], mailer);
    const sentBefore = fakes.gmail.sent.length;
    const message =
      "From: agent@example.com\r\nTo: friend@example.com\r\nSubject: hello\rBcc: thief@evil.test\r\n" +
      "Content-Type: text/plain\r\n\r\nhi\r\n";
    const res = await signedCall(gw.url, mailer.key, {
      path: "/v1/tools/gmail/gmail/v1/users/me/messages/send",
      json: { raw: Buffer.from(message).toString("base64url") },
      headers: { authorization: `Bearer ${token}` },
    });
    assertProblemShape(res, 400, "invalid_request");
    assert.match(res.body.detail, /bare CR/);
    assert.equal(fakes.gmail.sent.length, sentBefore);
  });
});

describe("body size", () => {
  /** A signed POST whose body goes out chunked (no content-length), as a streaming client sends it. */
  async function chunkedCall(path: string, json: unknown, token: string) {
    const body = JSON.stringify(json);
    const url = gw.url + path;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
    };
    const signature = await signRequest({ method: "POST", url, headers, body }, agent.key);
    const bytes = Buffer.from(body);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 16_384) controller.enqueue(bytes.subarray(i, i + 16_384));
        controller.close();
      },
    });
    const res = await fetch(url, {
      method: "POST",
      headers: { ...headers, ...signature },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }

  it("a chunked body over the example policy's limit is denied (input.request.size), one under it passes", async () => {
    const token = await tokenFor("http", ["http:fetch"]);
    fakes.website.reset();
    const target = `${fakes.website.url}/echo`;
    // data.settings.max_body_bytes.http is 262144 bytes.
    const big = await chunkedCall(
      "/v1/tools/http/fetch",
      { url: target, method: "POST", body: "x".repeat(300_000) },
      token,
    );
    assertProblemShape(big, 403, "policy_denied");
    assert.ok(
      (big.body.reasons as string[]).some((r) => /exceeds the limit of 262144 bytes for tool http/.test(r)),
      JSON.stringify(big.body.reasons),
    );
    assert.equal(fakes.website.received.length, 0, "the large body was not forwarded");

    const small = await chunkedCall(
      "/v1/tools/http/fetch",
      { url: target, method: "POST", body: "x".repeat(1000) },
      token,
    );
    assert.equal(small.status, 200, JSON.stringify(small.body));
    const decisions = await gw.admin("GET", `/admin/decisions?agentId=${agent.id}&tool=http&limit=1`);
    const request = decisions.body.items[0].input.request;
    assert.equal(request.headers["content-length"], undefined, "the request was chunked");
    assert.ok(request.size > 1000 && request.size < 1200, `size ${request.size}`);
  });
});
