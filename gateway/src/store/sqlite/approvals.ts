import type { Database } from "better-sqlite3";
import { type ApprovalRow, approvalFilters, liveApprovalWhere, toApproval } from "../approval-rows.js";
import { newestFirstSelect, toNewestFirstPage } from "../newest-first.js";
import type { ApprovalStore, NewApproval } from "../types.js";

export function createSqliteApprovalStore(db: Database): ApprovalStore {
  const findLive = db.prepare<[string, number], ApprovalRow>(
    `SELECT * FROM approvals WHERE ${liveApprovalWhere("?", "?")} ORDER BY seq DESC LIMIT 1`,
  );
  const stalePending = db.prepare<[string, number], ApprovalRow>(
    "SELECT * FROM approvals WHERE binding = ? AND status = 'pending' AND expires_ms <= ?",
  );
  const insert = db.prepare(
    `INSERT INTO approvals (id, status, agent_id, kid, phase, tool, action, scopes, intent, reason, request,
       binding, ttl_seconds, created_ms, expires_ms)
     VALUES (@id, 'pending', @agentId, @kid, @phase, @tool, @action, @scopes, @intent, @reason, @request,
       @binding, @ttlSeconds, @createdMs, @expiresMs)`,
  );
  const byId = db.prepare<[string], ApprovalRow>("SELECT * FROM approvals WHERE id = ?");
  const decide = db.prepare(
    `UPDATE approvals SET status = @status, decided_ms = @nowMs, decided_by = @decidedBy, note = @note,
       expires_ms = @expiresMs
     WHERE id = @id AND status = 'pending' AND expires_ms > @nowMs`,
  );
  const useOnce = db.prepare<[number, string, number]>(
    `UPDATE approvals SET used_ms = ?
     WHERE id = ? AND status = 'approved' AND phase = 'call' AND used_ms IS NULL AND expires_ms > ?`,
  );
  const tokenWindowOpen = db.prepare<[string, number], { ok: number }>(
    "SELECT 1 AS ok FROM approvals WHERE id = ? AND status = 'approved' AND phase = 'token' AND expires_ms > ?",
  );
  const due = db.prepare<[number], ApprovalRow>(
    "SELECT * FROM approvals WHERE status = 'pending' AND expires_ms <= ? ORDER BY seq",
  );
  const markExpired = db.prepare<[number]>(
    "UPDATE approvals SET status = 'expired' WHERE seq = ? AND status = 'pending'",
  );

  // better-sqlite3 transactions are synchronous: nothing else runs between the read and the write.
  const openOrGet = db.transaction((candidate: NewApproval, nowMs: number) => {
    const expired = stalePending.all(candidate.binding, nowMs).map((row) => {
      markExpired.run(row.seq);
      return toApproval({ ...row, status: "expired" });
    });
    const live = findLive.get(candidate.binding, nowMs);
    if (live) return { approval: toApproval(live), created: false, expired };
    insert.run({
      ...candidate,
      scopes: JSON.stringify(candidate.scopes),
      request: JSON.stringify(candidate.request),
      createdMs: Date.parse(candidate.createdAt),
      expiresMs: Date.parse(candidate.expiresAt),
    });
    return { approval: toApproval(byId.get(candidate.id)!), created: true, expired };
  });
  const expireDue = db.transaction((nowMs: number) => {
    const rows = due.all(nowMs);
    for (const row of rows) markExpired.run(row.seq);
    return rows.map((row) => toApproval({ ...row, status: "expired" }));
  });

  return {
    async openOrGet(candidate, nowMs) {
      return openOrGet(candidate, nowMs);
    },
    async findLive(binding, nowMs) {
      const row = findLive.get(binding, nowMs);
      return row ? toApproval(row) : null;
    },
    async get(id) {
      const row = byId.get(id);
      return row ? toApproval(row) : null;
    },
    async list(query) {
      const { sql, args } = newestFirstSelect("approvals", approvalFilters(query), query, () => "?");
      const rows = db.prepare<unknown[], ApprovalRow>(sql).all(...args);
      return toNewestFirstPage(rows, query.limit, toApproval);
    },
    async decide(id, decision, nowMs) {
      const changed = decide.run({
        id,
        status: decision.status,
        decidedBy: decision.decidedBy,
        note: decision.note,
        expiresMs: Date.parse(decision.expiresAt),
        nowMs,
      }).changes;
      return changed === 1 ? toApproval(byId.get(id)!) : null;
    },
    async use(id, nowMs) {
      if (useOnce.run(nowMs, id, nowMs).changes === 1) return true;
      return tokenWindowOpen.get(id, nowMs) !== undefined;
    },
    async expireDue(nowMs) {
      return expireDue(nowMs);
    },
  };
}
