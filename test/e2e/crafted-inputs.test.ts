// Crafted inputs a hostile agent or stranger sends (issue 11, points 3 and 9, and the lone
// surrogate of point 10): each is a 4xx problem, never a 500, and nothing unsigned reaches
// an upstream.
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import { type AgentKeyPair, signRequest } from "@agentgw/sdk";
import { type AllFakes, startAllFakes } from "../fakes/index.js";
import {
  assertProblemShape,
  type CallResult,
  type RegisteredAgent,
  registerAgent,
  signedCall,
} from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { allowAllPolicy, policyFolder, writeConfig } from "../support/policies.js";
import { getToken } from "../support/tokens.js";

let fakes: AllFakes;
let gw: GatewayProcess;
let agent: RegisteredAgent;

before(async () => {
  fakes = await startAllFakes();
  // A small failed-signature allowance per address, so the crafted-signature test can show that
  // such failures are counted; every other test here sends valid signatures.
  const config = writeConfig({
    rateLimits: { unauthenticatedPerIp: { points: 4, windowSeconds: 60, burst: 4 } },
  });
  gw = await startGateway({
    env: { ...fakes.env, AGENTGW_POLICY: policyFolder(allowAllPolicy()) },
    args: ["--config", config],
  });
  agent = await registerAgent(gw, { name: "crafty" });
});
after(async () => {
  await gw.stop();
  gw.cleanup();
  await fakes.close();
});

/** Signs `signedPath` with the SDK, then sends `sentPath` byte for byte (fetch would drop a fragment). */
async function sendRaw(
  key: AgentKeyPair,
  request: { method?: string; signedPath: string; sentPath: string; headers?: Record<string, string> },
): Promise<CallResult> {
  const method = request.method ?? "GET";
  const headers = { ...request.headers };
  const signature = await signRequest({ method, url: gw.url + request.signedPath, headers, body: null }, key);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      gw.url + request.sentPath.replace(/#.*$/, ""),
      { method, path: request.sentPath, headers: { ...headers, ...signature } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === "string") responseHeaders.set(name, value);
          }
          resolve({
            status: res.statusCode ?? 0,
            body: text ? JSON.parse(text) : undefined,
            headers: responseHeaders,
          });
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("a fragment in the request-target (point 3)", () => {
  it("is refused with 400, and the unsigned parameters after it never reach the upstream", async () => {
    const { token } = await getToken(gw, agent.key, { tool: "serpapi", scopes: ["serpapi:search"] });
    fakes.serpapi.reset();
    const res = await sendRaw(agent.key, {
      signedPath: "/v1/tools/serpapi/search.json?q=a",
      sentPath: "/v1/tools/serpapi/search.json?q=a#&q=evil",
      headers: { authorization: `Bearer ${token}` },
    });
    assertProblemShape(res, 400, "invalid_request");
    assert.match(res.body.detail, /fragment/);
    assert.equal(fakes.serpapi.received.length, 0);
    // The same call without the fragment goes through with exactly the signed query.
    const clean = await sendRaw(agent.key, {
      signedPath: "/v1/tools/serpapi/search.json?q=a",
      sentPath: "/v1/tools/serpapi/search.json?q=a",
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(clean.status, 200, JSON.stringify(clean.body));
    assert.equal(fakes.serpapi.received.length, 1);
    assert.doesNotMatch(fakes.serpapi.received[0]!.url, /evil/);
  });

  it("is refused on every route, signed or not", async () => {
    const whoami = await sendRaw(agent.key, { signedPath: "/v1/whoami", sentPath: "/v1/whoami#x" });
    assertProblemShape(whoami, 400, "invalid_request");
  });
});

describe("JSON bodies no walker can handle (points 9 and 10)", () => {
  const chatCall = async (body: string) => {
    const { token } = await getToken(gw, agent.key, { tool: "openai", scopes: ["openai:chat"] });
    return signedCall(gw.url, agent.key, {
      path: "/v1/tools/openai/v1/chat/completions",
      body,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
  };

  it("4,000 levels of nesting are a 400 on a tool call, the token route and the admin API", async () => {
    const deep = `${"[".repeat(4000)}${"]".repeat(4000)}`;
    const call = await chatCall(
      `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"metadata":${deep}}`,
    );
    assertProblemShape(call, 400, "invalid_request");
    assert.match(call.body.detail, /nests deeper/);
    const token = await signedCall(gw.url, agent.key, {
      path: "/v1/tokens",
      body: `{"tool":"openai","scopes":["openai:chat"],"intent":${deep}}`,
      headers: { "content-type": "application/json" },
    });
    assertProblemShape(token, 400, "invalid_request");
    const admin = await fetch(`${gw.url}/admin/agents`, {
      method: "POST",
      headers: { authorization: `Bearer ${gw.adminToken}`, "content-type": "application/json" },
      body: `{"name":"x","publicKey":"x","metadata":{"a":${deep}}}`,
    });
    assert.equal(admin.status, 400);
    assert.equal((await admin.json()).code, "invalid_request");
  });

  it("a lone UTF-16 surrogate is a 400 invalid_request, not a policy failure", async () => {
    const call = await chatCall(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"a\\ud800b"}]}`);
    assertProblemShape(call, 400, "invalid_request");
    assert.match(call.body.detail, /surrogate/);
    const token = await signedCall(gw.url, agent.key, {
      path: "/v1/tokens",
      body: `{"tool":"openai","scopes":["openai:chat"],"intent":"\\udc00"}`,
      headers: { "content-type": "application/json" },
    });
    assertProblemShape(token, 400, "invalid_request");
    // A paired surrogate (an emoji) is ordinary text and goes through.
    const emoji = await chatCall(
      `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"\\ud83d\\ude00"}]}`,
    );
    assert.equal(emoji.status, 200, JSON.stringify(emoji.body));
  });
});

describe("a signature covering a header named like an Object.prototype member (point 9)", () => {
  it("is a 401 signature_invalid that counts against the address's failure allowance", async () => {
    const crafted = (name: string) =>
      signedCall(gw.url, agent.key, {
        path: "/v1/whoami",
        headers: { "x-probe": "1" },
        sign: { components: ["@method", "@authority", "@path", "x-probe"] },
        mutate: (r) => {
          r.headers["signature-input"] = r.headers["signature-input"]!.replace('"x-probe"', `"${name}"`);
          delete r.headers["x-probe"];
        },
      });
    for (const name of ["__proto__", "constructor"]) {
      assertProblemShape(await crafted(name), 401, "signature_invalid");
    }
    // The allowance is 4 failures: the crafted ones were counted, so the address is soon throttled.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await crafted("__proto__")).status);
    assert.ok(statuses.includes(429), `expected a 429 among ${statuses.join(", ")}`);
  });
});
