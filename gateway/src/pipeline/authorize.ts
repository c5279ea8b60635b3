// Stage 5: the scope check (cheap, before the policy) and the policy's decision.
// Every decision, allow or deny, is recorded before the request goes on.
import type { Request, Response } from "express";
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

/** Asks the policy; throws policy_denied (with reasons) unless it allows. Returns the decision. */
export async function authorize(
  req: Request,
  res: Response,
  deps: AuthorizeDeps,
  parts: PolicyInputParts,
): Promise<Decision> {
  const budgets = deps.budgetsFor ? await deps.budgetsFor(res.locals.agent!) : [];
  const startedAt = process.hrtime.bigint();
  const input = buildPolicyInput(req, res, { ...parts, extra: { budgets } }, deps.nowMs());
  const decision = deps.policy.decide(input);
  timeStage(res.locals, "policy", startedAt);
  const durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
  res.locals.decision = decision;
  deps.onDecision?.(parts.phase, decision.allow);
  await deps.recorder.record(res, input, decision, durationMs);
  if (!decision.allow) {
    const reasons = decision.reasons.length ? decision.reasons : ["the policy did not allow this request"];
    throw new GatewayError("policy_denied", reasons.join("; "), { extensions: { reasons } });
  }
  return decision;
}
