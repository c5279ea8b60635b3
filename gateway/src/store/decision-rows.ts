// The decisions table as both engines store it (same columns; allow as 0/1, JSON members as text).
import type { Filter } from "./newest-first.js";
import type { DecisionQuery, DecisionRecord } from "./types.js";

/** A row of the decisions table, the same in both engines. */
export interface DecisionRow {
  seq: number;
  decision_id: string;
  time: string;
  request_id: string;
  trace_id: string | null;
  agent_id: string | null;
  kid: string | null;
  tool: string | null;
  action: string | null;
  phase: "token" | "call";
  allow: number;
  reasons: string;
  obligations: string;
  policy_revision: string | null;
  duration_ms: number;
  input: string;
}

export function toRecord(row: DecisionRow): DecisionRecord {
  return {
    decisionId: row.decision_id,
    time: row.time,
    requestId: row.request_id,
    traceId: row.trace_id,
    agentId: row.agent_id,
    kid: row.kid,
    tool: row.tool,
    action: row.action,
    phase: row.phase,
    allow: row.allow === 1,
    reasons: JSON.parse(row.reasons) as string[],
    obligations: JSON.parse(row.obligations) as Record<string, unknown>,
    policyRevision: row.policy_revision,
    durationMs: row.duration_ms,
    input: JSON.parse(row.input) as unknown,
  };
}

/** The filters a decisions listing applies, in both engines. */
export function decisionFilters(q: DecisionQuery): Filter[] {
  const allow = q.allow === undefined ? undefined : q.allow ? 1 : 0;
  return [
    ["agent_id", q.agentId],
    ["tool", q.tool],
    ["allow", allow],
    ["phase", q.phase],
  ];
}
