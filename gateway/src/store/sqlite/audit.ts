import { createHash } from "node:crypto";
import type { Database } from "better-sqlite3";
import { decodeCursor, encodeCursor } from "../ids.js";
import type { AuditEvent, AuditRecord, AuditStore } from "../types.js";

/** The chain starts from this value; after pruning, the last pruned hash becomes the anchor. */
const GENESIS = "0".repeat(64);

interface AuditRow {
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

function toRecord(row: AuditRow): AuditRecord {
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

export function createSqliteAuditStore(db: Database): AuditStore {
  const last = db.prepare<[], { seq: number; hash: string }>(
    "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
  );
  const anchor = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'audit_anchor'");
  const insert = db.prepare(
    `INSERT INTO audit (seq, time, actor, action, target, request_id, trace_id, details, prev_hash, hash)
     VALUES (@seq, @time, @actor, @action, @target, @requestId, @traceId, @details, @prevHash, @hash)`,
  );

  // One transaction per append: reading the tail and inserting the next link must not interleave.
  const appendTx = db.transaction((event: AuditEvent): AuditRecord => {
    const tail = last.get();
    const seq = (tail?.seq ?? 0) + 1;
    const prevHash = tail?.hash ?? anchor.get()?.value ?? GENESIS;
    const hash = auditHash(prevHash, seq, event);
    insert.run({ ...event, seq, details: JSON.stringify(event.details), prevHash, hash });
    return { ...event, seq, prevHash, hash };
  });

  return {
    async append(event) {
      return appendTx(event);
    },

    async list({ limit, cursor, action }) {
      const before = cursor ? Number(decodeCursor(cursor)) : Number.NaN;
      const where: string[] = [];
      const args: Array<string | number> = [];
      if (Number.isInteger(before)) {
        where.push("seq < ?");
        args.push(before);
      }
      if (action) {
        where.push("action = ?");
        args.push(action);
      }
      const rows = db
        .prepare<unknown[], AuditRow>(
          `SELECT * FROM audit ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ?`,
        )
        .all(...args, limit + 1);
      const page = rows.slice(0, limit);
      const tail = page.at(-1);
      return {
        items: page.map(toRecord),
        nextCursor: rows.length > limit && tail ? encodeCursor(String(tail.seq)) : null,
      };
    },

    async verify() {
      let expectedPrev = anchor.get()?.value ?? GENESIS;
      let expectedSeq: number | null = null;
      let checked = 0;
      for (const row of db.prepare<[], AuditRow>("SELECT * FROM audit ORDER BY seq").iterate()) {
        const record = toRecordSafe(row);
        if (expectedSeq !== null && row.seq !== expectedSeq) {
          return {
            ok: false,
            checked,
            firstBad: { seq: row.seq, reason: `expected seq ${expectedSeq} (a record is missing)` },
          };
        }
        if (row.prev_hash !== expectedPrev) {
          return {
            ok: false,
            checked,
            firstBad: { seq: row.seq, reason: "prev_hash does not match the previous record" },
          };
        }
        if (!record || auditHash(row.prev_hash, row.seq, record) !== row.hash) {
          return {
            ok: false,
            checked,
            firstBad: { seq: row.seq, reason: "hash does not match the record's content" },
          };
        }
        expectedPrev = row.hash;
        expectedSeq = row.seq + 1;
        checked++;
      }
      return { ok: true, checked };
    },

    async prune(before) {
      return db.transaction(() => {
        const lastPruned = db
          .prepare<[string], { hash: string }>(
            "SELECT hash FROM audit WHERE time < ? ORDER BY seq DESC LIMIT 1",
          )
          .get(before);
        if (!lastPruned) return 0;
        db.prepare(
          "INSERT INTO meta (key, value) VALUES ('audit_anchor', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        ).run(lastPruned.hash);
        return db
          .prepare("DELETE FROM audit WHERE seq <= (SELECT seq FROM audit WHERE hash = ?)")
          .run(lastPruned.hash).changes;
      })();
    },
  };
}

/** A tampered row may hold details that are not JSON; treat it as a hash mismatch, not a crash. */
function toRecordSafe(row: AuditRow): AuditRecord | null {
  try {
    return toRecord(row);
  } catch {
    return null;
  }
}
