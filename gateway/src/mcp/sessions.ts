// One upstream MCP session per agent session. The agent sees only the gateway's own session id, bound to
// the agent and the server: another agent presenting it gets the same answer as an unknown id, so session
// ids cannot be used to ride someone else's upstream session.
//
// The id is a bearer secret (whoever holds it, with the owning agent's key, continues the session), so
// tables index sessions by its SHA-256 and never hold it in clear: a lookup is a hash-table probe, with
// no byte-by-byte comparison of the secret to leak timing. Two tables implement this interface: this
// process's memory (one gateway, the default) and Redis (shared-state/redis-mcp-sessions.ts, so every
// instance serves every session).
import { createHash, randomBytes } from "node:crypto";

export interface McpSession {
  id: string;
  agentId: string;
  server: string;
  upstreamId: string;
  /** The MCP-Protocol-Version the agent sent with this request (null before it sends one). */
  protocolVersion: string | null;
}

export interface McpSessions {
  /** A new session of `agentId` with `server` on the upstream session `upstreamId`. */
  open(agentId: string, server: string, upstreamId: string): Promise<McpSession>;
  /** The live session `id` of this agent with this server (its idle timer restarts), else undefined. */
  find(id: string, agentId: string, server: string): Promise<McpSession | undefined>;
  /** Ends the session (every instance forgets it). */
  close(id: string): Promise<void>;
}

export interface McpSessionLimits {
  /** A session unused this long is forgotten (the client gets 404 and initializes anew). */
  idleSeconds: number;
  /** Live sessions one agent may hold; opening one more forgets that agent's least recently used. */
  maxPerAgent: number;
}

export const DEFAULT_MCP_SESSION_LIMITS: McpSessionLimits = { idleSeconds: 3600, maxPerAgent: 100 };

/** 24 random bytes, base64url: what the agent gets as its Mcp-Session-Id. */
const SESSION_ID = /^[A-Za-z0-9_-]{32}$/;

export function newSessionId(): string {
  return randomBytes(24).toString("base64url");
}

/** What tables index a session by: the id's SHA-256, or null for a string no session id can be. */
export function sessionKey(id: string): string | null {
  return SESSION_ID.test(id) ? createHash("sha256").update(id).digest("base64url") : null;
}

interface MemoryEntry {
  agentId: string;
  server: string;
  upstreamId: string;
  /** Unix ms after which the session is forgotten. */
  idleUntil: number;
}

/**
 * The sessions of this process. The Map keeps insertion order, and a used session is re-inserted, so
 * the first entry is the least recently used: the one dropped when the table is full.
 */
export function createMemoryMcpSessions(
  options: Partial<McpSessionLimits> & { maxSessions?: number; now?: () => number } = {},
): McpSessions {
  const { idleSeconds, maxPerAgent } = { ...DEFAULT_MCP_SESSION_LIMITS, ...options };
  const maxSessions = options.maxSessions ?? 10_000;
  const now = options.now ?? Date.now;
  const byKey = new Map<string, MemoryEntry>();
  const keysByAgent = new Map<string, Set<string>>();

  const forget = (key: string) => {
    const entry = byKey.get(key);
    if (!entry) return;
    byKey.delete(key);
    const own = keysByAgent.get(entry.agentId);
    own?.delete(key);
    if (own?.size === 0) keysByAgent.delete(entry.agentId);
  };

  return {
    async open(agentId, server, upstreamId) {
      const id = newSessionId();
      const key = sessionKey(id)!;
      const own = keysByAgent.get(agentId) ?? new Set<string>();
      keysByAgent.set(agentId, own);
      // Sets keep insertion order too, and find() re-inserts: the first is this agent's least recently used.
      while (own.size >= maxPerAgent) forget(own.values().next().value!);
      while (byKey.size >= maxSessions) forget(byKey.keys().next().value!);
      byKey.set(key, { agentId, server, upstreamId, idleUntil: now() + idleSeconds * 1000 });
      own.add(key);
      return { id, agentId, server, upstreamId, protocolVersion: null };
    },

    async find(id, agentId, server) {
      const key = sessionKey(id);
      const entry = key === null ? undefined : byKey.get(key);
      if (!key || !entry) return undefined;
      if (entry.idleUntil <= now()) {
        forget(key);
        return undefined;
      }
      if (entry.agentId !== agentId || entry.server !== server) return undefined;
      entry.idleUntil = now() + idleSeconds * 1000;
      byKey.delete(key);
      byKey.set(key, entry);
      const own = keysByAgent.get(agentId)!;
      own.delete(key);
      own.add(key);
      return { id, agentId, server, upstreamId: entry.upstreamId, protocolVersion: null };
    },

    async close(id) {
      const key = sessionKey(id);
      if (key) forget(key);
    },
  };
}
