import type pg from "pg";
import type { RecordStore } from "../types.js";
import { appendAuditEvents } from "./audit.js";
import { applyBudgetDeltas } from "./budgets.js";
import { insertDecision } from "./decisions.js";
import { transaction } from "./pool.js";

/** One PostgreSQL transaction (one commit) for a whole batch of decisions, audit links and budget changes. */
export function createPostgresRecordStore(pool: pg.Pool): RecordStore {
  return {
    async write(batch) {
      return transaction(pool, async (client) => {
        for (const decision of batch.decisions) await insertDecision(client, decision);
        if (batch.budgets) await applyBudgetDeltas(client, batch.budgets);
        return appendAuditEvents(client, batch.audit);
      });
    },
  };
}
