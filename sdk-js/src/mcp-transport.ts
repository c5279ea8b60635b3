// `@agentgw/sdk/mcp`: a ready transport for the official MCP TypeScript client
// (`@modelcontextprotocol/sdk`, an optional peer dependency):
//
//   const client = new Client({ name: "my-agent", version: "1.0.0" });
//   await client.connect(createMcpTransport(gw, "repo"));
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { AgentGateway } from "./client.js";
import type { McpFetchOptions } from "./mcp.js";

export type { McpFetchOptions } from "./mcp.js";

export function createMcpTransport(
  gw: AgentGateway,
  server: string,
  options: McpFetchOptions = {},
): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(new URL(gw.mcpUrl(server)), {
    fetch: gw.mcpFetch(server, options),
  });
}
