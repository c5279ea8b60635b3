import type pg from "pg";
import { type ApprovalRow, approvalFilters, liveApprovalWhere, toApproval } from "../approval-rows.js";
import { newestFirstSelect, toNewestFirstPage } from "../newest-first.js";
import type { ApprovalStore } from "../types.js";
import { param, query, transaction } from "./pool.js";

// The same rows and rules as ../sqlite/approvals.ts. Across instances, opening is serialised
// per binding by an advisory lock, and taking a call's one use is a single conditional UPDATE
// (PostgreSQL re-checks the condition on the locked row), so exactly one instance wins.

export function createPostgresApprovalStore(pool: pg.Pool): ApprovalStore {
  const byId = async (client: pg.Pool | pg.PoolClient, id: string) =>
    (await query<ApprovalRow>(client, "SELECT * FROM approvals WHERE id = $1", [id])).rows[0];
  return {
    async openOrGet(candidate, nowMs) {
      return transaction(pool, async (client) => {
        await query(client, "SELECT pg_advisory_xact_lock(hashtext($1))", [`approval:${candidate.binding}`]);
        const expired = (
          await query<ApprovalRow>(
            client,
            `UPDATE approvals SET status = 'expired'
             WHERE binding = $1 AND status = 'pending' AND expires_ms <= $2 RETURNING *`,
            [candidate.binding, nowMs],
          )
        ).rows.map(toApproval);
        const found = (
          await query<ApprovalRow>(
            client,
            `SELECT * FROM approvals WHERE ${liveApprovalWhere("$1", "$2")} ORDER BY seq DESC LIMIT 1`,
            [candidate.binding, nowMs],
          )
        ).rows[0];
        if (found) return { approval: toApproval(found), created: false, expired };
        const { rows } = await query<ApprovalRow>(
          client,
          `INSERT INTO approvals (id, status, agent_id, kid, phase, tool, action, scopes, intent, reason, request,
             binding, ttl_seconds, created_ms, expires_ms)
           VALUES ($1, 'pending', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *`,
          [
            candidate.id,
            candidate.agentId,
            candidate.kid,
            candidate.phase,
            candidate.tool,
            candidate.action,
            JSON.stringify(candidate.scopes),
            candidate.intent,
            candidate.reason,
            JSON.stringify(candidate.request),
            candidate.binding,
            candidate.ttlSeconds,
            Date.parse(candidate.createdAt),
            Date.parse(candidate.expiresAt),
          ],
        );
        return { approval: toApproval(rows[0]!), created: true, expired };
      });
    },
    async findLive(binding, nowMs) {
      const { rows } = await query<ApprovalRow>(
        pool,
        `SELECT * FROM approvals WHERE ${liveApprovalWhere("$1", "$2")} ORDER BY seq DESC LIMIT 1`,
        [binding, nowMs],
      );
      return rows[0] ? toApproval(rows[0]) : null;
    },
    async get(id) {
      const row = await byId(pool, id);
      return row ? toApproval(row) : null;
    },
    async list(q) {
      const { sql, args } = newestFirstSelect("approvals", approvalFilters(q), q, param);
      const { rows } = await query<ApprovalRow>(pool, sql, args);
      return toNewestFirstPage(rows, q.limit, toApproval);
    },
    async decide(id, decision, nowMs) {
      const { rows } = await query<ApprovalRow>(
        pool,
        `UPDATE approvals SET status = $2, decided_ms = $3, decided_by = $4, note = $5, expires_ms = $6
         WHERE id = $1 AND status = 'pending' AND expires_ms > $3 RETURNING *`,
        [id, decision.status, nowMs, decision.decidedBy, decision.note, Date.parse(decision.expiresAt)],
      );
      return rows[0] ? toApproval(rows[0]) : null;
    },
    async use(id, nowMs) {
      const used = await query(
        pool,
        `UPDATE approvals SET used_ms = $2
         WHERE id = $1 AND status = 'approved' AND phase = 'call' AND used_ms IS NULL AND expires_ms > $2`,
        [id, nowMs],
      );
      if ((used.rowCount ?? 0) === 1) return true;
      const open = await query(
        pool,
        "SELECT 1 FROM approvals WHERE id = $1 AND status = 'approved' AND phase = 'token' AND expires_ms > $2",
        [id, nowMs],
      );
      return (open.rowCount ?? 0) === 1;
    },
    async expireDue(nowMs) {
      const { rows } = await query<ApprovalRow>(
        pool,
        "UPDATE approvals SET status = 'expired' WHERE status = 'pending' AND expires_ms <= $1 RETURNING *",
        [nowMs],
      );
      return rows.sort((a, b) => a.seq - b.seq).map(toApproval);
    },
  };
}
