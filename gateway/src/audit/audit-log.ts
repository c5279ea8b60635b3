// The admin side of the audit trail: one hash-chained record per change, written
// through the same group-commit writer as decisions (one chain, one order).
import type { Response } from "express";
import type { Logger } from "pino";
import type { RecordWriter } from "./record-writer.js";

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditLog {
  /**
   * Appends to the hash-chained trail, correlated with the request being served (null: a
   * background job); resolves once committed.
   */
  record(res: Response | null, entry: AuditEntry): Promise<void>;
}

export function createAuditLog(
  records: Pick<RecordWriter, "write">,
  logger: Logger,
  now: () => Date = () => new Date(),
): AuditLog {
  return {
    async record(res, entry) {
      const [record] = await records.write({
        audit: [
          {
            time: now().toISOString(),
            actor: entry.actor,
            action: entry.action,
            target: entry.target ?? null,
            requestId: res?.locals.requestId ?? null,
            traceId: res?.locals.trace?.traceId ?? null,
            details: entry.details ?? {},
          },
        ],
      });
      if (record) {
        logger.info(
          {
            audit: { seq: record.seq, action: record.action, target: record.target, actor: record.actor },
            requestId: record.requestId,
          },
          "audit",
        );
      }
    },
  };
}
