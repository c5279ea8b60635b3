// Forward an MCP message to the upstream server on the agent's upstream session, with the server's
// credential headers (never the agent's), and write the answer back: notifications and streamed answers
// pass through as they come; the answer to this request is filtered first (lists show only what the
// policy allows and pins accept; a tool's result passes the decision's obligations).
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import {
  isJSONRPCErrorResponse,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
} from "@modelcontextprotocol/sdk/types.js";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { GatewayError } from "../errors.js";
import { applyToJson, blockInText, compileObligations } from "../forward/obligations.js";
import { scrubSecrets, scrubText } from "../forward/scrub-secrets.js";
import { watchClientGone } from "../http/client-gone.js";
import { timeStage } from "../http/locals.js";
import { ListChangedThrottle } from "../mcp/list-changed-throttle.js";
import { MAX_TOOLS, usableTools } from "../mcp/list-upstream-tools.js";
import { type McpItemKind, type McpRequest, requestIdOf } from "../mcp/mcp-request.js";
import type { McpServers } from "../mcp/mcp-servers.js";
import type { McpSessions } from "../mcp/sessions.js";
import type { ToolPins } from "../mcp/tool-pins.js";
import { parseMessage, readBounded, rewriteSse, sendUpstream, upstreamHeaders } from "../mcp/upstream.js";
import type { Obligations } from "../policy/types.js";

export interface ForwardMcpDeps {
  servers: Pick<McpServers, "headersFor">;
  sessions: McpSessions;
  pins: ToolPins;
}

export function createForwardMcp(deps: ForwardMcpDeps): RequestHandler {
  const listChanged = new ListChangedThrottle();
  return async function forwardMcp(req: Request, res: Response, next: NextFunction) {
    const mcp = res.locals.mcp!;
    const clientGone = watchClientGone(res);
    const startedAt = process.hrtime.bigint();
    try {
      const credentialHeaders = await deps.servers.headersFor(mcp.server);
      const headers = upstreamHeaders(req.headers, {
        ...(mcp.session ? { "mcp-session-id": mcp.session.upstreamId } : {}),
        ...credentialHeaders,
      });
      // An upstream that echoes its credential (in an error, say) must not hand it to the agent.
      const secrets = secretsOf(credentialHeaders);
      const upstream = await sendUpstream(mcp.server.url, {
        method: req.method,
        headers,
        body: req.method === "POST" ? (res.locals.rawBody ?? null) : null,
        signal: clientGone.signal,
      });
      const out: Record<string, string> = {};
      const contentType = upstream.headers.get("content-type");
      if (contentType) out["content-type"] = contentType;
      if (mcp.method === "initialize" && upstream.ok) {
        const upstreamId = upstream.headers.get("mcp-session-id");
        if (upstreamId) {
          mcp.session = await deps.sessions
            .open(res.locals.agent!.id, mcp.server.name, upstreamId)
            .catch(async (error: unknown) => {
              // Not recorded (the shared table is down): end the upstream session the agent cannot use.
              await upstream.body?.cancel().catch(() => {});
              void sendUpstream(mcp.server.url, {
                method: "DELETE",
                headers: { "mcp-session-id": upstreamId, ...credentialHeaders },
              }).catch(() => {});
              throw error;
            });
          out["mcp-session-id"] = mcp.session.id;
        }
      }
      // The upstream ended the session (or forgot it): so does the gateway, on every instance; the agent
      // starts a new one.
      if (mcp.session && (upstream.status === 404 || (req.method === "DELETE" && upstream.ok)))
        await deps.sessions.close(mcp.session.id);

      const outcome = { failed: false };
      const obligations = mcp.target?.decide === "call" ? res.locals.decision?.obligations : undefined;
      const blockPatterns = compileObligations(obligations)?.patterns ?? [];
      const rewrite = answerRewriter(mcp, deps.pins, obligations, outcome);
      res.status(upstream.status);
      for (const [name, value] of Object.entries(out)) res.setHeader(name, value);
      if (!upstream.body) {
        res.locals.answer = { status: upstream.status, headers: out, body: Buffer.alloc(0) };
        res.end();
      } else if (/^text\/event-stream/i.test(contentType ?? "")) {
        const session = mcp.session;
        const passing = async (message: JSONRPCMessage) =>
          session && !listChanged.passes(session.id, message) ? null : rewrite(message);
        const stream = rewriteSse(upstream.body as WebReadableStream<Uint8Array>, passing, (data) =>
          scrubText(data, secrets),
        );
        res.locals.answer = { status: upstream.status, headers: out, body: stream };
        res.setHeader("cache-control", "no-cache");
        res.flushHeaders();
        // A stream cut short (a message the gateway cannot filter, the agent gone) is a failed call.
        await pipeline(stream, res).catch(() => {
          outcome.failed = true;
          clientGone.abort();
        });
        res.locals.answer.failed = outcome.failed;
      } else {
        let body = await readBounded(upstream);
        const json = /^application\/json/i.test(contentType ?? "");
        // A successful MCP answer with a body is JSON or SSE; anything else cannot be filtered, so it is not passed.
        if (upstream.ok && body.length > 0 && !json)
          throw new GatewayError("upstream_error", "the MCP server answered neither JSON nor SSE");
        if (upstream.ok && json && body.length > 0) {
          const answer = await rewrite(parseMessage(body.toString("utf8")));
          if (!answer) throw new GatewayError("upstream_error", "the MCP server answered another request");
          body = Buffer.from(JSON.stringify(answer));
        } else if (!upstream.ok && blockPatterns.length > 0) {
          // An error page is not a JSON-RPC answer to filter, but what the policy blocks is blocked in it too.
          body = Buffer.from(blockInText(body.toString("utf8"), blockPatterns));
        }
        body = scrubSecrets(body, secrets);
        res.locals.answer = { status: upstream.status, headers: out, body, failed: outcome.failed };
        res.end(body);
      }
    } catch (error) {
      return next(error);
    } finally {
      timeStage(res.locals, "upstream", startedAt);
      clientGone.release();
    }
    next();
  };
}

