import type pg from "pg";
import {
  type AgentRow,
  agentListSelect,
  agentNextCursor,
  type KeyRow,
  toAgent,
  toKey,
} from "../agent-rows.js";
import { newId } from "../ids.js";
import { type Agent, type AgentStore, StoreConflictError } from "../types.js";
import { isUniqueViolation, param, type Queryable, query, transaction } from "./pool.js";

async function hydrate(db: Queryable, rows: AgentRow[]): Promise<Agent[]> {
  if (rows.length === 0) return [];
  const keys = await query<KeyRow>(
    db,
    "SELECT * FROM agent_keys WHERE agent_id = ANY($1) ORDER BY created_at, kid",
    [rows.map((r) => r.id)],
  );
  const keysOf = (id: string) => keys.rows.filter((k) => k.agent_id === id);
  return rows.map((row) => toAgent(row, keysOf(row.id)));
}

async function load(db: Queryable, id: string): Promise<Agent | null> {
  const { rows } = await query<AgentRow>(db, "SELECT * FROM agents WHERE id = $1", [id]);
  return (await hydrate(db, rows))[0] ?? null;
}

export function createPostgresAgentStore(pool: pg.Pool, now: () => Date): AgentStore {
  return {
    async create(agent) {
      const created = now();
      const id = newId("agt", created.getTime());
      const stamp = created.toISOString();
      try {
        return await transaction(pool, async (client) => {
          await query(
            client,
            `INSERT INTO agents (id, name, status, scopes, tier, metadata, created_at, updated_at)
             VALUES ($1, $2, 'active', $3, $4, $5, $6, $6)`,
            [id, agent.name, JSON.stringify(agent.scopes), agent.tier, JSON.stringify(agent.metadata), stamp],
          );
          await query(
            client,
            "INSERT INTO agent_keys (kid, agent_id, public_key, status, created_at) VALUES ($1, $2, $3, 'active', $4)",
            [agent.key.kid, id, agent.key.publicKey, stamp],
          );
          return (await load(client, id))!;
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreConflictError("key already registered");
        throw error;
      }
    },

    async list(q) {
      const { sql, args } = agentListSelect(q, param);
      const { rows } = await query<AgentRow>(pool, sql, args);
      return {
        items: await hydrate(pool, rows.slice(0, q.limit)),
        nextCursor: agentNextCursor(rows, q.limit),
      };
    },

    async get(id) {
      return load(pool, id);
    },

    async update(id, patch) {
      // One statement: concurrent patches of different fields never undo each other.
      const { rows } = await query<AgentRow>(
        pool,
        `UPDATE agents SET name = COALESCE($2, name), status = COALESCE($3, status),
           scopes = COALESCE($4, scopes), tier = COALESCE($5, tier),
           metadata = COALESCE($6, metadata), updated_at = $7
         WHERE id = $1 RETURNING *`,
        [
          id,
          patch.name ?? null,
          patch.status ?? null,
          patch.scopes ? JSON.stringify(patch.scopes) : null,
          patch.tier ?? null,
          patch.metadata ? JSON.stringify(patch.metadata) : null,
          now().toISOString(),
        ],
      );
      return (await hydrate(pool, rows))[0] ?? null;
    },

    async delete(id) {
      return ((await query(pool, "DELETE FROM agents WHERE id = $1", [id])).rowCount ?? 0) > 0;
    },

    async addKey(agentId, key) {
      try {
        const { rows } = await query<KeyRow>(
          pool,
          `INSERT INTO agent_keys (kid, agent_id, public_key, status, created_at)
           SELECT $1, id, $2, 'active', $3 FROM agents WHERE id = $4 RETURNING *`,
          [key.kid, key.publicKey, now().toISOString(), agentId],
        );
        return rows[0] ? toKey(rows[0]) : null;
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreConflictError("key already registered");
        throw error;
      }
    },

    async revokeKey(agentId, kid) {
      const result = await query(
        pool,
        "UPDATE agent_keys SET status = 'revoked', revoked_at = $1 WHERE agent_id = $2 AND kid = $3 AND status = 'active'",
        [now().toISOString(), agentId, kid],
      );
      return (result.rowCount ?? 0) > 0;
    },

    async findByKid(kid) {
      const { rows } = await query<KeyRow>(pool, "SELECT * FROM agent_keys WHERE kid = $1", [kid]);
      const key = rows[0];
      if (!key) return null;
      const agent = await load(pool, key.agent_id);
      return agent ? { agent, key: toKey(key) } : null;
    },
  };
}
