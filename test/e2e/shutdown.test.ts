// Graceful shutdown (issue 2): on SIGTERM the gateway stops accepting connections,
// lets in-flight requests finish, closes the store, and exits 0.
import assert from "node:assert/strict";
import { it } from "node:test";
import { startAllFakes } from "../fakes/index.js";
import { registerAgent, signedCall } from "../support/agents.js";
import { startGateway } from "../support/gateway-process.js";
import { getToken } from "../support/tokens.js";

it("SIGTERM lets an in-flight call finish, refuses new connections and exits 0", async () => {
  const fakes = await startAllFakes();
  const gw = await startGateway({ env: fakes.env });
  try {
    const agent = await registerAgent(gw);
    const { token } = await getToken(gw, agent.key, { tool: "http", scopes: ["http:fetch"] });
    const inFlight = signedCall(gw.url, agent.key, {
      path: "/v1/tools/http/fetch",
      json: { url: `${fakes.website.url}/slow?ms=1500` },
      headers: { authorization: `Bearer ${token}` },
    });
    await fakes.website.waitForRequest((r) => r.path === "/slow");
    const exit = gw.stop("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    await assert.rejects(fetch(`${gw.url}/healthz`), "no new connections once stopping");
    const res = await inFlight;
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 200);
    assert.equal(await exit, 0);
    assert.match(gw.output(), /"msg":"stopped"/);
  } finally {
    await gw.stop();
    gw.cleanup();
    await fakes.close();
  }
});
