// MCP tools/call: the called tool's definition, as the server states it now, must be the pinned one. A
// definition changed upstream is refused with 409 tool_changed until an admin accepts it; a tool the
// server does not list (or lists past the gateway's bound) is refused as unknown.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { GatewayError } from "../errors.js";
import { listUpstreamTools } from "../mcp/list-upstream-tools.js";
import type { McpServers } from "../mcp/mcp-servers.js";
import type { ToolPins } from "../mcp/tool-pins.js";

export function createCheckMcpPin(servers: Pick<McpServers, "headersFor">, pins: ToolPins): RequestHandler {
  return async function checkMcpPin(_req: Request, res: Response, next: NextFunction) {
    try {
      const mcp = res.locals.mcp!;
      if (mcp.method !== "tools/call" || !mcp.session) return next();
      const tools = await listUpstreamTools(servers, mcp.server, mcp.session);
      // A tool the server does not list has no pinned definition anyone reviewed: it is not called.
      if (!tools.some((t) => t.name === mcp.toolName))
        throw new GatewayError(
          "invalid_request",
          `MCP server ${mcp.server.name} does not list a tool ${JSON.stringify(mcp.toolName)}`,
          { extensions: { jsonRpcCode: -32602 } },
        );
      const changed = await pins.observe(mcp.server.name, tools);
      if (changed.has(mcp.toolName!)) {
        throw new GatewayError(
          "tool_changed",
          `the definition of ${mcp.toolName} changed on MCP server ${mcp.server.name}; an admin must accept it`,
          { extensions: { server: mcp.server.name, tool: mcp.toolName } },
        );
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}
