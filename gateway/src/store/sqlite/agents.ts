import type { Database } from "better-sqlite3";
import {
  type AgentRow,
  agentListSelect,
  agentNextCursor,
  type KeyRow,
  toAgent,
  toKey,
} from "../agent-rows.js";
import { newId } from "../ids.js";
import {
  type Agent,
  type AgentPatch,
  type AgentStore,
  type NewAgent,
  type Page,
  StoreConflictError,
} from "../types.js";
import { isUniqueViolation } from "./unique-violation.js";

export function createSqliteAgentStore(db: Database, now: () => Date): AgentStore {
  const selectAgent = db.prepare<[string], AgentRow>("SELECT * FROM agents WHERE id = ?");
  const selectKeys = db.prepare<[string], KeyRow>(
    "SELECT * FROM agent_keys WHERE agent_id = ? ORDER BY created_at, kid",
  );
  const selectKey = db.prepare<[string], KeyRow>("SELECT * FROM agent_keys WHERE kid = ?");
  const insertAgent = db.prepare(
    `INSERT INTO agents (id, name, status, scopes, tier, metadata, created_at, updated_at)
     VALUES (@id, @name, 'active', @scopes, @tier, @metadata, @now, @now)`,
  );
  const insertKey = db.prepare(
    `INSERT INTO agent_keys (kid, agent_id, public_key, status, created_at) VALUES (?, ?, ?, 'active', ?)`,
  );

  const hydrate = (row: AgentRow): Agent => toAgent(row, selectKeys.all(row.id));

  const load = (id: string): Agent | null => {
    const row = selectAgent.get(id);
    return row ? hydrate(row) : null;
  };

  const createTx = db.transaction((agent: NewAgent): Agent => {
    const created = now();
    const id = newId("agt", created.getTime());
    const stamp = created.toISOString();
    insertAgent.run({
      id,
      name: agent.name,
      scopes: JSON.stringify(agent.scopes),
      tier: agent.tier,
      metadata: JSON.stringify(agent.metadata),
      now: stamp,
    });
    insertKey.run(agent.key.kid, id, agent.key.publicKey, stamp);
    return load(id)!;
  });

  return {
    async create(agent) {
      try {
        return createTx(agent);
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreConflictError("key already registered");
        throw error;
      }
    },

    async list(query) {
      const { sql, args } = agentListSelect(query, () => "?");
      const rows = db.prepare<unknown[], AgentRow>(sql).all(...args);
      return {
        items: rows.slice(0, query.limit).map(hydrate),
        nextCursor: agentNextCursor(rows, query.limit),
      } satisfies Page<Agent>;
    },

    async get(id) {
      return load(id);
    },

    async update(id, patch: AgentPatch) {
      const current = selectAgent.get(id);
      if (!current) return null;
      db.prepare(
        `UPDATE agents SET name = ?, status = ?, scopes = ?, tier = ?, metadata = ?, updated_at = ? WHERE id = ?`,
      ).run(
        patch.name ?? current.name,
        patch.status ?? current.status,
        patch.scopes ? JSON.stringify(patch.scopes) : current.scopes,
        patch.tier ?? current.tier,
        patch.metadata ? JSON.stringify(patch.metadata) : current.metadata,
        now().toISOString(),
        id,
      );
      return load(id);
    },

    async delete(id) {
      return db.prepare("DELETE FROM agents WHERE id = ?").run(id).changes > 0;
    },

    async addKey(agentId, key) {
      if (!selectAgent.get(agentId)) return null;
      try {
        insertKey.run(key.kid, agentId, key.publicKey, now().toISOString());
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreConflictError("key already registered");
        throw error;
      }
      return toKey(selectKey.get(key.kid)!);
    },

    async revokeKey(agentId, kid) {
      const result = db
        .prepare(
          "UPDATE agent_keys SET status = 'revoked', revoked_at = ? WHERE agent_id = ? AND kid = ? AND status = 'active'",
        )
        .run(now().toISOString(), agentId, kid);
      return result.changes > 0;
    },

    async findByKid(kid) {
      const key = selectKey.get(kid);
      if (!key) return null;
      const agent = load(key.agent_id);
      return agent ? { agent, key: toKey(key) } : null;
    },
  };
}
