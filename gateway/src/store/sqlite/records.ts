import type { Database } from "better-sqlite3";
import type { AuditRecord, RecordBatch, RecordStore } from "../types.js";
import { prepareAuditAppend } from "./audit.js";
import { prepareBudgetApply } from "./budgets.js";
import { prepareDecisionInsert } from "./decisions.js";

/** One SQLite transaction (one WAL commit) for a whole batch of decisions, audit links and budget changes. */
export function createSqliteRecordStore(db: Database): RecordStore {
  const insertDecision = prepareDecisionInsert(db);
  const appendAudit = prepareAuditAppend(db);
  const applyBudgets = prepareBudgetApply(db);
  const writeTx = db.transaction((batch: RecordBatch): AuditRecord[] => {
    for (const decision of batch.decisions) insertDecision(decision);
    if (batch.budgets) applyBudgets(batch.budgets);
    return appendAudit(batch.audit);
  });
  return {
    async write(batch) {
      return writeTx(batch);
    },
  };
}
