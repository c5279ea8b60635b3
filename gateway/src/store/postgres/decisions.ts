import type pg from "pg";
import {
  DECISION_COLUMNS,
  type DecisionRow,
  decisionFilters,
  decisionValues,
  toRecord,
} from "../decision-rows.js";
import { newestFirstSelect, toNewestFirstPage } from "../newest-first.js";
import type { DecisionRecord, DecisionStore } from "../types.js";
import { param, type Queryable, query } from "./pool.js";

/** Inserts one decision on `db` (a pool, or a client inside a transaction). */
export async function insertDecision(db: Queryable, d: DecisionRecord): Promise<void> {
  await query(
    db,
    `INSERT INTO decisions (${DECISION_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    decisionValues(d),
  );
}

/** Rows removed per statement, so a large backlog never holds locks for long. */
const PRUNE_BATCH = 5000;

export function createPostgresDecisionStore(pool: pg.Pool): DecisionStore {
  return {
    async prune(before) {
      let removed = 0;
      for (;;) {
        const result = await query(
          pool,
          "DELETE FROM decisions WHERE seq IN (SELECT seq FROM decisions WHERE time < $1 ORDER BY seq LIMIT $2)",
          [before, PRUNE_BATCH],
        );
        const changes = result.rowCount ?? 0;
        removed += changes;
        if (changes < PRUNE_BATCH) return removed;
      }
    },
    async record(d) {
      await insertDecision(pool, d);
    },
    async list(q) {
      const { sql, args } = newestFirstSelect("decisions", decisionFilters(q), q, param);
      const { rows } = await query<DecisionRow>(pool, sql, args);
      return toNewestFirstPage(rows, q.limit, toRecord);
    },
  };
}
