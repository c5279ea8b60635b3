// The gateway's own tools/list on the agent's upstream session: the definitions as the server states them
// now, so a call is checked against the current definition, not one an earlier list happened to show.
import { randomUUID } from "node:crypto";
import { isJSONRPCErrorResponse, isJSONRPCResultResponse } from "@modelcontextprotocol/sdk/types.js";
import { GatewayError } from "../errors.js";
import { MCP_TOOL_NAME } from "./mcp-request.js";
import type { McpServer, McpServers } from "./mcp-servers.js";
import type { McpSession } from "./sessions.js";
import type { McpToolDefinition } from "./tool-digest.js";
import { readMessages, sendUpstream } from "./upstream.js";

const MAX_PAGES = 20;

export async function listUpstreamTools(
  servers: Pick<McpServers, "headersFor">,
  server: McpServer,
  session: McpSession,
  signal?: AbortSignal,
): Promise<McpToolDefinition[]> {
  const tools: McpToolDefinition[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const id = `agentgw-${randomUUID()}`;
    const response = await sendUpstream(server.url, {
      method: "POST",
      headers: {
        accept: "application/json, text/event-stream",
        "content-type": "application/json",
        "mcp-session-id": session.upstreamId,
        ...(session.protocolVersion ? { "mcp-protocol-version": session.protocolVersion } : {}),
        ...(await servers.headersFor(server)),
      },
      body: Buffer.from(
        JSON.stringify({ jsonrpc: "2.0", id, method: "tools/list", params: cursor ? { cursor } : {} }),
      ),
      ...(signal ? { signal } : {}),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new GatewayError(
        "upstream_error",
        `the MCP server answered tools/list with HTTP ${response.status}`,
      );
    }
    const answer = (await readMessages(response)).find((m) => "id" in m && m.id === id);
    if (!answer || isJSONRPCErrorResponse(answer) || !isJSONRPCResultResponse(answer))
      throw new GatewayError("upstream_error", "the MCP server did not answer tools/list");
    const result = answer.result as { tools?: unknown; nextCursor?: unknown };
    if (!Array.isArray(result.tools)) throw new GatewayError("upstream_error", "tools/list without tools");
    tools.push(...usableTools(result.tools));
    if (tools.length >= MAX_TOOLS || typeof result.nextCursor !== "string" || result.nextCursor === "")
      return tools.slice(0, MAX_TOOLS);
    cursor = result.nextCursor;
  }
  return tools;
}

/**
 * The most tools of one server the gateway pins, shows and lets agents call. A hostile server listing
 * millions of tools would otherwise grow the pin table and make every call's pin check slow; the tools past
 * it are hidden and refused like unlisted ones.
 */
export const MAX_TOOLS = 1000;

/** The definitions of a tools/list page the gateway can pin: well-formed, with an MCP tool name. */
export function usableTools(tools: unknown[]): McpToolDefinition[] {
  return tools.filter((t): t is McpToolDefinition => isDefinition(t) && MCP_TOOL_NAME.test(t.name));
}

export function isDefinition(value: unknown): value is McpToolDefinition {
  return (
    typeof value === "object" && value !== null && typeof (value as { name?: unknown }).name === "string"
  );
}
