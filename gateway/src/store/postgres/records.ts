import type pg from "pg";
import type { RecordStore } from "../types.js";
import { appendAuditEvents } from "./audit.js";
import { insertDecision } from "./decisions.js";
import { transaction } from "./pool.js";

/** One PostgreSQL transaction (one commit) for a whole batch of decisions and audit links. */
export function createPostgresRecordStore(pool: pg.Pool): RecordStore {
  return {
    async write(batch) {
      return transaction(pool, async (client) => {
        for (const decision of batch.decisions) await insertDecision(client, decision);
        return appendAuditEvents(client, batch.audit);
      });
    },
  };
}
