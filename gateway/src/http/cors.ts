// CORS for agents that run in a browser: origins an operator allows may call the agent API
// (`/v1/…`) and the discovery documents. Requests are authenticated by their signature and
// token, never by cookies, so no credentials mode is offered. The admin API is left out on
// purpose: the console is served same-origin, and an admin token should not be usable from
// another site's page.
import type { RequestHandler } from "express";

export interface CorsOptions {
  /** Exact origins (`https://app.example.com`), or `*` for any. Empty: CORS is off. */
  allowedOrigins: readonly string[];
  /** How long a browser may cache a preflight answer. */
  maxAgeSeconds: number;
}

const ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE";
/** What a browser agent must read: correlation, retry hints, where a created thing is. */
const EXPOSED_HEADERS = [
  "x-request-id",
  "retry-after",
  "ratelimit",
  "ratelimit-policy",
  "location",
  "x-agentgw-cache",
].join(", ");
const HEADER_LIST = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;

const coveredPath = (path: string) => path.startsWith("/v1/") || path.startsWith("/.well-known/");

export function createCors(options: CorsOptions): RequestHandler {
  const any = options.allowedOrigins.includes("*");
  const allowed = new Set(options.allowedOrigins.map((o) => o.toLowerCase()));
  return function cors(req, res, next) {
    const origin = req.get("origin");
    if (allowed.size === 0 || origin === undefined || !coveredPath(req.path)) return next();
    res.vary("Origin");
    if (!any && !allowed.has(origin.toLowerCase())) return next();
    res.setHeader("Access-Control-Allow-Origin", any ? "*" : origin);
    const preflight = req.method === "OPTIONS" && req.get("access-control-request-method") !== undefined;
    if (!preflight) {
      res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
      return next();
    }
    // Signature, Signature-Input, Content-Digest, Authorization and whatever a tool's official client
    // adds (x-stainless-*, openai-*): the signature, not the header list, is what protects a request.
    const requested = req.get("access-control-request-headers");
    res.vary("Access-Control-Request-Headers");
    res.setHeader("Access-Control-Allow-Methods", ALLOWED_METHODS);
    if (requested && HEADER_LIST.test(requested.trim()))
      res.setHeader("Access-Control-Allow-Headers", requested.trim());
    res.setHeader("Access-Control-Max-Age", String(options.maxAgeSeconds));
    res.status(204).end();
  };
}
