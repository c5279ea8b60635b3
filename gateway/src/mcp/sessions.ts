// One upstream MCP session per agent session. The agent sees only the gateway's own session id, bound to
// the agent and the server: another agent presenting it gets not_found, exactly like an unknown id, so
// session ids cannot be used to ride someone else's upstream session.
import { randomBytes } from "node:crypto";

export interface McpSession {
  id: string;
  agentId: string;
  server: string;
  upstreamId: string;
  protocolVersion: string | null;
}

export class McpSessions {
  readonly #byId = new Map<string, McpSession>();
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  open(agentId: string, server: string, upstreamId: string, protocolVersion: string | null): McpSession {
    // A bounded table: the oldest session is forgotten first (its agent re-initializes).
    if (this.#byId.size >= this.#max) {
      const oldest = this.#byId.keys().next().value;
      if (oldest !== undefined) this.#byId.delete(oldest);
    }
    const session = {
      id: randomBytes(24).toString("base64url"),
      agentId,
      server,
      upstreamId,
      protocolVersion,
    };
    this.#byId.set(session.id, session);
    return session;
  }

  find(id: string, agentId: string, server: string): McpSession | undefined {
    const session = this.#byId.get(id);
    return session && session.agentId === agentId && session.server === server ? session : undefined;
  }

  close(id: string): void {
    this.#byId.delete(id);
  }
}
