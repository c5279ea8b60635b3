// The token route in-process, where a test can step between its awaits: a suspension that
// lands while a token is being minted must not leave that token alive.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateKeyPair, signRequest, toBase64Url } from "@agentgw/sdk";
import { type InProcessGateway, startInProcessGateway } from "../http/testing/in-process-gateway.js";
import type { Store } from "../store/types.js";

let gw: InProcessGateway;
let base = "";
let store: Store;

before(async () => {
  gw = await startInProcessGateway({ rego: 'package agentgw\n\ndecision := {"allow": true}\n' });
  ({ base, store } = gw);
});
after(() => gw.close());

describe("POST /v1/tokens racing a suspension", () => {
  it("a token recorded after the suspension's sweep is revoked and the request refused", async () => {
    const key = await generateKeyPair();
    const created = await fetch(`${base}/admin/agents`, {
      method: "POST",
      headers: { authorization: `Bearer ${gw.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "racer", publicKey: toBase64Url(key.publicKey), scopes: ["openai:chat"] }),
    });
    const agent = (await created.json()) as { id: string };
    // The admin's suspension completes (status, then the sweep of live tokens) just before the
    // token route writes its token: the exact interleaving that used to leave the token alive.
    const recordIssued = store.tokens.recordIssued.bind(store.tokens);
    let issuedJti = "";
    store.tokens.recordIssued = async (token) => {
      await store.agents.update(agent.id, { status: "suspended" });
      await store.tokens.revokeByAgent(agent.id, Math.floor(Date.now() / 1000));
      issuedJti = token.jti;
      await recordIssued(token);
    };
    try {
      const body = JSON.stringify({ tool: "openai", scopes: ["openai:chat"] });
      const headers = { "content-type": "application/json" };
      const url = `${base}/v1/tokens`;
      const sig = await signRequest({ method: "POST", url, headers, body }, key);
      const res = await fetch(url, { method: "POST", headers: { ...headers, ...sig }, body });
      const problem = (await res.json()) as { code: string };
      assert.equal(res.status, 403, JSON.stringify(problem));
      assert.equal(problem.code, "agent_suspended");
      assert.ok(issuedJti, "the route reached the point of recording its token");
      assert.notEqual(await store.tokens.revokedAt(issuedJti), null, "the token recorded late is revoked");
    } finally {
      store.tokens.recordIssued = recordIssued;
    }
  });
});
