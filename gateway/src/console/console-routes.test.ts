// The console's sign-in and the admin guard's cookie path, in-process: a small app with the
// console router, the raw-body reader and one admin route behind requireAdmin.
import assert from "node:assert/strict";
import { once } from "node:events";
import type { Server } from "node:http";
import { after, before, describe, it } from "node:test";
import express from "express";
import { GatewayError } from "../errors.js";
import { requireAdmin } from "../http/bearer-auth.js";
import { problemHandler } from "../http/problem.js";
import { readRawBody } from "../http/raw-body.js";
import { requestContext } from "../http/request-context.js";
import { createLogger } from "../log.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import { createConsoleRouter } from "./console-routes.js";
import { createConsoleSessions } from "./sessions.js";

const ADMIN = "console-admin-token-0123";
const failures: string[] = [];
let server: Server;
let base = "";

before(async () => {
  const sessions = createConsoleSessions({
    adminToken: ADMIN,
    secure: false,
    ttlSeconds: 600,
    signOuts: openSqliteStore({ dataDir: ":memory:" }).consoleSignOuts,
  });
  const app = express();
  app.use(requestContext());
  const readBody = readRawBody(1024 * 1024);
  app.use(
    createConsoleRouter({
      adminToken: ADMIN,
      sessions,
      nowMs: Date.now,
      readBody,
      onFailedSignIn: async (ip) => {
        failures.push(ip);
        if (failures.length > 2) throw new GatewayError("rate_limited", "too many failed sign-ins");
      },
    }),
  );
  app.all("/admin/thing", requireAdmin(ADMIN, sessions), readBody, (_req, res) => {
    res.json({ actor: res.locals.adminActor });
  });
  app.use(problemHandler(createLogger("silent")));
  server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => server.close());

const signIn = (token: string) =>
  fetch(`${base}/console/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });

describe("console routes", () => {
  it("serves the page and its assets with a strict CSP; nothing else under /console/assets", async () => {
    const page = await fetch(`${base}/console/approvals`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-security-policy") ?? "", /^default-src 'none'; script-src 'self'/);
    assert.equal(page.headers.get("x-frame-options"), "DENY");
    assert.match(await page.text(), /<script type="module" src="\/console\/assets\/app\.js">/);
    const script = await fetch(`${base}/console/assets/app.js`);
    assert.match(script.headers.get("content-type") ?? "", /text\/javascript/);
    assert.equal(script.headers.get("x-content-type-options"), "nosniff");
    assert.equal((await fetch(`${base}/console/assets/..%2fsrc%2fapp.ts`)).status, 404);
    assert.equal((await fetch(`${base}/console/assets/index.html`)).status, 404);
  });

  it("signs in with the admin token only; failures cost the address quota", async () => {
    const wrong = await signIn("nope");
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get("set-cookie"), null);
    assert.equal((await signIn("")).status, 400);
    assert.equal(failures.length, 1, "a malformed body is not a guess");
    await signIn("nope-again");
    const limited = await signIn("and-again");
    assert.equal(limited.status, 429);
  });

  it("a session cookie reads freely, changes only with its CSRF token and from the same site", async () => {
    failures.length = 0;
    const ok = await signIn(ADMIN);
    assert.equal(ok.status, 200);
    const { csrfToken } = (await ok.json()) as { csrfToken: string };
    const cookie = (ok.headers.get("set-cookie") ?? "").split(";")[0]!;
    assert.match(ok.headers.get("set-cookie") ?? "", /HttpOnly; SameSite=Strict/);
    const read = await fetch(`${base}/admin/thing`, { headers: { cookie } });
    assert.match(((await read.json()) as { actor: string }).actor, /^console:/);
    const post = (headers: Record<string, string>) =>
      fetch(`${base}/admin/thing`, { method: "POST", headers: { cookie, ...headers } });
    assert.equal((await post({})).status, 401, "no CSRF token");
    assert.equal((await post({ "x-csrf-token": "x".repeat(csrfToken.length) })).status, 401);
    assert.equal((await post({ "x-csrf-token": csrfToken, "sec-fetch-site": "cross-site" })).status, 401);
    assert.equal((await post({ "x-csrf-token": csrfToken, "sec-fetch-site": "same-origin" })).status, 200);
    assert.equal((await fetch(`${base}/console/session`, { headers: { cookie } })).status, 200);
    const out = await fetch(`${base}/console/session`, { method: "DELETE", headers: { cookie } });
    assert.equal(out.status, 401, "signing out needs the CSRF token too");
    const signedOut = await fetch(`${base}/console/session`, {
      method: "DELETE",
      headers: { cookie, "x-csrf-token": csrfToken },
    });
    assert.equal(signedOut.status, 204);
    assert.equal((await fetch(`${base}/admin/thing`, { headers: { cookie } })).status, 401);
  });
});
