import type pg from "pg";
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
import { param, type Queryable, query, transaction } from "./pool.js";

/** Serialises appends across every gateway instance: the tail read and the insert must not interleave. */
const AUDIT_LOCK = 0x61756474; // "audt"
const VERIFY_PAGE = 1000;

async function anchorOf(db: Queryable): Promise<string> {
  const { rows } = await query<{ value: string }>(db, "SELECT value FROM meta WHERE key = 'audit_anchor'");
  return rows[0]?.value ?? GENESIS;
}

/**
 * Appends `events` as the next links of the chain, in order. Call it inside a transaction:
 * it takes the chain's advisory lock, held until that transaction ends.
 */
export async function appendAuditEvents(client: Queryable, events: AuditEvent[]): Promise<AuditRecord[]> {
  if (events.length === 0) return [];
  await query(client, "SELECT pg_advisory_xact_lock($1)", [AUDIT_LOCK]);
  const { rows } = await query<{ seq: number; hash: string }>(
    client,
    "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
  );
  const tail = rows[0];
  let seq = tail?.seq ?? 0;
  let prevHash = tail?.hash ?? (await anchorOf(client));
  const records: AuditRecord[] = [];
  for (const event of events) {
    seq += 1;
    const record = { ...event, seq, prevHash, hash: auditHash(prevHash, seq, event) };
    await query(
      client,
      `INSERT INTO audit (${AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      auditValues(record),
    );
    records.push(record);
    prevHash = record.hash;
  }
  return records;
}

export function createPostgresAuditStore(pool: pg.Pool): AuditStore {
  return {
    async append(event) {
      return transaction(pool, async (client) => (await appendAuditEvents(client, [event]))[0]!);
    },

    async list(page) {
      const { sql, args } = newestFirstSelect("audit", [["action", page.action]], page, param);
      const { rows } = await query<AuditRow>(pool, sql, args);
      return toNewestFirstPage(rows, page.limit, toAuditRecord);
    },

    async verify() {
      // The anchor and every page are read in one snapshot, so a concurrent prune or append
      // cannot make a sound chain look broken.
      return transaction(pool, async (client) => {
        await query(client, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
        const checker = createChainChecker(await anchorOf(client));
        let after = Number.NEGATIVE_INFINITY;
        for (;;) {
          const { rows } = await query<AuditRow>(
            client,
            "SELECT * FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2",
            [Number.isFinite(after) ? after : -1, VERIFY_PAGE],
          );
          for (const row of rows) {
            const bad = checker.check(row);
            if (bad) return bad;
          }
          if (rows.length < VERIFY_PAGE) return checker.result();
          after = rows.at(-1)!.seq;
        }
      });
    },

    async prune(before) {
      return transaction(pool, async (client) => {
        await query(client, "SELECT pg_advisory_xact_lock($1)", [AUDIT_LOCK]);
        const { rows } = await query<{ seq: number; hash: string }>(
          client,
          "SELECT seq, hash FROM audit WHERE time < $1 ORDER BY seq DESC LIMIT 1",
          [before],
        );
        const lastPruned = rows[0];
        if (!lastPruned) return 0;
        await query(
          client,
          "INSERT INTO meta (key, value) VALUES ('audit_anchor', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          [lastPruned.hash],
        );
        return (await query(client, "DELETE FROM audit WHERE seq <= $1", [lastPruned.seq])).rowCount ?? 0;
      });
    },
  };
}
