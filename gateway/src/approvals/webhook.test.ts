import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { createLogger } from "../log.js";
import type { Approval } from "../store/types.js";
import { createApprovalWebhook, webhookMessage } from "./webhook.js";

const approval: Approval = {
  id: "apr_01JDEXAMPLE0000000000000000",
  status: "pending",
  agentId: "agt_1",
  kid: "kid",
  phase: "call",
  tool: "gmail",
  action: "messages.send",
  scopes: ["gmail:send"],
  intent: null,
  reason: "mail to evil.test",
  request: { method: "POST", path: "/v1/tools/gmail/x", bodyPreview: "{}" },
  binding: "b",
  ttlSeconds: 900,
  createdAt: "2026-11-27T10:00:00.000Z",
  expiresAt: "2026-11-27T10:15:00.000Z",
  decidedAt: null,
  decidedBy: null,
  note: null,
  usedAt: null,
};

function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger("info", stream), lines };
}

async function receiver(statuses: number[]) {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => {
      text += c;
    });
    req.on("end", () => {
      bodies.push({ contentType: req.headers["content-type"], json: JSON.parse(text) });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return { bodies, url: `http://127.0.0.1:${port}/hooks/T000/B000/secret-part`, close: () => server.close() };
}

describe("approval webhook", () => {
  it("posts a chat-webhook message ({text}) and retries a failure with backoff", async () => {
    const hook = await receiver([500, 503]);
    const { logger, lines } = captureLogs();
    const webhook = createApprovalWebhook({
      url: hook.url,
      logger,
      publicUrl: "https://gw.example.com",
      retryDelaysMs: [5, 10, 20],
    });
    assert.equal(await webhook.notify(approval), true);
    hook.close();
    assert.equal(hook.bodies.length, 3, "two failures, then delivered");
    const sent = hook.bodies[2] as { contentType: string; json: { text: string; approval: { id: string } } };
    assert.equal(sent.contentType, "application/json");
    assert.match(sent.json.text, /agent agt_1 asks for gmail messages\.send — mail to evil\.test/);
    assert.match(sent.json.text, /https:\/\/gw\.example\.com\/console\/approvals#apr_01JDEXAMPLE/);
    assert.equal(sent.json.approval.id, approval.id);
    assert.ok(!lines.join("").includes("secret-part"), "the webhook URL is never logged");
  });

  it("escapes what chat tools read as links or mentions", () => {
    const message = webhookMessage(
      { ...approval, reason: "send to <!channel> & <https://evil.test|here>" },
      "https://gw",
    );
    assert.match(message.text, /send to &lt;!channel&gt; &amp; &lt;https:\/\/evil\.test\|here&gt;/);
  });

  it("gives up after the last retry, and does not retry a 4xx refusal; never logs the URL", async () => {
    const { logger, lines } = captureLogs();
    const down = createApprovalWebhook({
      url: "http://127.0.0.1:1/hooks/secret-part",
      logger,
      publicUrl: "https://gw.example.com",
      retryDelaysMs: [1, 1],
    });
    assert.equal(await down.notify(approval), false);
    const hook = await receiver([404]);
    const refused = createApprovalWebhook({
      url: hook.url,
      logger,
      publicUrl: "https://gw.example.com",
      retryDelaysMs: [1, 1],
    });
    assert.equal(await refused.notify(approval), false);
    hook.close();
    assert.equal(hook.bodies.length, 1);
    assert.ok(lines.some((l) => l.includes("gave up")));
    assert.ok(!lines.join("").includes("secret-part"));
  });
});