/**
 * Filters the answer to this request (`obligations`: those of a decided call, else none): lists show only
 * what the policy allows (and pins accept), a call's result passes the decision's obligations. The decision's block_patterns apply to every message of a
 * call's answer (progress and log notifications, an error's message), so what a policy blocks cannot be
 * carried past it in another message. `outcome.failed` tells settle that the call failed (a JSON-RPC error
 * or a tool result with isError), so its budget reservation is given back.
 */
export function answerRewriter(
  mcp: McpRequest,
  pins: ToolPins,
  obligations: Obligations | undefined,
  outcome: { failed: boolean },
): (message: JSONRPCMessage) => Promise<JSONRPCMessage | null> {
  const requestId = requestIdOf(mcp);
  const allows = mcp.listAllows ?? (() => false);
  const compiled = compileObligations(obligations);
  const patternsOnly = compiled?.patterns.length
    ? { redact: [], truncate: [], patterns: compiled.patterns }
    : null;
  return async (message) => {
    const response = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
    if (!response) return patternsOnly ? (applyToJson(message, patternsOnly) as JSONRPCMessage) : message;
    // Only the answer to this request belongs here. Another id could be matched by the client to another of
    // its requests (clients compare ids as numbers), unfiltered: it is dropped. The answer keeps the agent's id.
    if (requestId === undefined || String(message.id) !== String(requestId)) return null;
    if (isJSONRPCErrorResponse(message)) {
      outcome.failed = true;
      const error = patternsOnly
        ? (applyToJson(message.error, patternsOnly) as typeof message.error)
        : message.error;
      return { ...message, id: requestId, error };
    }
    const result = message.result as Record<string, unknown>;
    if (result.isError === true) outcome.failed = true;
    const filtered = await filterList(mcp, pins, allows, result);
    if (filtered) return { ...message, id: requestId, result: filtered };
    return {
      ...message,
      id: requestId,
      result: compiled ? (applyToJson(result, compiled) as typeof message.result) : message.result,
    };
  };
}

/** A list answer with only what the agent may see, recorded once; null for answers that are not lists. */
async function filterList(
  mcp: McpRequest,
  pins: ToolPins,
  allows: (kind: McpItemKind, name: string) => boolean,
  result: Record<string, unknown>,
): Promise<Record<string, unknown> | null> {
  let filtered: Record<string, unknown>;
  let changed: string[] = [];
  switch (mcp.method) {
    case "tools/list": {
      // A name outside MCP's tool-name alphabet is never shown (nor callable): it could pass for a prompt
      // or resource action ("prompt:…") in a policy. Past MAX_TOOLS a page's tools are neither pinned nor shown.
      const tools = usableTools(Array.isArray(result.tools) ? result.tools : []).slice(0, MAX_TOOLS);
      const changedNow = await pins.observe(mcp.server.name, tools);
      changed = [...changedNow];
      filtered = { ...result, tools: tools.filter((t) => !changedNow.has(t.name) && allows("tool", t.name)) };
      break;
    }
    case "prompts/list":
      filtered = { ...result, prompts: only(result.prompts, "name", "prompt", allows) };
      break;
    case "resources/list":
      filtered = { ...result, resources: only(result.resources, "uri", "resource", allows) };
      break;
    case "resources/templates/list":
      filtered = {
        ...result,
        resourceTemplates: only(result.resourceTemplates, "uriTemplate", "resource", allows),
      };
      break;
    default:
      return null;
  }
  const shown = Object.values(filtered).find(Array.isArray)?.length ?? 0;
  await mcp.recordList?.(shown, changed);
  return filtered;
}

function only(
  items: unknown,
  key: string,
  kind: McpItemKind,
  allows: (kind: McpItemKind, name: string) => boolean,
): unknown[] {
  if (!Array.isArray(items)) return [];
  return items.filter((item) => {
    const name = (item as Record<string, unknown> | null)?.[key];
    return typeof name === "string" && allows(kind, name);
  });
}

/** The credential's header values, and the token part of `<scheme> <token>` values. */
function secretsOf(headers: Record<string, string>): string[] {
  return Object.values(headers).flatMap((value) => {
    const token = /^\S+ +(\S{8,})$/.exec(value)?.[1];
    return token ? [value, token] : [value];
  });
}
