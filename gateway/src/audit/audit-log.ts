import type { Response } from "express";
import type { Logger } from "pino";
import type { AuditStore } from "../store/types.js";

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditLog {
  /** Appends to the hash-chained trail, correlated with the request being served (null: a background job). */
  record(res: Response | null, entry: AuditEntry): Promise<void>;
}

export function createAuditLog(
  store: AuditStore,
  logger: Logger,
  now: () => Date = () => new Date(),
): AuditLog {
  return {
    async record(res, entry) {
      const record = await store.append({
        time: now().toISOString(),
        actor: entry.actor,
        action: entry.action,
        target: entry.target ?? null,
        requestId: res?.locals.requestId ?? null,
        traceId: res?.locals.trace?.traceId ?? null,
        details: entry.details ?? {},
      });
      logger.info(
        {
          audit: { seq: record.seq, action: record.action, target: record.target, actor: record.actor },
          requestId: record.requestId,
        },
        "audit",
      );
    },
  };
}
