// The MCP services: configured servers, agent sessions and pinned tool definitions. Sessions live in
// this process unless shared state (Redis) hands in a table every instance shares.
import type { Config } from "../config.js";
import type { Credentials } from "../credentials/credentials.js";
import type { McpStore } from "../store/types.js";
import { createMcpServers, type McpServerRows, type McpServers } from "./mcp-servers.js";
import { createMemoryMcpSessions, type McpSessions } from "./sessions.js";
import { createToolPins, memoryToolPinRows, type ToolPinRows, type ToolPins } from "./tool-pins.js";

export interface Mcp {
  servers: McpServers;
  sessions: McpSessions;
  pins: ToolPins;
}

export function openMcp(options: {
  config: Config;
  credentials: Pick<Credentials, "resolve">;
  store?: McpStore;
  /** The shared session table (Redis); default: this process's memory. */
  sessions?: McpSessions;
  now: () => Date;
}): Mcp {
  const serverRows: McpServerRows | undefined = options.store && {
    list: () => options.store!.listServers(),
    get: (name) => options.store!.getServer(name),
    put: (server) => options.store!.putServer(server, options.now().toISOString()),
    delete: (name) => options.store!.deleteServer(name),
  };
  const pinRows: ToolPinRows | undefined = options.store && {
    list: (server) => options.store!.listPins(server),
    get: (server, tool) => options.store!.getPin(server, tool),
    insertIfAbsent: (pin) => options.store!.insertPinIfAbsent(pin),
    markSeen: (server, tool, seen, digest, at) => options.store!.markPinSeen(server, tool, seen, digest, at),
    accept: (server, tool, digest, at) => options.store!.acceptPin(server, tool, digest, at),
  };
  return {
    servers: createMcpServers({
      configured: options.config.mcp.servers,
      credentials: options.credentials,
      ...(serverRows ? { rows: serverRows } : {}),
    }),
    sessions:
      options.sessions ??
      createMemoryMcpSessions({ ...options.config.mcp.sessions, now: () => options.now().getTime() }),
    pins: createToolPins(pinRows ?? memoryToolPinRows(), options.now),
  };
}
