import { createHash, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
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

export function requireAdmin(adminToken: string) {
  const matches = createBearerCheck(adminToken);
  return function adminAuth(req: Request, res: Response, next: NextFunction) {
    if (!matches(req.get("authorization"))) {
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
