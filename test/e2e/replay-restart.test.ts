// Replay protection across a restart (issue 11 point 8): the embedded gateway keeps the
// nonces it accepted in its data dir, so a signed request captured before a restart is
// refused after it, while it would still be inside its maximum age.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { signRequest } from "@agentgw/sdk";
import { assertProblemShape, type RegisteredAgent, registerAgent } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";

let gw: GatewayProcess;
let agent: RegisteredAgent;

before(async () => {
  gw = await startGateway();
  agent = await registerAgent(gw, { name: "replayed" });
});
after(async () => {
  await gw.stop();
  gw.cleanup();
});

async function send(url: string, headers: Record<string, string>, body: string) {
  const res = await fetch(url, { method: "POST", headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

it("a signed request accepted before a restart is a replay after it", async () => {
  const url = `${gw.url}/v1/tokens`;
  const body = JSON.stringify({ tool: "openai", scopes: ["openai:models"] });
  const headers = { "content-type": "application/json" };
  const signature = await signRequest({ method: "POST", url, headers, body }, agent.key);
  const captured = { ...headers, ...signature };

  const first = await send(url, captured, body);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assertProblemShape(await send(url, captured, body), 401, "replay_detected");

  gw = await gw.restart();
  assertProblemShape(await send(url, captured, body), 401, "replay_detected");

  // A fresh signature from the same agent works after the restart.
  const fresh = await signRequest({ method: "POST", url, headers, body }, agent.key);
  assert.equal((await send(url, { ...headers, ...fresh }, body)).status, 201);
});
