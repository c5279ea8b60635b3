// RFC 9421 signed requests against a real gateway (CONTRACT.md §3, issue 3).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import { createSignedFetch, generateKeyPair, signAxiosRequests, signRequest } from "@agentgw/sdk";
import axios from "axios";
import { assertProblemShape, type RegisteredAgent, registerAgent, signedCall } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { writeConfig } from "../support/policies.js";

let gw: GatewayProcess;
let agent: RegisteredAgent;
const now = () => Math.floor(Date.now() / 1000);

before(async () => {
  // Every rejection below comes from 127.0.0.1; lift the failed-signature allowance per address so these
  // tests see each check's own code (the throttling itself is tested in limits.test.ts).
  const config = writeConfig({
    rateLimits: { unauthenticatedPerIp: { points: 10_000, windowSeconds: 60, burst: 10_000 } },
  });
  gw = await startGateway({ args: ["--config", config] });
  agent = await registerAgent(gw, { name: "signer" });
});
after(async () => {
  await gw.stop();
  gw.cleanup();
});

describe("accepted", () => {
  it("an SDK-signed GET (whoami) names the agent and key", async () => {
    const res = await signedCall(gw.url, agent.key, { path: "/v1/whoami" });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.agent.id, agent.id);
    assert.equal(res.body.kid, agent.key.kid);
  });
  it("an SDK-signed GET with a query and an SDK-signed POST with a body", async () => {
    const get = await signedCall(gw.url, agent.key, { path: "/v1/tools?view=all&x=a%20b" });
    assert.equal(get.status, 200, JSON.stringify(get.body));
    assert.ok(Array.isArray(get.body.tools));
    const post = await signedCall(gw.url, agent.key, {
      path: "/v1/tokens",
      json: { tool: "openai", scopes: ["openai:models"] },
    });
    assert.equal(post.status, 201, JSON.stringify(post.body));
  });
  it("the SDK's signed fetch works as a plain fetch", async () => {
    const signedFetch = createSignedFetch(agent.key);
    const res = await signedFetch(`${gw.url}/v1/whoami`);
    assert.equal(res.status, 200);
    const post = await signedFetch(`${gw.url}/v1/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tool: "serpapi", scopes: ["serpapi:search"] }),
    });
    assert.equal(post.status, 201, await post.clone().text());
  });
  it("the axios interceptor signs the final request", async () => {
    const client = axios.create({ baseURL: gw.url, validateStatus: () => true });
    signAxiosRequests(client, agent.key);
    const who = await client.get("/v1/whoami", { params: { q: "x y" } });
    assert.equal(who.status, 200, JSON.stringify(who.data));
    const token = await client.post("/v1/tokens", { tool: "openai", scopes: ["openai:models"] });
    assert.equal(token.status, 201, JSON.stringify(token.data));
  });
});

describe("rejected, each with its code", () => {
  const cases: Array<[string, Parameters<typeof signedCall>[2], number, string]> = [
    [
      "no signature at all",
      {
        path: "/v1/whoami",
        mutate: (r) => {
          delete r.headers.signature;
          delete r.headers["signature-input"];
        },
      },
      401,
      "signature_missing",
    ],
    [
      "a tampered method",
      {
        path: "/v1/tools/openai/v1/models",
        mutate: (r) => {
          r.method = "POST";
        },
      },
      401,
      "signature_invalid",
    ],
    [
      "a tampered path",
      {
        path: "/v1/whoami",
        mutate: (r) => {
          r.url = r.url.replace("/v1/whoami", "/v1/tools");
        },
      },
      401,
      "signature_invalid",
    ],
    [
      "a tampered query",
      {
        path: "/v1/tools?a=1",
        mutate: (r) => {
          r.url = r.url.replace("a=1", "a=2");
        },
      },
      401,
      "signature_invalid",
    ],
    [
      "a query added after signing",
      {
        path: "/v1/tools",
        mutate: (r) => {
          r.url += "?admin=1";
        },
      },
      401,
      "signature_invalid",
    ],
    [
      "a tampered body (digest no longer matches)",
      {
        path: "/v1/tokens",
        json: { tool: "openai", scopes: ["openai:models"] },
        mutate: (r) => {
          r.body = r.body!.replace("models", 'chat"  ');
        },
      },
      401,
      "digest_mismatch",
    ],
    [
      "a Content-Digest replaced to match a tampered body",
      {
        path: "/v1/tokens",
        json: { tool: "openai", scopes: ["openai:models"] },
        mutate: (r) => {
          r.body = '{"hello": "world"}';
          r.headers["content-digest"] = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:";
        },
      },
      401,
      "signature_invalid",
    ],
    [
      "a body without content-digest covered",
      {
        path: "/v1/tokens",
        json: { tool: "openai", scopes: ["openai:models"] },
        sign: { components: ["@method", "@authority", "@path"] },
      },
      401,
      "signature_invalid",
    ],
    [
      "@authority not covered",
      { path: "/v1/whoami", sign: { components: ["@method", "@path"] } },
      401,
      "signature_invalid",
    ],
    [
      "@query not covered for a URL with a query",
      { path: "/v1/tools?a=1", sign: { components: ["@method", "@authority", "@path"] } },
      401,
      "signature_invalid",
    ],
    [
      "expired",
      { path: "/v1/whoami", sign: { created: now() - 200, expires: now() - 100 } },
      401,
      "signature_expired",
    ],
    [
      "older than the maximum age",
      { path: "/v1/whoami", sign: { created: now() - 120, expires: now() + 100 } },
      401,
      "signature_expired",
    ],
    [
      "created in the future beyond skew",
      { path: "/v1/whoami", sign: { created: now() + 120, expires: now() + 180 } },
      401,
      "signature_invalid",
    ],
    ["no expires", { path: "/v1/whoami", sign: { expires: null } }, 401, "signature_invalid"],
    ["no nonce", { path: "/v1/whoami", sign: { nonce: null } }, 401, "signature_invalid"],
    ["a short nonce", { path: "/v1/whoami", sign: { nonce: "abc" } }, 401, "signature_invalid"],
    [
      "a lifetime over 300 s",
      { path: "/v1/whoami", sign: { created: now(), expires: now() + 301 } },
      401,
      "signature_invalid",
    ],
    ["another algorithm", { path: "/v1/whoami", sign: { alg: "rsa-pss-sha512" } }, 401, "signature_invalid"],
    [
      "an unknown keyid",
      { path: "/v1/whoami", sign: { keyid: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } },
      401,
      "unknown_key",
    ],
  ];
  for (const [name, call, status, code] of cases) {
    it(name, async () => {
      assertProblemShape(await signedCall(gw.url, agent.key, call), status, code);
    });
  }

  it("a signature for another authority (Host names another gateway)", async () => {
    // fetch() may not set Host, so this one goes out through node:http.
    const url = "http://evil.example/v1/whoami";
    const headers = await signRequest({ method: "GET", url }, agent.key);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${gw.url}/v1/whoami`,
        { headers: { ...headers, host: "evil.example" } },
        (r) => {
          let body = "";
          r.on("data", (c: Buffer) => {
            body += c;
          });
          r.on("end", () => resolve({ status: r.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end();
    });
    assert.equal(res.status, 401);
    const problem = JSON.parse(res.body);
    assert.equal(problem.code, "signature_invalid");
    assert.match(problem.detail, /another authority/);
  });

  it("a replayed nonce", async () => {
    const nonce = randomBytes(32).toString("base64url");
    assert.equal((await signedCall(gw.url, agent.key, { path: "/v1/whoami", sign: { nonce } })).status, 200);
    assertProblemShape(
      await signedCall(gw.url, agent.key, { path: "/v1/whoami", sign: { nonce } }),
      401,
      "replay_detected",
    );
  });

  it("a key that is not registered (signed with the wrong key)", async () => {
    const stranger = await generateKeyPair();
    assertProblemShape(await signedCall(gw.url, stranger, { path: "/v1/whoami" }), 401, "unknown_key");
  });

  it("a revoked key", async () => {
    const victim = await registerAgent(gw, { name: "revoked" });
    assert.equal((await signedCall(gw.url, victim.key, { path: "/v1/whoami" })).status, 200);
    assert.equal((await gw.admin("DELETE", `/admin/agents/${victim.id}/keys/${victim.key.kid}`)).status, 204);
    assertProblemShape(await signedCall(gw.url, victim.key, { path: "/v1/whoami" }), 401, "unknown_key");
  });

  it("a suspended agent, and back once re-activated", async () => {
    const victim = await registerAgent(gw, { name: "suspended" });
    await gw.admin("PATCH", `/admin/agents/${victim.id}`, { status: "suspended" });
    assertProblemShape(await signedCall(gw.url, victim.key, { path: "/v1/whoami" }), 403, "agent_suspended");
    await gw.admin("PATCH", `/admin/agents/${victim.id}`, { status: "active" });
    assert.equal((await signedCall(gw.url, victim.key, { path: "/v1/whoami" })).status, 200);
  });
});

describe("malformed headers never crash the gateway", () => {
  const garbage = (n: number) =>
    randomBytes(n)
      .toString("latin1")
      .replace(/[\r\n\0]/g, "x");
  const variants: Array<[string, Record<string, string>]> = [
    ["random bytes", { "signature-input": garbage(200), signature: garbage(100) }],
    [
      "huge values",
      {
        "signature-input": `sig1=(${'"@method" '.repeat(5000)})`,
        signature: `sig1=:${"A".repeat(60_000)}=:`,
      },
    ],
    [
      "many labels",
      {
        "signature-input": Array.from({ length: 100 }, (_, i) => `s${i}=("@method");created=1`).join(", "),
        signature: Array.from({ length: 100 }, (_, i) => `s${i}=:AAAA:`).join(", "),
      },
    ],
    [
      "a label missing from Signature",
      { "signature-input": 'sig1=("@method");created=1;keyid="x"', signature: "other=:AAAA:" },
    ],
    ["wrong item types", { "signature-input": "sig1=42", signature: 'sig1="not-bytes"' }],
    ["empty values", { "signature-input": "", signature: "" }],
  ];
  for (const [name, headers] of variants) {
    it(name, async () => {
      const res = await fetch(`${gw.url}/v1/whoami`, {
        headers: Object.fromEntries(
          Object.entries(headers).map(([k, v]) => [k, Buffer.from(v, "latin1").toString("latin1")]),
        ),
      }).catch((e: Error) => e);
      if (res instanceof Error) {
        // undici refuses to send some of these header values at all; the server was never reached.
        assert.match(res.message + String((res as { cause?: Error }).cause), /header|invalid/i);
        return;
      }
      // Node's HTTP parser answers 431 itself for headers over its 16 KiB limit.
      if (res.status === 431) return;
      assert.ok([400, 401].includes(res.status), `status ${res.status}`);
      const body = await res.json();
      assert.match(body.code, /^signature_(missing|invalid)$/);
    });
  }
  it("the gateway is still healthy", async () => {
    assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
  });
});
