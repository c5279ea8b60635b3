import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openSqliteStore } from "../store/sqlite/open.js";
import { StoreUnavailableError } from "../store/types.js";
import { createConsoleSessions, readCookie } from "./sessions.js";

const T0 = Date.parse("2026-11-27T10:00:00Z");
const sessions = (
  adminToken = "admin-token-0123456789",
  secure = false,
  signOuts = openSqliteStore({ dataDir: ":memory:" }).consoleSignOuts,
) => createConsoleSessions({ adminToken, secure, ttlSeconds: 60, signOuts });

describe("console sessions", () => {
  it("a cookie proves its session until it expires, with a CSRF token bound to it", async () => {
    const s = sessions();
    const { session, cookie } = s.issue(T0);
    const verified = await s.verify(cookie, T0 + 59_000);
    assert.equal(verified?.id, session.id);
    assert.equal(verified?.csrfToken, session.csrfToken);
    assert.ok(s.csrfMatches(session, session.csrfToken));
    assert.ok(!s.csrfMatches(session, undefined));
    assert.ok(!s.csrfMatches(session, s.issue(T0).session.csrfToken), "another session's token");
    assert.equal(await s.verify(cookie, T0 + 60_000), null, "expired");
  });

  it("refuses forged, altered and foreign cookies", async () => {
    const s = sessions();
    const { cookie } = s.issue(T0);
    const [id, exp, mac] = cookie.split(".") as [string, string, string];
    assert.equal(await s.verify(`${id}.${Number(exp) + 3_600_000}.${mac}`, T0), null, "extended expiry");
    assert.equal(await s.verify(`${id.replace(/^./, id[0] === "A" ? "B" : "A")}.${exp}.${mac}`, T0), null);
    assert.equal(await s.verify("garbage", T0), null);
    assert.equal(await s.verify(undefined, T0), null);
    assert.equal(
      await sessions("another-admin-token-xyz").verify(cookie, T0),
      null,
      "a new admin token ends sessions",
    );
  });

  it("a signed-out session stays out on every instance sharing the store, and only that session", async () => {
    const store = openSqliteStore({ dataDir: ":memory:" });
    const one = sessions(undefined, false, store.consoleSignOuts);
    const two = sessions(undefined, false, store.consoleSignOuts);
    const { session, cookie } = one.issue(T0);
    const other = one.issue(T0);
    assert.equal((await two.verify(cookie, T0))?.id, session.id, "issued by one, accepted by the other");
    await one.revoke(session);
    assert.equal(await one.verify(cookie, T0), null);
    assert.equal(await two.verify(cookie, T0), null, "signed out on the other too");
    assert.equal((await two.verify(other.cookie, T0))?.id, other.session.id);
  });

  it("refuses every session while the sign-outs cannot be read (fail closed)", async () => {
    const down = {
      signOut: async () => {},
      isSignedOut: async (): Promise<boolean> => {
        throw new StoreUnavailableError("postgres");
      },
      purgeExpired: async () => 0,
    };
    const s = sessions(undefined, false, down);
    await assert.rejects(s.verify(s.issue(T0).cookie, T0), StoreUnavailableError);
  });

  it("cookies are HttpOnly and SameSite=Strict, Secure with the __Host- prefix over https", () => {
    const plain = sessions();
    assert.match(plain.setCookie("v"), /^agentgw_console=v; Path=\/; HttpOnly; SameSite=Strict; Max-Age=60$/);
    const secure = sessions(undefined, true);
    assert.match(
      secure.setCookie("v"),
      /^__Host-agentgw_console=v; Path=\/; HttpOnly; SameSite=Strict; Secure;/,
    );
    assert.match(secure.clearCookie(), /Max-Age=0$/);
    assert.equal(readCookie("a=1; agentgw_console=xyz; b=2", "agentgw_console"), "xyz");
    assert.equal(readCookie("agentgw_console_other=1", "agentgw_console"), undefined);
  });
});
