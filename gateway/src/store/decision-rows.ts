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
  phase: "token" | "call" | "list";
  allow: number;
  reasons: string;
  obligations: string;
  policy_revision: string | null;
  duration_ms: number;
  input: string;
}

/** The columns a decision is inserted into, in the order decisionValues lists its values (seq is assigned). */
export const DECISION_COLUMNS = `decision_id, time, request_id, trace_id, agent_id, kid, tool, action, phase, allow,
  reasons, obligations, policy_revision, duration_ms, input`;

/** A decision's values in DECISION_COLUMNS order (allow as 0/1, JSON members as text), to bind positionally. */
export function decisionValues(d: DecisionRecord): Array<string | number | null> {
  return [
    d.decisionId,
    d.time,
    d.requestId,
    d.traceId,
    d.agentId,
    d.kid,
    d.tool,
    d.action,
    d.phase,
    d.allow ? 1 : 0,
    JSON.stringify(d.reasons),
    JSON.stringify(d.obligations),
    d.policyRevision,
    d.durationMs,
    // PostgreSQL TEXT cannot hold NUL; JSON escapes it, so the stored text never has one.
    JSON.stringify(d.input ?? null),
  ];
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
