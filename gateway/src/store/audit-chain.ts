// The audit hash chain's rules, shared by both store engines: how a record is hashed,
// where the chain starts, and how a run of stored rows is checked link by link.
import { createHash } from "node:crypto";
import type { AuditEvent, AuditRecord, AuditVerification } from "./types.js";

/** The chain starts from this value; after pruning, the last pruned hash becomes the anchor. */
export const GENESIS = "0".repeat(64);

/** An audit row as both engines store it. */
export interface AuditRow {
  seq: number;
  time: string;
  actor: string;
  action: string;
  target: string | null;
  request_id: string | null;
  trace_id: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

/**
 * The hashed content of a record: every field but the hash itself, in a fixed
 * order, so editing any stored column (or reordering records) breaks the chain.
 */
export function auditHash(prevHash: string, seq: number, event: AuditEvent): string {
  const canonical = JSON.stringify([
    seq,
    event.time,
    event.actor,
    event.action,
    event.target,
    event.requestId,
    event.traceId,
    event.details,
  ]);
  return createHash("sha256").update(prevHash).update("\n").update(canonical).digest("hex");
}

export function toAuditRecord(row: AuditRow): AuditRecord {
  return {
    seq: row.seq,
    time: row.time,
    actor: row.actor,
    action: row.action,
    target: row.target,
    requestId: row.request_id,
    traceId: row.trace_id,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The audit table's columns, in the order auditValues lists a record's values. */
export const AUDIT_COLUMNS =
  "seq, time, actor, action, target, request_id, trace_id, details, prev_hash, hash";

/** A chained record's values in AUDIT_COLUMNS order (details as JSON text), to bind positionally. */
export function auditValues(record: AuditRecord): Array<string | number | null> {
  return [
    record.seq,
    record.time,
    record.actor,
    record.action,
    record.target,
    record.requestId,
    record.traceId,
    JSON.stringify(record.details),
    record.prevHash,
    record.hash,
  ];
}

/** A tampered row may hold details that are not JSON; treat it as a hash mismatch, not a crash. */
function toRecordSafe(row: AuditRow): AuditRecord | null {
  try {
    return toAuditRecord(row);
  } catch {
    return null;
  }
}

/**
 * Checks rows fed in seq order, starting from `anchor`. `check` returns the failed result
 * at the first bad link (stop feeding then); `result` is the verdict when all rows passed.
 * A stepper rather than a loop so SQLite can feed it synchronously and PostgreSQL in pages.
 */
export function createChainChecker(anchor: string) {
  let expectedPrev = anchor;
  let expectedSeq: number | null = null;
  let checked = 0;
  return {
    check(row: AuditRow): AuditVerification | null {
      const bad = (reason: string): AuditVerification => ({
        ok: false,
        checked,
        firstBad: { seq: row.seq, reason },
      });
      if (expectedSeq !== null && row.seq !== expectedSeq) {
        return bad(`expected seq ${expectedSeq} (a record is missing)`);
      }
      if (row.prev_hash !== expectedPrev) return bad("prev_hash does not match the previous record");
      const record = toRecordSafe(row);
      if (!record || auditHash(row.prev_hash, row.seq, record) !== row.hash) {
        return bad("hash does not match the record's content");
      }
      expectedPrev = row.hash;
      expectedSeq = row.seq + 1;
      checked++;
      return null;
    },
    result(): AuditVerification {
      return { ok: true, checked };
    },
  };
}
