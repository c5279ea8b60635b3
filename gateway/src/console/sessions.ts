// Console sessions: the cookie carries a random session id and its expiry, MAC'd with a
// key derived from the admin token, so any gateway instance or worker holding the same
// admin token accepts it, restarts included, and changing the admin token ends every
// session. The CSRF token is derived from the session id, so it needs no storage either.
// The one piece of state is the sign-outs: a hash of each signed-out session id, kept in
// the store (shared by every instance on it) until the cookie would have expired anyway,
// and read on every check, so a sign-out through one instance holds on all at once.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { ConsoleSignOutStore } from "../store/types.js";

export interface ConsoleSession {
  id: string;
  csrfToken: string;
  /** Unix milliseconds. */
  expiresAt: number;
}

export interface ConsoleSessions {
  readonly cookieName: string;
  readonly ttlSeconds: number;
  issue(nowMs: number): { session: ConsoleSession; cookie: string };
  /** The session a cookie value proves, or null (forged, expired, signed out). Store unreachable → rejects. */
  verify(cookieValue: string | undefined, nowMs: number): Promise<ConsoleSession | null>;
  /** True when `given` is this session's CSRF token (constant time). */
  csrfMatches(session: ConsoleSession, given: string | undefined): boolean;
  /** Signs the session out on every instance sharing the store. */
  revoke(session: ConsoleSession): Promise<void>;
  /** Set-Cookie values. */
  setCookie(cookie: string): string;
  clearCookie(): string;
}

export interface ConsoleSessionOptions {
  adminToken: string;
  /** Secure cookies (and the __Host- prefix) when the gateway is served over https. */
  secure: boolean;
  ttlSeconds: number;
  signOuts: ConsoleSignOutStore;
}

const b64 = (buf: Buffer) => buf.toString("base64url");

export function createConsoleSessions(options: ConsoleSessionOptions): ConsoleSessions {
  const key = createHmac("sha256", options.adminToken).update("agentgw console session v1").digest();
  const mac = (text: string) => b64(createHmac("sha256", key).update(text).digest());
  const signOuts = options.signOuts;
  // The id alone is enough to forge nothing (the MAC needs the key), but the store keeps only its hash anyway.
  const hashOf = (id: string) => createHash("sha256").update(id).digest("base64url");
  // __Host- cookies must be Secure, Path=/ and without Domain: the browser then refuses any
  // subdomain's attempt to set or shadow them.
  const cookieName = options.secure ? "__Host-agentgw_console" : "agentgw_console";
  const attributes = `Path=/; HttpOnly; SameSite=Strict${options.secure ? "; Secure" : ""}`;

  function session(id: string, expiresAt: number): ConsoleSession {
    return { id, expiresAt, csrfToken: mac(`csrf.${id}`) };
  }

  return {
    cookieName,
    ttlSeconds: options.ttlSeconds,
    issue(nowMs) {
      const id = b64(randomBytes(32));
      const expiresAt = nowMs + options.ttlSeconds * 1000;
      const body = `${id}.${expiresAt}`;
      return { session: session(id, expiresAt), cookie: `${body}.${mac(body)}` };
    },
    async verify(value, nowMs) {
      const match = value ? /^([A-Za-z0-9_-]{43})\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value) : null;
      if (!match) return null;
      const [, id, exp, given] = match as unknown as [string, string, string, string];
      const expected = Buffer.from(mac(`${id}.${exp}`));
      if (!timingSafeEqual(expected, Buffer.from(given))) return null;
      const expiresAt = Number(exp);
      if (expiresAt <= nowMs || (await signOuts.isSignedOut(hashOf(id)))) return null;
      return session(id, expiresAt);
    },
    csrfMatches(current, given) {
      if (typeof given !== "string" || given.length !== current.csrfToken.length) return false;
      return timingSafeEqual(Buffer.from(given), Buffer.from(current.csrfToken));
    },
    async revoke(current) {
      await signOuts.signOut(hashOf(current.id), current.expiresAt);
    },
    setCookie(cookie) {
      return `${cookieName}=${cookie}; ${attributes}; Max-Age=${options.ttlSeconds}`;
    },
    clearCookie() {
      return `${cookieName}=; ${attributes}; Max-Age=0`;
    },
  };
}

/** The value of one cookie from a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
