// The MCP services: configured servers, agent sessions and pinned tool definitions.
import type { Config } from "../config.js";
import type { Credentials } from "../credentials/credentials.js";
import { createMcpServers, type McpServerRows, type McpServers } from "./mcp-servers.js";
import { McpSessions } from "./sessions.js";
import { createToolPins, memoryToolPinRows, type ToolPinRows, type ToolPins } from "./tool-pins.js";

export interface Mcp {
  servers: McpServers;
  sessions: McpSessions;
  pins: ToolPins;
}

export function openMcp(options: {
  config: Config;
  credentials: Pick<Credentials, "resolve">;
  serverRows?: McpServerRows;
  pinRows?: ToolPinRows;
  now: () => Date;
}): Mcp {
  return {
    servers: createMcpServers({
      configured: options.config.mcp.servers,
      credentials: options.credentials,
      ...(options.serverRows ? { rows: options.serverRows } : {}),
    }),
    sessions: new McpSessions(),
    pins: createToolPins(options.pinRows ?? memoryToolPinRows(), options.now),
  };
}
