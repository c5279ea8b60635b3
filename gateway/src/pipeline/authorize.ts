// Stage 5: the scope check (cheap, before the policy) and the policy's decision.
// Every decision, allow or deny, is recorded before the request goes on.
import type { Request, Response } from "express";
import type { Approvals } from "../approvals/approvals.js";
import { type ApprovalSubject, bodyPreview } from "../approvals/binding.js";
import { GatewayError } from "../errors.js";
import type { PolicyEngine } from "../policy/policy-engine.js";
import type { Decision } from "../policy/types.js";
import { timeStage } from "./locals.js";
import { buildPolicyInput, type PolicyInputParts } from "./policy-input.js";
import type { DecisionRecorder } from "./record.js";

export interface AuthorizeDeps {
  policy: Pick<PolicyEngine, "decide">;
  recorder: DecisionRecorder;
  nowMs: () => number;
  onDecision?: (phase: "token" | "call", allow: boolean) => void;
  /** The agent's budget usage in the current periods, shown to policies as input.budgets. */
  budgetsFor?: (agent: { id: string; tier: string }) => Promise<unknown[]>;
  /** Turns "allowed once a person approves" decisions into approvals; without it they are plain denials. */
  approvals?: Pick<Approvals, "bind" | "lookup" | "settle">;
}

export function requireScopes(held: readonly string[], needed: readonly string[], whose: string): void {
  const missing = needed.filter((scope) => !held.includes(scope));
  if (missing.length > 0) {
    throw new GatewayError(
      "scope_missing",
      `${whose} lacks the scope${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
      {
        extensions: { missingScopes: missing },
      },
    );
  }
}

/**
 * Asks the policy; throws policy_denied (with reasons) unless it allows, or, when the
 * policy asks for a person's approval, approval_required / approval_denied until an
 * approval for this exact request lets it through. Returns the decision acted on.
 */
export async function authorize(
  req: Request,
  res: Response,
  deps: AuthorizeDeps,
  parts: PolicyInputParts,
): Promise<Decision> {
  const budgets = deps.budgetsFor ? await deps.budgetsFor(res.locals.agent!) : [];
  const subject = approvalSubject(req, res, parts);
  const binding = deps.approvals?.bind(subject) ?? null;
  const live = binding ? await deps.approvals!.lookup(binding) : null;
  const approval = live
    ? { id: live.id, status: live.status, decidedBy: live.decidedBy, note: live.note }
    : null;
  const startedAt = process.hrtime.bigint();
  const input = buildPolicyInput(req, res, { ...parts, extra: { budgets, approval } }, deps.nowMs());
  let decision = deps.policy.decide(input);
  timeStage(res.locals, "policy", startedAt);
  const durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
  let refusal: GatewayError | null = null;
  if (!decision.allow && decision.approval && deps.approvals && binding) {
    const outcome = await deps.approvals.settle(
      res,
      subject,
      binding,
      { ...decision, approval: decision.approval },
      live,
    );
    decision = outcome.decision;
    if (!outcome.allow) refusal = outcome.error;
  }
  res.locals.decision = decision;
  deps.onDecision?.(parts.phase, decision.allow);
  await deps.recorder.record(res, input, decision, durationMs);
  if (refusal) throw refusal;
  if (!decision.allow) {
    const reasons = decision.reasons.length ? decision.reasons : ["the policy did not allow this request"];
    throw new GatewayError("policy_denied", reasons.join("; "), { extensions: { reasons } });
  }
  return decision;
}

function approvalSubject(req: Request, res: Response, parts: PolicyInputParts): ApprovalSubject {
  return {
    agentId: res.locals.agent!.id,
    kid: res.locals.signature!.kid,
    phase: parts.phase,
    tool: parts.tool,
    action: parts.action,
    scopes: parts.scopes,
    intent: parts.intent,
    request: {
      method: req.method,
      // The full path as the agent sent it (a call's path names its tool).
      path: req.path,
      query: parts.query,
      body: parts.phase === "call" ? (res.locals.rawBody ?? null) : null,
      bodyPreview: bodyPreview(parts.body),
    },
  };
}
