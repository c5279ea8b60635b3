// MCP requests (/v1/mcp/{name}): the server from the path, the JSON-RPC message from the signed body (read
// with the MCP SDK's own schema; a method the gateway does not know is refused), what it names (a tool,
// prompt or resource: mcp/mcp-methods.ts), and the agent's session from Mcp-Session-Id. The tool is
// `mcp.{name}`; the action is what the request names (mcpAction), else the MCP method.
import {
  isJSONRPCNotification,
  isJSONRPCRequest,
  JSONRPCMessageSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { GatewayError } from "../errors.js";
import { parseJsonDocument } from "../http/json-body.js";
import { checkMethod, targetOf } from "../mcp/mcp-methods.js";
import { type McpRequest, mcpAction } from "../mcp/mcp-request.js";
import type { McpServers } from "../mcp/mcp-servers.js";
import { mcpActionSpec, mcpToolSpec } from "../mcp/mcp-tool-spec.js";
import type { McpSessions } from "../mcp/sessions.js";

const MCP_PATH = /^\/v1\/mcp\/([^/?#]+)\/?(?:\?[^#]*)?$/;

export function createResolveMcpCall(servers: McpServers, sessions: McpSessions): RequestHandler {
  return async function resolveMcpCall(req: Request, res: Response, next: NextFunction) {
    try {
      const name = MCP_PATH.exec(req.originalUrl)?.[1] ?? "";
      const server = await servers.get(name);
      if (!server)
        throw new GatewayError("unknown_tool", `no MCP server named ${JSON.stringify(name.slice(0, 64))}`);
      const mcp: McpRequest = {
        server,
        message: null,
        method: null,
        target: null,
        toolName: null,
        session: null,
      };
      // Known before the message is read, so a refused request with an id is answered in JSON-RPC.
      res.locals.mcp = mcp;
      if (req.method === "POST") readMessage(req, res, mcp);
      else if (req.method !== "GET" && req.method !== "DELETE")
        throw new GatewayError("method_not_allowed", "MCP takes POST, GET and DELETE", {
          headers: { allow: "GET, POST, DELETE" },
        });
      const sessionId = req.get("mcp-session-id");
      if (sessionId !== undefined) {
        // Unknown, expired or another agent's: MCP's answer to a session it does not know (the client starts anew).
        // With Redis this asks the shared table (any instance may have opened it); Redis down → 503.
        const session = await sessions.find(sessionId, res.locals.agent!.id, server.name);
        if (!session) throw new GatewayError("not_found", "no such MCP session; initialize a new one");
        session.protocolVersion = req.get("mcp-protocol-version") ?? null;
        mcp.session = session;
      } else if (mcp.method !== "initialize") {
        throw new GatewayError("invalid_request", "send Mcp-Session-Id (from the initialize answer)");
      }
      res.locals.toolCall = {
        tool: mcpToolSpec(server.name),
        action: mcpActionSpec(
          server.name,
          mcp.target ? mcpAction(mcp.target.kind, mcp.target.name) : (mcp.method ?? req.method),
        ),
        path: "/",
        query: "",
      };
      next();
    } catch (error) {
      next(error);
    }
  };
}

function readMessage(req: Request, res: Response, mcp: McpRequest): void {
  if (!/^application\/json\b/i.test(req.get("content-type") ?? ""))
    throw new GatewayError("invalid_request", "an MCP message is sent as application/json");
  const raw = res.locals.rawBody;
  if (!raw?.length) throw new GatewayError("invalid_request", "the body must be one JSON-RPC message");
  const parsed = JSONRPCMessageSchema.safeParse(parseJsonDocument(raw));
  if (!parsed.success) throw new GatewayError("invalid_request", "the body must be one JSON-RPC 2.0 message");
  const message = parsed.data;
  mcp.message = message;
  if (isJSONRPCRequest(message) || isJSONRPCNotification(message)) {
    // A notification named like a request ("tools/call" without an id) is not a call: it is refused.
    checkMethod(message.method, !isJSONRPCRequest(message));
    mcp.method = message.method;
    if (isJSONRPCRequest(message)) {
      mcp.target = targetOf(message.method, message.params);
      if (mcp.target?.kind === "tool") mcp.toolName = mcp.target.name;
    }
  }
}
