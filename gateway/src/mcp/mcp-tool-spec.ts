// An MCP server as a tool of the gateway: tool `mcp.{name}` with the one scope `mcp.{name}:use`. The
// action is the MCP tool's name (tools/call) or the MCP method, set per request by resolveMcpCall.
import type { ActionSpec, ToolSpec } from "../tools/catalog.js";

export const MCP_SCOPE = /^mcp\.[a-z0-9][a-z0-9_-]{0,62}:use$/;

export function mcpToolName(server: string): string {
  return `mcp.${server}`;
}

export function mcpActionSpec(server: string, action: string): ActionSpec {
  return {
    name: action,
    scope: `${mcpToolName(server)}:use`,
    method: "POST",
    path: /^\/$/,
    idempotent: false,
    description: `MCP ${action} on server ${server}`,
  };
}

export function mcpToolSpec(server: string): ToolSpec {
  return {
    name: mcpToolName(server),
    description: `MCP server ${server}`,
    actions: [mcpActionSpec(server, "use")],
  };
}
