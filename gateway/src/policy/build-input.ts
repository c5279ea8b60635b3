// The policy input document (CONTRACT.md §5), built the same way for both phases.
import type { Request, Response } from "express";
import type { PolicyInput } from "./types.js";

/** Never shown to policies: credentials and the signature machinery. */
const HIDDEN_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "signature",
  "signature-input",
]);

export function visibleHeaders(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HIDDEN_HEADERS.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export function queryObject(rawQuery: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

export interface PolicyInputParts {
  /** Asked and recorded per request; the MCP "list" phase is built from a call-shaped input (authorize-mcp.ts). */
  phase: "token" | "call";
  tool: string;
  action: string | null;
  scopes: string[];
  intent: string | null;
  path: string;
  query: string;
  body: unknown;
  extra?: Record<string, unknown>;
}

export function buildPolicyInput(
  req: Request,
  res: Response,
  parts: PolicyInputParts,
  nowMs: number,
): PolicyInput {
  const agent = res.locals.agent!;
  const token = res.locals.token;
  return {
    phase: parts.phase,
    agent: {
      id: agent.id,
      name: agent.name,
      tier: agent.tier,
      scopes: agent.scopes,
      metadata: agent.metadata,
    },
    kid: res.locals.signature!.kid,
    tool: parts.tool,
    action: parts.action,
    scopes: parts.scopes,
    intent: parts.intent,
    request: {
      method: req.method,
      path: parts.path,
      query: queryObject(parts.query),
      headers: visibleHeaders(req),
      // The bytes really received, whatever the headers claim (a chunked body has no content-length).
      size: res.locals.rawBody?.length ?? 0,
      body: parts.body ?? null,
    },
    token: token
      ? { jti: token.claims.jti, scopes: [...token.scopes], iat: token.claims.iat, exp: token.claims.exp }
      : null,
    time: { now: new Date(nowMs).toISOString(), unix: Math.floor(nowMs / 1000) },
    source: { ip: req.ip ?? "" },
    ...parts.extra,
  };
}
