// MCP servers behind the gateway (`/v1/mcp/{name}`): a fetch for the official MCP client's
// StreamableHTTPClientTransport that signs every request and carries the tool token of `mcp.{name}`
// (scope `mcp.{name}:use`), fetched and renewed like any tool token. Whatever Authorization the MCP
// client would send is dropped: the agent's own credentials never reach the server.
import type { FetchLike } from "./signed-fetch.js";
import { sendWithTokenTo, type ToolCallContext } from "./tool-call.js";

export interface McpFetchOptions {
  /** Sent with the token request: policies may want one for some tools (e.g. creating issues). */
  intent?: string;
}

const SERVER_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** `/v1/mcp/{server}`, refusing names that would change the path. */
export function mcpPath(server: string): string {
  if (!SERVER_NAME.test(server)) throw new TypeError(`not an MCP server name: ${JSON.stringify(server)}`);
  return `/v1/mcp/${server}`;
}

export function createMcpFetch(
  ctx: ToolCallContext,
  baseUrl: URL,
  server: string,
  options: McpFetchOptions = {},
): FetchLike {
  const path = mcpPath(server);
  const endpoint = baseUrl.href.replace(/\/+$/, "") + path;
  const tool = `mcp.${server}`;
  return async function mcpFetch(input, init) {
    const request = new Request(String(input instanceof Request ? input.url : input), init);
    // The token only ever goes to this server's endpoint on this gateway.
    if (request.url.replace(/\?.*$/, "").replace(/\/$/, "") !== endpoint) {
      throw new TypeError(`this fetch sends only to ${endpoint}, not to ${request.url}`);
    }
    const headers = new Headers(request.headers);
    headers.delete("authorization");
    const body = request.body === null ? undefined : new Uint8Array(await request.arrayBuffer());
    const { response } = await sendWithTokenTo(ctx, tool, request.method, path, {
      headers,
      ...(body === undefined ? {} : { body }),
      signal: request.signal,
      scopes: [`${tool}:use`],
      ...(options.intent === undefined ? {} : { intent: options.intent }),
    });
    return response;
  };
}
