import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import type { GatewayError } from "../../errors.js";
import { staticCredential } from "../credential-source.js";
import { callContext, FAST_RESILIENCE, toolCall } from "../testing/calls.js";
import { type FakeGmail, startFakeGmail } from "../testing/fakes.js";
import type { ToolConnector, ToolResponse } from "../types.js";
import { createGmailConnector } from "./gmail-connector.js";

function rawMessage(headers: string, text = "Hello from the agent."): string {
  return Buffer.from(`${headers}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`).toString(
    "base64url",
  );
}

const sendCall = (raw: string) =>
  toolCall("gmail", "/gmail/v1/users/me/messages/send", {
    json: { raw },
    headers: { authorization: "Bearer agent-tool-token", cookie: "a=b" },
  });

function json(response: ToolResponse): Record<string, unknown> {
  assert.ok(Buffer.isBuffer(response.body));
  return JSON.parse(response.body.toString("utf8"));
}

describe("gmail connector", () => {
  let fake: FakeGmail;
  let connector: ToolConnector;
  before(async () => {
    fake = await startFakeGmail();
  });
  beforeEach(async () => {
    await connector?.close?.();
    fake.reset();
    connector = createGmailConnector({
      baseUrl: fake.url,
      tokenUrl: fake.tokenUrl,
      credential: staticCredential("gmail", {
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
        refreshToken: fake.refreshToken,
      }),
      resilience: FAST_RESILIENCE,
    });
  });
  after(async () => {
    await connector.close?.();
    await fake.close();
  });

  test("policyBody reads recipients and subject, never the raw message", () => {
    const raw = rawMessage(
      [
        'From: "Agent" <agent@example.com>',
        'To: "Doe, Jane" <Jane.Doe@Example.com>, bob@example.org (Bob)',
        "Cc: team: carol@example.net, Dave <dave@example.net>;",
        "Bcc: undisclosed-recipients:;",
        "Subject: =?UTF-8?B?SGVsbG8g4piA?=",
        "  and more",
      ].join("\r\n"),
    );
    assert.deepEqual(connector.policyBody(sendCall(raw)), {
      to: ["jane.doe@example.com", "bob@example.org"],
      cc: ["carol@example.net", "dave@example.net"],
      bcc: [],
      subject: "Hello ☀ and more",
    });
  });

  test("invalid base64url or RFC 2822 is invalid_request", () => {
    const invalid = (e: GatewayError) => e.code === "invalid_request";
    assert.throws(() => connector.policyBody(sendCall("not base64!")), invalid);
    assert.throws(
      () => connector.policyBody(sendCall(Buffer.from("no header here").toString("base64url"))),
      invalid,
    );
    assert.throws(() => connector.policyBody(sendCall(rawMessage("To: <broken"))), invalid);
    assert.throws(() => connector.policyBody({ ...sendCall(""), json: { raw: 42 } }), invalid);
  });

  test("send goes out with the OAuth token and none of the agent's headers", async () => {
    const raw = rawMessage("To: Friend <friend@example.com>\r\nSubject: Hi");
    const response = await connector.forward(sendCall(raw), callContext());
    assert.equal(response.status, 200);
    assert.deepEqual(json(response).labelIds, ["SENT"]);
    assert.deepEqual(fake.sent[0]?.to, ["friend@example.com"]);
    const seen = fake.received.find((r) => r.path.endsWith("/messages/send"))!;
    assert.match(seen.headers.authorization ?? "", /^Bearer ya29\.fake-/);
    assert.equal(seen.headers.cookie, undefined);
    const text = JSON.stringify(response);
    for (const secret of [fake.clientSecret, fake.refreshToken]) assert.ok(!text.includes(secret));
  });

  test("the access token is cached, refreshed single-flight, and refreshed once on a 401", async () => {
    const list = () => connector.forward(toolCall("gmail", "/gmail/v1/users/me/messages"), callContext());
    const answers = await Promise.all([list(), list(), list()]);
    assert.ok(answers.every((a) => a.status === 200));
    assert.equal(fake.tokenCalls, 1);
    const first = json(answers[0]!) as { messages: Array<{ id: string }> };
    const one = await connector.forward(
      toolCall("gmail", `/gmail/v1/users/me/messages/${first.messages[0]!.id}`, { query: "format=metadata" }),
      callContext(),
    );
    assert.equal(one.status, 200);
    assert.equal(fake.tokenCalls, 1);

    fake.revokeAccessTokens();
    const again = await list();
    assert.equal(again.status, 200);
    assert.equal(fake.tokenCalls, 2);
  });

  test("a refused refresh token is an upstream error without secrets", async () => {
    const bad = createGmailConnector({
      baseUrl: fake.url,
      tokenUrl: fake.tokenUrl,
      credential: staticCredential("gmail", {
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
        refreshToken: "1//revoked-refresh-token",
      }),
      resilience: FAST_RESILIENCE,
    });
    await assert.rejects(
      bad.forward(toolCall("gmail", "/gmail/v1/users/me/messages"), callContext()),
      (e: GatewayError) => {
        assert.equal(e.code, "upstream_error");
        assert.match(e.detail, /invalid_grant/);
        assert.ok(!e.detail.includes("revoked-refresh-token") && !e.detail.includes(fake.clientSecret));
        return true;
      },
    );
    await bad.close?.();
  });

  test("without OAuth credentials the tool is unavailable", async () => {
    const off = createGmailConnector({
      baseUrl: fake.url,
      tokenUrl: fake.tokenUrl,
      credential: staticCredential("gmail", undefined),
      resilience: FAST_RESILIENCE,
    });
    assert.equal(off.available(), false);
    await assert.rejects(
      off.forward(toolCall("gmail", "/gmail/v1/users/me/messages"), callContext()),
      (e: GatewayError) => e.code === "upstream_unavailable",
    );
    await off.close?.();
  });
});
