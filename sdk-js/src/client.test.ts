import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AgentGateway } from "./client.js";
import { PolicyDeniedError } from "./errors.js";
import { generateKeyPair } from "./keys.js";
import { type SignatureServer, startSignatureServer } from "./testing/signature-server.js";

const key = await generateKeyPair();
const agent = {
  id: "agt_01JAAAAAAAAAAAAAAAAAAAAAAA",
  name: "mailer",
  status: "active",
  scopes: ["gmail:send"],
  tier: "default",
  metadata: {},
  keys: [{ kid: key.kid, publicKey: "x", status: "active", createdAt: "2026-01-01T00:00:00Z" }],
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
};
let server: SignatureServer;
before(async () => {
  server = await startSignatureServer(key.publicKey, (seen) => {
    if (seen.verdict !== "ok") return { status: 401, body: JSON.stringify({ code: "signature_invalid" }) };
    if (seen.target === "/gw/v1/whoami") return { body: JSON.stringify({ agent, kid: key.kid }) };
    if (seen.target.startsWith("/gw/v1/tokens")) {
      return {
        status: 403,
        headers: { "content-type": "application/problem+json" },
        body: JSON.stringify({ code: "policy_denied", status: 403, reasons: ["no"], requestId: "r1" }),
      };
    }
    return { status: 204 };
  });
});
after(() => server.close());

describe("AgentGateway", () => {
  it("whoami() sends a signed GET and returns the typed agent", async () => {
    const gateway = new AgentGateway({ baseUrl: `${server.url}/gw/`, key });
    const me = await gateway.whoami();
    assert.equal(me.kid, key.kid);
    assert.equal(me.agent.name, "mailer");
    assert.equal(server.seen.at(-1)!.verdict, "ok");
  });

  it("request() sends JSON and query, and throws the typed error of a problem answer", async () => {
    const gateway = new AgentGateway({ baseUrl: `${server.url}/gw`, key });
    await assert.rejects(
      gateway.request("POST", "/v1/tokens", {
        json: { tool: "gmail" },
        query: { dry: true, tag: ["a", "b c"] },
      }),
      (error: unknown) =>
        error instanceof PolicyDeniedError && error.reasons[0] === "no" && error.requestId === "r1",
    );
    const seen = server.seen.at(-1)!;
    assert.equal(seen.target, "/gw/v1/tokens?dry=true&tag=a&tag=b+c");
    assert.equal(new TextDecoder().decode(seen.body), '{"tool":"gmail"}');
    assert.equal(seen.verdict, "ok");
  });

  it("returns null for an empty success and validates its options", async () => {
    const gateway = new AgentGateway({ baseUrl: `${server.url}/gw`, key });
    assert.equal(await gateway.request("DELETE", "/v1/thing"), null);
    assert.throws(() => new AgentGateway({ baseUrl: "ftp://x", key }), TypeError);
    await assert.rejects(gateway.request("POST", "/x", { json: {}, body: "x" }), TypeError);
  });
});
