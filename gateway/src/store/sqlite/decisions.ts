import type { Database } from "better-sqlite3";
import {
  DECISION_COLUMNS,
  type DecisionRow,
  decisionFilters,
  decisionValues,
  toRecord,
} from "../decision-rows.js";
import { newestFirstSelect, toNewestFirstPage } from "../newest-first.js";
import type { DecisionRecord, DecisionStore } from "../types.js";

/** A prepared insert of one decision (the caller decides the transaction). */
export function prepareDecisionInsert(db: Database): (d: DecisionRecord) => void {
  const insert = db.prepare(
    `INSERT INTO decisions (${DECISION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return (d) => {
    insert.run(...decisionValues(d));
  };
}

export function createSqliteDecisionStore(db: Database): DecisionStore {
  const insert = prepareDecisionInsert(db);
  // In batches, oldest first, so a large backlog never holds the write lock for long.
  const pruneBatch = db.prepare(
    "DELETE FROM decisions WHERE seq IN (SELECT seq FROM decisions WHERE time < ? ORDER BY seq LIMIT 5000)",
  );
  return {
    async prune(before) {
      let removed = 0;
      for (;;) {
        const { changes } = pruneBatch.run(before);
        removed += changes;
        if (changes < 5000) return removed;
      }
    },
    async record(d) {
      insert(d);
    },
    async list(query) {
      const { sql, args } = newestFirstSelect("decisions", decisionFilters(query), query, () => "?");
      const rows = db.prepare<unknown[], DecisionRow>(sql).all(...args);
      return toNewestFirstPage(rows, query.limit, toRecord);
    },
  };
}
