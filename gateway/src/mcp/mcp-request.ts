// What the MCP stages know about one request to /v1/mcp/{name}, kept in res.locals.mcp.
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { McpServer } from "./mcp-servers.js";
import type { McpSession } from "./sessions.js";

/** What a list item or a request names: a tool, a prompt or a resource (by URI or URI template). */
export type McpItemKind = "tool" | "prompt" | "resource";

/**
 * What a request names, and how the policy is asked about it:
 * - "call": tools/call, prompts/get, resources/read — decided and recorded like any tool call, with the
 *   item's action and `body` as `request.body`;
 * - "see": completion/complete, resources/subscribe and resources/unsubscribe — allowed only for what the
 *   agent may see in a list (the list phase), since they reveal no more than a list does.
 */
export interface McpTarget {
  kind: McpItemKind;
  /** The tool's or prompt's name, the resource's URI (or URI template, for completions). */
  name: string;
  decide: "call" | "see";
  body: Record<string, unknown>;
}

export interface McpRequest {
  server: McpServer;
  /** The JSON-RPC message the agent POSTed (null for GET and DELETE). */
  message: JSONRPCMessage | null;
  /** The request's method when the message is a request or notification ("tools/call", …). */
  method: string | null;
  /** The tool, prompt or resource the request names (null for lists, initialize, notifications, …). */
  target: McpTarget | null;
  /** tools/call only: the MCP tool. */
  toolName: string | null;
  /** The agent's session (null before initialize). */
  session: McpSession | null;
  /** Set by authorizeMcp: may this agent see the named tool, resource or prompt in a list. */
  listAllows?: (kind: McpItemKind, name: string) => boolean;
  /** Set by authorizeMcp: records one list answer (how many items it showed, which tools changed upstream). */
  recordList?: (shown: number, changed: string[]) => Promise<void>;
}

export function isToolCall(mcp: McpRequest | undefined): boolean {
  return mcp?.method === "tools/call";
}

/**
 * The policy's `action` for an item. Tools keep their bare name; prompts and resources are prefixed, so a
 * prompt or resource can never pass for a tool of the same name (tool names cannot hold ":").
 */
export function mcpAction(kind: McpItemKind, name: string): string {
  return kind === "tool" ? name : `${kind}:${name}`;
}

/** MCP tool names (spec 2025-11-25): 1 to 128 of A-Z a-z 0-9 _ - . — others are hidden and refused. */
export const MCP_TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** The JSON-RPC id of the agent's request, when it is one. */
export function requestIdOf(mcp: McpRequest | undefined): string | number | undefined {
  const message = mcp?.message;
  return message && "method" in message && "id" in message ? message.id : undefined;
}
