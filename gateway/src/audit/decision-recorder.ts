// Recording decisions: the decision log (queryable, OPA decision-log shaped) and
// the hash-chained audit trail, written together through the group-commit writer.
// Inputs are stored without credentials and with large bodies cut, so a record
// never holds a secret or a whole e-mail. The decision's id goes on the request's
// one access-log line (res.locals.decisionId), not on a line of its own.
import type { Response } from "express";
import type { Decision, PolicyInput } from "../policy/types.js";
import { newUuidV7 } from "../store/ids.js";
import type { RecordWriter } from "./record-writer.js";

declare global {
  namespace Express {
    interface Locals {
      /** The recorded decision's id, for the access log. */
      decisionId?: string;
    }
  }
}

export interface DecisionRecorderDeps {
  records: Pick<RecordWriter, "write">;
  maxBodyBytes: number;
  policyRevision: () => string | null;
  /** Clock for the audit event's time (the decision's own time is the policy input's). */
  now?: () => Date;
}

export interface DecisionRecorder {
  /** Resolves with the decision id once the decision and its audit link are committed. */
  record(res: Response, input: PolicyInput, decision: Decision, durationMs: number): Promise<string>;
}

/** Caps the body a record keeps; everything else in the input is already credential-free. */
export function inputForRecord(input: PolicyInput, maxBodyBytes: number): PolicyInput {
  const body = input.request.body;
  if (body === null || body === undefined) return input;
  // The received size bounds the body the policy saw (a connector's view is never larger), so the common
  // small request needs no serialising here; only a large one is measured exactly.
  const received = input.request.size;
  if (typeof received === "number" && received <= maxBodyBytes) return input;
  const size = Buffer.byteLength(JSON.stringify(body));
  if (size <= maxBodyBytes) return input;
  return { ...input, request: { ...input.request, body: { truncated: true, bytes: size } } };
}

export function createDecisionRecorder(deps: DecisionRecorderDeps): DecisionRecorder {
  const now = deps.now ?? (() => new Date());
  return {
    async record(res, input, decision, durationMs) {
      // Time-ordered, so the decision log's unique index takes a batch's inserts on one page.
      const decisionId = newUuidV7();
      const revision = deps.policyRevision();
      const requestId = res.locals.requestId;
      const traceId = res.locals.trace.traceId;
      await deps.records.write({
        decision: {
          decisionId,
          time: input.time.now,
          requestId,
          traceId,
          agentId: input.agent.id,
          kid: input.kid,
          tool: input.tool,
          action: input.action,
          // List-phase questions (MCP lists) are never recorded: one per listed item.
          phase: input.phase,
          allow: decision.allow,
          reasons: decision.reasons,
          obligations: decision.obligations,
          policyRevision: revision,
          durationMs,
          input: inputForRecord(input, deps.maxBodyBytes),
        },
        audit: [
          {
            time: now().toISOString(),
            actor: `agent:${input.agent.id}`,
            action: `decision.${input.phase}`,
            target: input.action ? `${input.tool}:${input.action}` : input.tool,
            requestId,
            traceId,
            details: {
              decisionId,
              allow: decision.allow,
              reasons: decision.reasons,
              policyRevision: revision,
              kid: input.kid,
            },
          },
        ],
      });
      res.locals.decisionId = decisionId;
      return decisionId;
    },
  };
}
