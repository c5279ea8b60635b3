import { createHash, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { type ConsoleSessions, readCookie } from "../console/sessions.js";
import { GatewayError } from "../errors.js";

/**
 * Bearer-token check in constant time: both sides are hashed first so the
 * comparison never depends on where they differ, nor on the token's length.
 */
export function createBearerCheck(expectedToken: string) {
  const expected = createHash("sha256").update(expectedToken).digest();
  return function matches(header: string | undefined): boolean {
    const match = header ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
    const given = createHash("sha256")
      .update(match?.[1] ?? "")
      .digest();
    return timingSafeEqual(given, expected) && match !== null;
  };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Admin routes: the admin token as a bearer, or a console session cookie. A change made with
 * a session cookie must also carry the session's CSRF token in X-CSRF-Token (a header a
 * cross-site form or image cannot send), and is refused when the browser says it came from
 * another site.
 */
export function requireAdmin(adminToken: string, sessions?: ConsoleSessions, nowMs: () => number = Date.now) {
  const matches = createBearerCheck(adminToken);
  return async function adminAuth(req: Request, res: Response, next: NextFunction) {
    const authorization = req.get("authorization");
    if (authorization === undefined && sessions) {
      // Rejects (503 store_unavailable) when the store holding sign-outs cannot be read: fail closed.
      const session = await sessions.verify(readCookie(req.get("cookie"), sessions.cookieName), nowMs());
      if (session) {
        const crossSite = (req.get("sec-fetch-site") ?? "same-origin") !== "same-origin";
        if (
          !SAFE_METHODS.has(req.method) &&
          (crossSite || !sessions.csrfMatches(session, req.get("x-csrf-token")))
        ) {
          return next(new GatewayError("unauthorized", "a console change needs the session's X-CSRF-Token"));
        }
        res.locals.adminActor = `console:${session.id.slice(0, 8)}`;
        return next();
      }
    }
    if (!matches(authorization)) {
      return next(
        new GatewayError("unauthorized", "send Authorization: Bearer <admin token>", {
          headers: { "WWW-Authenticate": 'Bearer realm="agentgw-admin"' },
        }),
      );
    }
    res.locals.adminActor = "admin";
    next();
  };
}
