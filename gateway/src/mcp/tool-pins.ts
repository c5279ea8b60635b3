// Pinned MCP tool definitions. The first definition the gateway sees of a tool is pinned (trust on first
// use); a later definition with another digest is "changed": hidden from lists and refused with
// 409 tool_changed until an admin accepts it, which pins the definition seen last.
import { GatewayError } from "../errors.js";
import { type McpToolDefinition, toolDigest } from "./tool-digest.js";

export interface ToolPin {
  server: string;
  tool: string;
  /** The digest calls are allowed with. */
  pinnedDigest: string;
  /** The digest of the definition seen last upstream. */
  seenDigest: string;
  /** The definition seen last, so an admin sees what they accept. */
  seen: McpToolDefinition;
  pinnedAt: string;
  seenAt: string;
}

/** Where pins are kept: the store (SQLite or PostgreSQL) in the gateway, a Map in unit tests. */
export interface ToolPinRows {
  list(server: string): Promise<ToolPin[]>;
  get(server: string, tool: string): Promise<ToolPin | undefined>;
  /** Inserts the pin unless one exists for (server, tool); returns the pin now stored. */
  insertIfAbsent(pin: ToolPin): Promise<ToolPin>;
  /** Records the definition seen last. */
  markSeen(
    server: string,
    tool: string,
    seen: McpToolDefinition,
    seenDigest: string,
    at: string,
  ): Promise<void>;
  /** Pins `digest`, only if it is still the one seen last; false when it changed meanwhile. */
  accept(server: string, tool: string, digest: string, at: string): Promise<boolean>;
}

export interface ToolPins {
  /** Checks a fresh list of definitions against the pins; returns the names that changed (to hide and refuse). */
  observe(server: string, tools: readonly McpToolDefinition[]): Promise<Set<string>>;
  list(server: string): Promise<ToolPin[]>;
  /** Accepts the definition seen last; `digest`, when given, must be that one (no accepting a moving target). */
  accept(server: string, tool: string, digest?: string): Promise<ToolPin>;
}

export function isChanged(pin: ToolPin): boolean {
  return pin.pinnedDigest !== pin.seenDigest;
}

export function createToolPins(rows: ToolPinRows, now: () => Date = () => new Date()): ToolPins {
  return {
    async observe(server, tools) {
      const changed = new Set<string>();
      for (const tool of tools) {
        const digest = toolDigest(tool);
        const at = now().toISOString();
        const seen = definitionOf(tool);
        let pin = await rows.get(server, tool.name);
        if (!pin) {
          pin = await rows.insertIfAbsent({
            server,
            tool: tool.name,
            pinnedDigest: digest,
            seenDigest: digest,
            seen,
            pinnedAt: at,
            seenAt: at,
          });
        }
        if (pin.seenDigest !== digest) await rows.markSeen(server, tool.name, seen, digest, at);
        if (pin.pinnedDigest !== digest) changed.add(tool.name);
      }
      return changed;
    },
    list: (server) => rows.list(server),
    async accept(server, tool, digest) {
      const pin = await rows.get(server, tool);
      if (!pin) throw new GatewayError("not_found", `MCP server ${server} has no tool ${tool} seen yet`);
      if (digest !== undefined && digest !== pin.seenDigest)
        throw new GatewayError("conflict", `the definition seen last is ${pin.seenDigest}, not ${digest}`);
      const ok = await rows.accept(server, tool, pin.seenDigest, now().toISOString());
      if (!ok)
        throw new GatewayError("conflict", "the definition changed again meanwhile; list the tools again");
      return (await rows.get(server, tool))!;
    },
  };
}

function definitionOf(tool: McpToolDefinition): McpToolDefinition {
  return {
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    ...(tool.inputSchema === undefined ? {} : { inputSchema: tool.inputSchema }),
    ...(tool.outputSchema === undefined ? {} : { outputSchema: tool.outputSchema }),
  };
}

/** Pins held in memory (unit tests; the gateway keeps them in its store). */
export function memoryToolPinRows(): ToolPinRows {
  const pins = new Map<string, ToolPin>();
  const key = (server: string, tool: string) => `${server}\0${tool}`;
  return {
    list: async (server) => [...pins.values()].filter((p) => p.server === server).map((p) => ({ ...p })),
    get: async (server, tool) => {
      const pin = pins.get(key(server, tool));
      return pin ? { ...pin } : undefined;
    },
    async insertIfAbsent(pin) {
      const k = key(pin.server, pin.tool);
      if (!pins.has(k)) pins.set(k, { ...pin });
      return { ...pins.get(k)! };
    },
    async markSeen(server, tool, seen, seenDigest, at) {
      const pin = pins.get(key(server, tool));
      if (pin) pins.set(key(server, tool), { ...pin, seen, seenDigest, seenAt: at });
    },
    async accept(server, tool, digest, at) {
      const pin = pins.get(key(server, tool));
      if (!pin || pin.seenDigest !== digest) return false;
      pins.set(key(server, tool), { ...pin, pinnedDigest: digest, pinnedAt: at });
      return true;
    },
  };
}
