// The approvals table as both engines store it (same columns, times as unix milliseconds),
// and the one rule for which approval still governs a request.
import type { Filter } from "./newest-first.js";
import type { Approval, ApprovalQuery, ApprovalStatus } from "./types.js";

/** A row of the approvals table, the same in both engines. */
export interface ApprovalRow {
  seq: number;
  id: string;
  status: ApprovalStatus;
  agent_id: string;
  kid: string;
  phase: "token" | "call";
  tool: string;
  action: string | null;
  scopes: string;
  intent: string | null;
  reason: string;
  request: string;
  binding: string;
  ttl_seconds: number;
  created_ms: number;
  expires_ms: number;
  decided_ms: number | null;
  decided_by: string | null;
  note: string | null;
  used_ms: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function toApproval(row: ApprovalRow): Approval {
  return {
    id: row.id,
    status: row.status,
    agentId: row.agent_id,
    kid: row.kid,
    phase: row.phase,
    tool: row.tool,
    action: row.action,
    scopes: JSON.parse(row.scopes) as string[],
    intent: row.intent,
    reason: row.reason,
    request: JSON.parse(row.request) as Approval["request"],
    binding: row.binding,
    ttlSeconds: row.ttl_seconds,
    createdAt: iso(row.created_ms),
    expiresAt: iso(row.expires_ms),
    decidedAt: isoOrNull(row.decided_ms),
    decidedBy: row.decided_by,
    note: row.note,
    usedAt: isoOrNull(row.used_ms),
  };
}

/** "Live" = still governs its binding: pending, approved (call phase: unused) or denied, inside its window. */
export function liveApprovalWhere(bindingParam: string, nowParam: string): string {
  return `binding = ${bindingParam} AND expires_ms > ${nowParam} AND (
    status IN ('pending', 'denied') OR (status = 'approved' AND (phase = 'token' OR used_ms IS NULL)))`;
}

/** The filters an approvals listing applies, in both engines. */
export function approvalFilters(q: ApprovalQuery): Filter[] {
  return [
    ["status", q.status],
    ["agent_id", q.agentId],
  ];
}
