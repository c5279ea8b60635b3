// What the MCP stages know about one request to /v1/mcp/{name}, kept in res.locals.mcp.
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { McpServer } from "./mcp-servers.js";
import type { McpSession } from "./sessions.js";

export interface McpRequest {
  server: McpServer;
  /** The JSON-RPC message the agent POSTed (null for GET and DELETE). */
  message: JSONRPCMessage | null;
  /** The request's method when the message is a request or notification ("tools/call", …). */
  method: string | null;
  /** tools/call only: the MCP tool and its arguments. */
  toolName: string | null;
  arguments: Record<string, unknown>;
  /** The agent's session (null before initialize). */
  session: McpSession | null;
  /** Set by authorizeMcp: may this agent see the named tool, resource or prompt in a list. */
  listAllows?: (kind: "tool" | "resource" | "prompt", name: string) => boolean;
}

export function isToolCall(mcp: McpRequest | undefined): boolean {
  return mcp?.method === "tools/call";
}
