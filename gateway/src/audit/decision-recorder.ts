// Recording decisions: the decision log (queryable, OPA decision-log shaped) and
// the hash-chained audit trail. Inputs are stored without credentials and with
// large bodies cut, so a record never holds a secret or a whole e-mail.
import { randomUUID } from "node:crypto";
import type { Response } from "express";
import type { Logger } from "pino";
import type { Decision, PolicyInput } from "../policy/types.js";
import type { DecisionStore } from "../store/types.js";
import type { AuditLog } from "./audit-log.js";

export interface DecisionRecorderDeps {
  decisions: DecisionStore;
  audit: AuditLog;
  logger: Logger;
  maxBodyBytes: number;
  policyRevision: () => string | null;
}

export interface DecisionRecorder {
  record(res: Response, input: PolicyInput, decision: Decision, durationMs: number): Promise<string>;
}

/** Caps the body a record keeps; everything else in the input is already credential-free. */
export function inputForRecord(input: PolicyInput, maxBodyBytes: number): PolicyInput {
  const body = input.request.body;
  if (body === null || body === undefined) return input;
  const size = Buffer.byteLength(JSON.stringify(body));
  if (size <= maxBodyBytes) return input;
  return { ...input, request: { ...input.request, body: { truncated: true, bytes: size } } };
}

export function createDecisionRecorder(deps: DecisionRecorderDeps): DecisionRecorder {
  return {
    async record(res, input, decision, durationMs) {
      const decisionId = randomUUID();
      const revision = deps.policyRevision();
      await deps.decisions.record({
        decisionId,
        time: input.time.now,
        requestId: res.locals.requestId,
        traceId: res.locals.trace.traceId,
        agentId: input.agent.id,
        kid: input.kid,
        tool: input.tool,
        action: input.action,
        phase: input.phase,
        allow: decision.allow,
        reasons: decision.reasons,
        obligations: decision.obligations,
        policyRevision: revision,
        durationMs,
        input: inputForRecord(input, deps.maxBodyBytes),
      });
      await deps.audit.record(res, {
        actor: `agent:${input.agent.id}`,
        action: `decision.${input.phase}`,
        target: input.action ? `${input.tool}:${input.action}` : input.tool,
        details: {
          decisionId,
          allow: decision.allow,
          reasons: decision.reasons,
          policyRevision: revision,
          kid: input.kid,
        },
      });
      deps.logger.info(
        {
          requestId: res.locals.requestId,
          decisionId,
          phase: input.phase,
          tool: input.tool,
          action: input.action,
          allow: decision.allow,
          reasons: decision.reasons,
          policyRevision: revision,
        },
        "decision",
      );
      return decisionId;
    },
  };
}
