import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { type FakeGmail, startFakeGmail } from "./fake-gmail.js";

interface TokenResponse {
  access_token: string;
  expires_in: number;
  token_type: string;
  scope: string;
}

describe("fake Gmail and its OAuth2 token endpoint", () => {
  let fake: FakeGmail;
  let now = Date.UTC(2026, 5, 1);

  before(async () => {
    fake = await startFakeGmail({ accessTokenTtlSeconds: 60, now: () => now });
  });
  beforeEach(() => fake.reset());
  after(() => fake.close());

  async function refresh(overrides: Record<string, string> = {}): Promise<Response> {
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: fake.refreshToken,
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
      ...overrides,
    });
    return fetch(fake.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
    });
  }

  async function accessToken(): Promise<string> {
    const response = await refresh();
    assert.equal(response.status, 200);
    return ((await response.json()) as TokenResponse).access_token;
  }

  function api(path: string, token: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${fake.url}/gmail/v1/users/me/${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
  }

  it("issues access tokens for the refresh-token grant and counts the calls", async () => {
    const response = await refresh();
    const body = (await response.json()) as TokenResponse;
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.expires_in, 60);
    assert.match(body.access_token, /^ya29\./);
    assert.match(body.scope, /gmail\.send/);
    const second = (await (await refresh()).json()) as TokenResponse;
    assert.notEqual(second.access_token, body.access_token, "tokens are random");
    assert.equal(fake.tokenCalls, 2);

    const wrongSecret = await refresh({ client_secret: "nope" });
    assert.equal(wrongSecret.status, 401);
    assert.deepEqual(await wrongSecret.json(), {
      error: "invalid_client",
      error_description: "Unauthorized",
    });
    const wrongRefresh = await refresh({ refresh_token: "nope" });
    assert.equal(wrongRefresh.status, 400);
    assert.equal(((await wrongRefresh.json()) as { error: string }).error, "invalid_grant");
    const wrongGrant = await refresh({ grant_type: "password" });
    assert.equal(((await wrongGrant.json()) as { error: string }).error, "unsupported_grant_type");
    assert.equal(fake.tokenCalls, 5);
  });

  it("round-trips an RFC 2822 message through send, list and get", async () => {
    const token = await accessToken();
    const message = [
      'From: "Agent" <agent@example.com>',
      'To: "Doe, Jane" <jane@example.com>, bob@example.org',
      "Cc: carol@example.net",
      "Bcc: audit@example.com",
      "Subject: =?UTF-8?B?UmVwb3J0IOKAkyBRMw==?=",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=UTF-8",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      "Numbers are up 5% =E2=80=94 see you soon.",
    ].join("\r\n");
    const raw = Buffer.from(message, "utf8").toString("base64url");

    const sendResponse = await api("messages/send", token, { method: "POST", body: JSON.stringify({ raw }) });
    assert.equal(sendResponse.status, 200);
    const sentInfo = (await sendResponse.json()) as { id: string; threadId: string; labelIds: string[] };
    assert.match(sentInfo.id, /^[0-9a-f]{16}$/);
    assert.equal(sentInfo.threadId, sentInfo.id);
    assert.deepEqual(sentInfo.labelIds, ["SENT"]);

    const [sent] = fake.sent;
    assert.deepEqual(sent?.to, ["jane@example.com", "bob@example.org"]);
    assert.deepEqual(sent?.cc, ["carol@example.net"]);
    assert.deepEqual(sent?.bcc, ["audit@example.com"]);
    assert.equal(sent?.subject, "Report – Q3");
    assert.equal(sent?.text, "Numbers are up 5% — see you soon.");

    const listed = (await (await api("messages?q=in:sent&maxResults=10", token)).json()) as {
      messages: { id: string; threadId: string }[];
      resultSizeEstimate: number;
    };
    assert.deepEqual(listed.messages, [{ id: sentInfo.id, threadId: sentInfo.id }]);
    assert.equal(listed.resultSizeEstimate, 1);

    const full = (await (await api(`messages/${sentInfo.id}`, token)).json()) as {
      labelIds: string[];
      snippet: string;
      sizeEstimate: number;
      payload: { headers: { name: string; value: string }[]; body: { data: string } };
    };
    const header = (name: string) => full.payload.headers.find((h) => h.name === name)?.value;
    assert.equal(header("Subject"), "Report – Q3");
    assert.equal(header("Cc"), "carol@example.net");
    assert.equal(full.snippet, "Numbers are up 5% — see you soon.");
    assert.equal(
      Buffer.from(full.payload.body.data, "base64url").toString("utf8"),
      "Numbers are up 5% — see you soon.",
    );
    assert.equal(full.sizeEstimate, Buffer.byteLength(message));

    const asRaw = (await (await api(`messages/${sentInfo.id}?format=raw`, token)).json()) as { raw: string };
    assert.equal(Buffer.from(asRaw.raw, "base64url").toString("utf8"), message);

    const metadata = (await (
      await api(`messages/${sentInfo.id}?format=metadata&metadataHeaders=To&metadataHeaders=Subject`, token)
    ).json()) as { payload: { headers: { name: string }[] } };
    assert.deepEqual(
      metadata.payload.headers.map((h) => h.name),
      ["To", "Subject"],
    );
  });

  it("reads the text part of a multipart message", async () => {
    const token = await accessToken();
    const message = [
      "To: jane@example.com",
      "Subject: Multi",
      'Content-Type: multipart/alternative; boundary="b1"',
      "",
      "--b1",
      "Content-Type: text/html; charset=UTF-8",
      "",
      "<p>Hello <b>HTML</b></p>",
      "--b1",
      "Content-Type: text/plain; charset=UTF-8",
      "Content-Transfer-Encoding: base64",
      "",
      Buffer.from("Hello plain").toString("base64"),
      "--b1--",
      "",
    ].join("\r\n");
    const response = await api("messages/send", token, {
      method: "POST",
      body: JSON.stringify({ raw: Buffer.from(message).toString("base64url") }),
    });
    assert.equal(response.status, 200);
    assert.equal(fake.sent[0]?.text, "Hello plain");
  });

  it("lists the seeded inbox with q and maxResults, and omits messages when nothing matches", async () => {
    const token = await accessToken();
    const all = (await (await api("messages", token)).json()) as {
      messages: unknown[];
      resultSizeEstimate: number;
    };
    assert.equal(all.resultSizeEstimate, 2);
    const page = (await (await api("messages?maxResults=1", token)).json()) as {
      messages: unknown[];
      nextPageToken: string;
    };
    assert.equal(page.messages.length, 1);
    assert.equal(page.nextPageToken, "1");
    const fromAlice = (await (await api("messages?q=from:alice%20report", token)).json()) as {
      messages: { id: string }[];
    };
    assert.equal(fromAlice.messages.length, 1);
    const none = await (await api("messages?q=subject:nothing-like-this", token)).json();
    assert.deepEqual(none, { resultSizeEstimate: 0 });
  });

  it("answers Google-shaped errors for bad sends and unknown ids", async () => {
    const token = await accessToken();
    const noRaw = await api("messages/send", token, { method: "POST", body: "{}" });
    assert.equal(noRaw.status, 400);
    const error = ((await noRaw.json()) as { error: { code: number; message: string; status: string } })
      .error;
    assert.equal(error.code, 400);
    assert.equal(error.status, "INVALID_ARGUMENT");
    const noRecipient = await api("messages/send", token, {
      method: "POST",
      body: JSON.stringify({ raw: Buffer.from("Subject: x\r\n\r\nbody").toString("base64url") }),
    });
    assert.equal(
      ((await noRecipient.json()) as { error: { message: string } }).error.message,
      "Recipient address required",
    );
    const missing = await api("messages/00000000000000ff", token);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { status: string } }).error.status, "NOT_FOUND");
    assert.equal(fake.sent.length, 0, "refused messages are not recorded as sent");
  });

  it("refuses missing, revoked and expired access tokens with Google's 401", async () => {
    const none = await fetch(`${fake.url}/gmail/v1/users/me/messages`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /invalid_token/);
    assert.equal(((await none.json()) as { error: { status: string } }).error.status, "UNAUTHENTICATED");

    const token = await accessToken();
    assert.equal((await api("messages", token)).status, 200);
    assert.equal(fake.revokeAccessTokens(), 1);
    assert.equal((await api("messages", token)).status, 401, "a revoked token stops working at once");
    const fresh = await accessToken();
    assert.equal((await api("messages", fresh)).status, 200, "refreshing after a 401 works");

    now += 61_000;
    assert.equal((await api("messages", fresh)).status, 401, "tokens expire after expires_in");
  });
});
