// The agents and agent_keys tables as both engines store them (same columns; scopes and
// metadata as JSON text, times as ISO strings), and how a row reads back.
import type { Agent, AgentKey, AgentStatus } from "./types.js";

/** A row of the agents table, the same in both engines. */
export interface AgentRow {
  id: string;
  name: string;
  status: AgentStatus;
  scopes: string;
  tier: string;
  metadata: string;
  created_at: string;
  updated_at: string;
}

/** A row of the agent_keys table, the same in both engines. */
export interface KeyRow {
  kid: string;
  agent_id: string;
  public_key: string;
  status: AgentKey["status"];
  created_at: string;
}

export function toKey(row: KeyRow): AgentKey {
  return { kid: row.kid, publicKey: row.public_key, status: row.status, createdAt: row.created_at };
}

/** `keys` are this agent's key rows, already in the order the agent lists them (created_at, kid). */
export function toAgent(row: AgentRow, keys: KeyRow[]): Agent {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    scopes: JSON.parse(row.scopes) as string[],
    tier: row.tier,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    keys: keys.map(toKey),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
