// The agents and agent_keys tables as both engines store them (same columns; scopes and
// metadata as JSON text, times as ISO strings), and how a row reads back.
import { decodeCursor, encodeCursor } from "./ids.js";
import type { PageSelect } from "./newest-first.js";
import type { Agent, AgentKey, AgentStatus, AgentStore } from "./types.js";

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

/**
 * The agents listing: oldest first (ids sort by creation time), after the cursor's id, of one
 * status when given; one row more than `limit`, so the page knows whether another follows.
 * `param(n)` spells the n-th parameter marker.
 */
export function agentListSelect(
  q: Parameters<AgentStore["list"]>[0],
  param: (n: number) => string,
): PageSelect {
  const args: Array<string | number> = [q.cursor ? (decodeCursor(q.cursor) ?? "") : ""];
  if (q.status) args.push(q.status);
  args.push(q.limit + 1);
  const status = q.status ? `AND status = ${param(2)}` : "";
  return {
    sql: `SELECT * FROM agents WHERE id > ${param(1)} ${status} ORDER BY id LIMIT ${param(args.length)}`,
    args,
  };
}

/** The cursor to the page after `rows` (as agentListSelect selected them), if there is one. */
export function agentNextCursor(rows: AgentRow[], limit: number): string | null {
  const last = rows[limit - 1];
  return rows.length > limit && last ? encodeCursor(last.id) : null;
}
