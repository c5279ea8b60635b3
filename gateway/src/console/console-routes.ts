// The admin console at /console: static pages (plain HTML, CSS and JS committed in
// gateway/console/, no build step) and the sign-in endpoints. The pages call the
// admin API with the session cookie; every change carries the CSRF token
// (http/bearer-auth.ts). Sign-in failures cost the caller's address quota, like a
// bad signature, so the admin token cannot be guessed at speed.
import { readFileSync } from "node:fs";
import type { NextFunction, Request, RequestHandler, Response, Router } from "express";
import express from "express";
import { z } from "zod";
import { GatewayError } from "../errors.js";
import { createBearerCheck } from "../http/bearer-auth.js";
import { parseJsonBody } from "../http/raw-body.js";
import { type ConsoleSessions, readCookie } from "./sessions.js";

export interface ConsoleDeps {
  adminToken: string;
  sessions: ConsoleSessions;
  nowMs: () => number;
  /** Reads the request body (bounded, like every other route's). */
  readBody: RequestHandler;
  /** Throws rate_limited when the address has failed too often. */
  onFailedSignIn: (ip: string) => Promise<unknown>;
}

/** The pages' one HTML document; the path after /console picks the page in the browser. */
export const CONSOLE_PAGES = [
  "overview",
  "agents",
  "approvals",
  "decisions",
  "audit",
  "credentials",
  "policy",
];

const ASSETS: Record<string, string> = {
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
  "icon.svg": "image/svg+xml",
};

// No inline script or style anywhere, nothing from elsewhere, no framing.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

function consoleFile(name: string): Buffer {
  return readFileSync(new URL(`../../console/${name}`, import.meta.url));
}

function secureHeaders(res: Response): void {
  res.setHeader("Content-Security-Policy", CSP);
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  res.setHeader("Cache-Control", "no-store");
}

const signInBody = z.strictObject({ token: z.string().min(1).max(1024) });

export function createConsoleRouter(deps: ConsoleDeps): Router {
  const { sessions } = deps;
  const matches = createBearerCheck(deps.adminToken);
  // Read once: the files ship with the package and never change while it runs.
  const page = consoleFile("index.html");
  const assets = new Map(
    Object.entries(ASSETS).map(([name, type]) => [name, { type, body: consoleFile(name) }]),
  );
  const router = express.Router({ strict: true, caseSensitive: true });

  const sendPage = (_req: Request, res: Response) => {
    secureHeaders(res);
    res.type("html").send(page);
  };
  router.get("/", (_req, res) => res.redirect(302, "/console/"));
  router.get("/console", (_req, res) => res.redirect(302, "/console/"));
  router.get("/console/", sendPage);
  for (const name of CONSOLE_PAGES) router.get(`/console/${name}`, sendPage);
  router.get("/console/assets/:file", (req, res, next) => {
    const asset = assets.get(String(req.params.file));
    if (!asset) return next();
    secureHeaders(res);
    res.setHeader("Cache-Control", "no-cache");
    res.type(asset.type).send(asset.body);
  });

  // Express 5 passes a rejected handler's error (e.g. the store unreachable: 503) to the error handler.
  router.get("/console/session", async (req, res, next) => {
    const session = await sessions.verify(readCookie(req.get("cookie"), sessions.cookieName), deps.nowMs());
    if (!session) return next(new GatewayError("unauthorized", "not signed in to the console"));
    secureHeaders(res);
    res.json({ csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() });
  });
  router.post("/console/session", deps.readBody, (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const parsed = signInBody.safeParse(parseJsonBody(req, res) ?? {});
      if (!parsed.success)
        throw new GatewayError("invalid_request", 'send {"token": "<admin token>"} as JSON');
      if (!matches(`Bearer ${parsed.data.token}`)) {
        await deps.onFailedSignIn(req.ip ?? "");
        throw new GatewayError("unauthorized", "that is not the admin token");
      }
      const { session, cookie } = sessions.issue(deps.nowMs());
      secureHeaders(res);
      res.setHeader("Set-Cookie", sessions.setCookie(cookie));
      res.json({ csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() });
    })().catch(next);
  });
  router.delete("/console/session", async (req, res, next) => {
    const session = await sessions.verify(readCookie(req.get("cookie"), sessions.cookieName), deps.nowMs());
    if (session) {
      if (!sessions.csrfMatches(session, req.get("x-csrf-token"))) {
        return next(new GatewayError("unauthorized", "signing out needs the session's X-CSRF-Token"));
      }
      await sessions.revoke(session);
    }
    res.setHeader("Set-Cookie", sessions.clearCookie());
    res.status(204).end();
  });
  return router;
}
