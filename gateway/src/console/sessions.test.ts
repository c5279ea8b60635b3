import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createConsoleSessions, readCookie } from "./sessions.js";

const T0 = Date.parse("2026-11-27T10:00:00Z");
const sessions = (adminToken = "admin-token-0123456789", secure = false) =>
  createConsoleSessions({ adminToken, secure, ttlSeconds: 60 });

describe("console sessions", () => {
  it("a cookie proves its session until it expires, with a CSRF token bound to it", () => {
    const s = sessions();
    const { session, cookie } = s.issue(T0);
    const verified = s.verify(cookie, T0 + 59_000);
    assert.equal(verified?.id, session.id);
    assert.equal(verified?.csrfToken, session.csrfToken);
    assert.ok(s.csrfMatches(session, session.csrfToken));
    assert.ok(!s.csrfMatches(session, undefined));
    assert.ok(!s.csrfMatches(session, s.issue(T0).session.csrfToken), "another session's token");
    assert.equal(s.verify(cookie, T0 + 60_000), null, "expired");
  });

  it("refuses forged, altered and foreign cookies", () => {
    const s = sessions();
    const { cookie } = s.issue(T0);
    const [id, exp, mac] = cookie.split(".") as [string, string, string];
    assert.equal(s.verify(`${id}.${Number(exp) + 3_600_000}.${mac}`, T0), null, "extended expiry");
    assert.equal(s.verify(`${id.replace(/^./, id[0] === "A" ? "B" : "A")}.${exp}.${mac}`, T0), null);
    assert.equal(s.verify("garbage", T0), null);
    assert.equal(s.verify(undefined, T0), null);
    assert.equal(
      sessions("another-admin-token-xyz").verify(cookie, T0),
      null,
      "a new admin token ends sessions",
    );
  });

  it("a signed-out session stays out", () => {
    const s = sessions();
    const { session, cookie } = s.issue(T0);
    s.revoke(session);
    assert.equal(s.verify(cookie, T0), null);
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
