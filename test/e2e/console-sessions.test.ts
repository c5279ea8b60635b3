// Console sessions over HTTP on one embedded gateway: the cookie and its sign-out outlive a
// restart (the sign-out is kept in the store, not in the process).
import assert from "node:assert/strict";
import { after, it } from "node:test";
import { signInToConsole, signOutOfConsole, withConsoleCookie } from "../support/console-session.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";

let gw: GatewayProcess | undefined;
after(async () => {
  await gw?.stop();
  gw?.cleanup();
});

it("a session outlives a restart, and so does its sign-out", async () => {
  gw = await startGateway();
  const out = await signInToConsole(gw.url, gw.adminToken);
  const kept = await signInToConsole(gw.url, gw.adminToken);
  assert.equal(await signOutOfConsole(gw.url, out), 204);
  assert.equal(await withConsoleCookie(gw.url, out, "/admin/agents"), 401);
  gw = await gw.restart();
  assert.equal(await withConsoleCookie(gw.url, out, "/admin/agents"), 401, "still signed out");
  assert.equal(await withConsoleCookie(gw.url, out, "/console/session"), 401);
  assert.equal(await withConsoleCookie(gw.url, kept, "/admin/agents"), 200, "the other session lives on");
});
