import type { Database } from "better-sqlite3";
import {
  AUDIT_COLUMNS,
  type AuditRow,
  auditHash,
  auditValues,
  createChainChecker,
  GENESIS,
  toAuditRecord,
} from "../audit-chain.js";
import { newestFirstSelect, toNewestFirstPage } from "../newest-first.js";
import type { AuditEvent, AuditRecord, AuditStore } from "../types.js";

/**
 * A prepared append of the next links, in order. Call it inside a transaction: reading the tail and
 * inserting the next links must not interleave with another writer. The tail is read once per call, so a
 * group-committed batch costs one read, not one per link.
 */
export function prepareAuditAppend(db: Database): (events: readonly AuditEvent[]) => AuditRecord[] {
  const last = db.prepare<[], { seq: number; hash: string }>(
    "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
  );
  const anchor = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'audit_anchor'");
  const insert = db.prepare(`INSERT INTO audit (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  return (events) => {
    if (events.length === 0) return [];
    const tail = last.get();
    let seq = tail?.seq ?? 0;
    let prevHash = tail?.hash ?? anchor.get()?.value ?? GENESIS;
    return events.map((event) => {
      seq += 1;
      const hash = auditHash(prevHash, seq, event);
      const record = { ...event, seq, prevHash, hash };
      insert.run(...auditValues(record));
      prevHash = hash;
      return record;
    });
  };
}

export function createSqliteAuditStore(db: Database): AuditStore {
  const anchor = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'audit_anchor'");
  const append = prepareAuditAppend(db);
  const appendTx = db.transaction((event: AuditEvent) => append([event])[0]!);

  return {
    async append(event) {
      return appendTx(event);
    },

    async list(page) {
      const { sql, args } = newestFirstSelect("audit", [["action", page.action]], page, () => "?");
      const rows = db.prepare<unknown[], AuditRow>(sql).all(...args);
      return toNewestFirstPage(rows, page.limit, toAuditRecord);
    },

    async verify() {
      const checker = createChainChecker(anchor.get()?.value ?? GENESIS);
      for (const row of db.prepare<[], AuditRow>("SELECT * FROM audit ORDER BY seq").iterate()) {
        const bad = checker.check(row);
        if (bad) return bad;
      }
      return checker.result();
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
