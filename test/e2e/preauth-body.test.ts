// Memory cannot be pinned before authentication (issue 11 point 7): the gateway answers a
// caller without cheap credentials before reading its body, holds only so many bodies at
// once (in all and per signing key), and cuts off uploads that do not arrive in time.
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { type AgentKeyPair, signRequest } from "@agentgw/sdk";
import { type RegisteredAgent, registerAgent } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { writeConfig } from "../support/policies.js";

let gw: GatewayProcess;
let alice: RegisteredAgent;
let bob: RegisteredAgent;
let carol: RegisteredAgent;
const open: Socket[] = [];

before(async () => {
  const config = writeConfig({
    uploads: { maxConcurrent: 3, maxPerCaller: 2 },
    requestTimeoutMs: 3000,
    rateLimits: { unauthenticatedPerIp: { points: 1000, windowSeconds: 60, burst: 1000 } },
  });
  gw = await startGateway({ args: ["--config", config] });
  alice = await registerAgent(gw, { name: "alice" });
  bob = await registerAgent(gw, { name: "bob" });
  carol = await registerAgent(gw, { name: "carol" });
});
after(async () => {
  for (const socket of open) socket.destroy();
  await gw.stop();
  gw.cleanup();
});

interface RawExchange {
  socket: Socket;
  /** Resolves with the status line and headers once the gateway answers (or "" if it closes first). */
  answer: Promise<string>;
}

/** Sends request headers and only `sent` bytes of the body, keeping the connection open. */
function partialRequest(head: string, sent: string): RawExchange {
  const { port } = new URL(gw.url);
  const socket = connect(Number(port), "127.0.0.1");
  open.push(socket);
  socket.setEncoding("utf8");
  let text = "";
  const answer = new Promise<string>((resolve) => {
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (text.includes("\r\n\r\n")) resolve(text);
    });
    socket.on("close", () => resolve(text));
    socket.on("error", () => resolve(text));
  });
  socket.write(head + sent);
  return { socket, answer };
}

function head(method: string, path: string, headers: Record<string, string>): string {
  const { host } = new URL(gw.url);
  const lines = Object.entries({ host, ...headers }).map(([name, value]) => `${name}: ${value}`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
}

/** A token request signed for its whole body, of which only the first bytes are sent. */
async function slowTokenRequest(key: AgentKeyPair): Promise<RawExchange> {
  const body = JSON.stringify({ tool: "openai", scopes: ["openai:models"], intent: "x".repeat(2000) });
  const headers = { "content-type": "application/json" };
  const signature = await signRequest({ method: "POST", url: `${gw.url}/v1/tokens`, headers, body }, key);
  return partialRequest(
    head("POST", "/v1/tokens", { ...headers, ...signature, "content-length": String(body.length) }),
    body.slice(0, 10),
  );
}

const status = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

describe("before authentication, no body is read", () => {
  it("an unsigned upload is answered 401 while its 1 MiB body has not been sent", async () => {
    const { answer } = partialRequest(
      head("POST", "/v1/tokens", {
        "content-type": "application/json",
        "content-length": String(1024 * 1024),
      }),
      "{",
    );
    const text = await answer;
    assert.equal(status(text), 401, text);
    assert.match(text, /signature_missing/);
  });

  it("a well-formed signature naming an unknown key is answered before the body", async () => {
    const { generateKeyPair } = await import("@agentgw/sdk");
    const { answer } = await slowTokenRequest(await generateKeyPair());
    const text = await answer;
    assert.equal(status(text), 401, text);
    assert.match(text, /unknown_key/);
  });

  it("an admin upload without the admin token is answered before the body", async () => {
    const { answer } = partialRequest(
      head("POST", "/admin/agents", {
        authorization: "Bearer not-the-admin-token",
        "content-type": "application/json",
        "content-length": String(1024 * 1024),
      }),
      "{",
    );
    const text = await answer;
    assert.equal(status(text), 401, text);
    assert.match(text, /unauthorized/);
  });
});

describe("bodies in flight are bounded", () => {
  it("per signing key and in all: the next upload is 429 with Retry-After; others keep their share", async () => {
    const held = [await slowTokenRequest(alice.key), await slowTokenRequest(alice.key)];
    // Alice holds her two slots: her third upload is refused at once.
    const third = await (await slowTokenRequest(alice.key)).answer;
    assert.equal(status(third), 429, third);
    assert.match(third, /retry-after: 1/i);
    // Bob still gets the last free slot; with it taken, Carol is refused too.
    const bobs = await slowTokenRequest(bob.key);
    const carols = await (await slowTokenRequest(carol.key)).answer;
    assert.equal(status(carols), 429, carols);
    assert.match(carols, /too many request bodies/);

    // A slow upload is cut off by the request timeout, which frees its slot.
    for (const exchange of [...held, bobs]) {
      const text = await exchange.answer;
      assert.ok(status(text) === 408 || text === "", `a slow upload ends: ${text}`);
    }
    const body = JSON.stringify({ tool: "openai", scopes: ["openai:models"] });
    const headers = { "content-type": "application/json" };
    const signature = await signRequest(
      { method: "POST", url: `${gw.url}/v1/tokens`, headers, body },
      alice.key,
    );
    const res = await fetch(`${gw.url}/v1/tokens`, {
      method: "POST",
      headers: { ...headers, ...signature },
      body,
    });
    assert.equal(res.status, 201, await res.text());
  });
});
