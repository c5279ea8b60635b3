// Forward an MCP message to the upstream server on the agent's upstream session, with the server's
// credential headers (never the agent's), and write the answer back: notifications and streamed answers
// pass through as they come; the answer to this request is filtered first (lists show only what the
// policy allows and pins accept; a tool's result passes the decision's obligations).
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { isJSONRPCResultResponse, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { applyToJson, compileObligations } from "../forward/obligations.js";
import { scrubSecrets, scrubText } from "../forward/scrub-secrets.js";
import { timeStage } from "../http/locals.js";
import { isDefinition } from "../mcp/list-upstream-tools.js";
import type { McpRequest } from "../mcp/mcp-request.js";
import type { McpServers } from "../mcp/mcp-servers.js";
import type { McpSessions } from "../mcp/sessions.js";
import type { ToolPins } from "../mcp/tool-pins.js";
import { parseMessage, rewriteSse, sendUpstream, upstreamHeaders } from "../mcp/upstream.js";
import type { Obligations } from "../policy/types.js";

export interface ForwardMcpDeps {
  servers: Pick<McpServers, "headersFor">;
  sessions: McpSessions;
  pins: ToolPins;
}

export function createForwardMcp(deps: ForwardMcpDeps): RequestHandler {
  return async function forwardMcp(req: Request, res: Response, next: NextFunction) {
    const mcp = res.locals.mcp!;
    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.on("close", onClose);
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
        signal: abort.signal,
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

      const rewrite = answerRewriter(mcp, deps.pins, res.locals.decision?.obligations);
      res.status(upstream.status);
      for (const [name, value] of Object.entries(out)) res.setHeader(name, value);
      if (!upstream.body) {
        res.locals.answer = { status: upstream.status, headers: out, body: Buffer.alloc(0) };
        res.end();
      } else if (/^text\/event-stream/i.test(contentType ?? "")) {
        const stream = rewriteSse(upstream.body as WebReadableStream<Uint8Array>, rewrite, (data) =>
          scrubText(data, secrets),
        );
        res.locals.answer = { status: upstream.status, headers: out, body: stream };
        res.setHeader("cache-control", "no-cache");
        res.flushHeaders();
        await pipeline(stream, res).catch(() => abort.abort());
      } else {
        let body: Buffer = Buffer.from(await upstream.arrayBuffer());
        if (upstream.ok && /^application\/json/i.test(contentType ?? "") && body.length > 0) {
          body = Buffer.from(JSON.stringify(await rewrite(parseMessage(body.toString("utf8")))));
        }
        body = scrubSecrets(body, secrets);
        res.locals.answer = { status: upstream.status, headers: out, body };
        res.end(body);
      }
    } catch (error) {
      return next(error);
    } finally {
      timeStage(res.locals, "upstream", startedAt);
      res.off("close", onClose);
    }
    next();
  };
}

/** Filters the answer to this request; every other message (notifications, server requests) passes. */
function answerRewriter(
  mcp: McpRequest,
  pins: ToolPins,
  obligations: Obligations | undefined,
): (message: JSONRPCMessage) => Promise<JSONRPCMessage> {
  const requestId = mcp.message && "id" in mcp.message ? mcp.message.id : undefined;
  const allows = mcp.listAllows ?? (() => false);
  return async (message) => {
    if (requestId === undefined || !isJSONRPCResultResponse(message) || message.id !== requestId)
      return message;
    const result = message.result as Record<string, unknown>;
    switch (mcp.method) {
      case "tools/list": {
        const tools = Array.isArray(result.tools) ? result.tools.filter(isDefinition) : [];
        const changed = await pins.observe(mcp.server.name, tools);
        const shown = tools.filter((t) => !changed.has(t.name) && allows("tool", t.name));
        return { ...message, result: { ...result, tools: shown } };
      }
      case "prompts/list":
        return { ...message, result: { ...result, prompts: only(result.prompts, "name", "prompt", allows) } };
      case "resources/list":
        return {
          ...message,
          result: { ...result, resources: only(result.resources, "uri", "resource", allows) },
        };
      case "resources/templates/list":
        return {
          ...message,
          result: {
            ...result,
            resourceTemplates: only(result.resourceTemplates, "uriTemplate", "resource", allows),
          },
        };
      case "tools/call": {
        const compiled = compileObligations(obligations);
        return compiled
          ? { ...message, result: applyToJson(result, compiled) as typeof message.result }
          : message;
      }
      default:
        return message;
    }
  };
}

function only(
  items: unknown,
  key: string,
  kind: "resource" | "prompt",
  allows: (kind: "tool" | "resource" | "prompt", name: string) => boolean,
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
