// Ask the policy. For a tool call this reads the call first (the connector's view
// of its body is what the policy sees); the token route asks through `askPolicy`.
// Every decision, allow or deny, is recorded before the request goes on.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Approvals } from "../approvals/approvals.js";
import { type ApprovalSubject, bodyPreview } from "../approvals/binding.js";
import type { DecisionRecorder } from "../audit/decision-recorder.js";
import { GatewayError } from "../errors.js";
import { requestHeadersForUpstream } from "../forward/headers.js";
import { parseJsonDocument } from "../http/json-body.js";
import { timeStage } from "../http/locals.js";
import { buildPolicyInput, type PolicyInputParts } from "../policy/build-input.js";
import type { PolicyEngine } from "../policy/policy-engine.js";
import type { Decision } from "../policy/types.js";
import type { ToolCall, ToolConnector } from "../tools/types.js";

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

export interface AuthorizeCallDeps extends AuthorizeDeps {
  connectors: ReadonlyMap<string, ToolConnector>;
}

/**
 * Asks the policy; throws policy_denied (with reasons) unless it allows, or, when the
 * policy asks for a person's approval, approval_required / approval_denied until an
 * approval for this exact request lets it through. Returns the decision acted on.
 * `boundBody` replaces the body bytes an approval is bound to, for calls whose bytes hold
 * more than what the call does (an MCP message's JSON-RPC id, which a retry renumbers).
 */
export async function askPolicy(
  req: Request,
  res: Response,
  deps: AuthorizeDeps,
  parts: PolicyInputParts,
  boundBody?: Buffer,
): Promise<Decision> {
  const budgets = deps.budgetsFor ? await deps.budgetsFor(res.locals.agent!) : [];
  const startedAt = process.hrtime.bigint();
  let input = buildPolicyInput(req, res, { ...parts, extra: { budgets, approval: null } }, deps.nowMs());
  let decision = deps.policy.decide(input);
  timeStage(res.locals, "policy", startedAt);
  let policyNs = process.hrtime.bigint() - startedAt;
  let refusal: GatewayError | null = null;
  // Only a decision that asks for a person's approval needs the approval governing this request: the
  // store is read then, not on every decision. When there is one, the policy is asked again with it as
  // input.approval (so a policy can still refuse outright once it sees a denial); a decision that still
  // asks for approval is settled against it (exactly once, in the store).
  if (!decision.allow && decision.approval && deps.approvals) {
    const subject = approvalSubject(req, res, parts, boundBody);
    const binding = deps.approvals.bind(subject);
    const live = await deps.approvals.lookup(binding);
    if (live) {
      const again = process.hrtime.bigint();
      const approval = { id: live.id, status: live.status, decidedBy: live.decidedBy, note: live.note };
      input = { ...input, approval };
      decision = deps.policy.decide(input);
      timeStage(res.locals, "policy", again);
      policyNs += process.hrtime.bigint() - again;
    }
    if (!decision.allow && decision.approval) {
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
  }
  res.locals.decision = decision;
  deps.onDecision?.(parts.phase, decision.allow);
  await deps.recorder.record(res, input, decision, Number(policyNs) / 1e6);
  if (refusal) throw refusal;
  if (!decision.allow) {
    const reasons = decision.reasons.length ? decision.reasons : ["the policy did not allow this request"];
    throw new GatewayError("policy_denied", reasons.join("; "), { extensions: { reasons } });
  }
  return decision;
}

/** What an approval for this request is bound to and shows the person deciding. */
function approvalSubject(
  req: Request,
  res: Response,
  parts: PolicyInputParts,
  boundBody: Buffer | undefined,
): ApprovalSubject {
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
      body: parts.phase === "call" ? (boundBody ?? res.locals.rawBody ?? null) : null,
      bodyPreview: bodyPreview(parts.body),
    },
  };
}

/** The tool-call stage: finds the tool's connector, reads the call, and asks the policy about it. */
export function createAuthorize(deps: AuthorizeCallDeps): RequestHandler {
  return async function authorize(req: Request, res: Response, next: NextFunction) {
    try {
      const { tool, action, path, query } = res.locals.toolCall!;
      const token = res.locals.token!;
      // A tool this gateway cannot reach is refused before the policy is asked (nothing to decide on).
      const connector = connectorFor(deps.connectors, tool.name);
      const call = readToolCall(req, res);
      res.locals.connector = connector;
      res.locals.call = call;
      const parts: PolicyInputParts = {
        phase: "call",
        tool: tool.name,
        action: action.name,
        scopes: [...token.scopes],
        intent: token.claims.intent ?? null,
        path,
        query,
        body: connector.policyBody(call),
      };
      const decision = await askPolicy(req, res, deps, parts);
      // Further upstream requests the call leads to (http redirect hops) are decided like the call itself;
      // res.locals.decision stays the call's.
      res.locals.authorizeHop = async (body) => {
        try {
          return (await askPolicy(req, res, deps, { ...parts, body })).obligations;
        } finally {
          res.locals.decision = decision;
        }
      };
      next();
    } catch (error) {
      next(error);
    }
  };
}

function connectorFor(connectors: ReadonlyMap<string, ToolConnector>, tool: string): ToolConnector {
  const connector = connectors.get(tool);
  if (!connector?.available()) {
    throw new GatewayError("upstream_unavailable", `the ${tool} tool is not configured on this gateway`);
  }
  return connector;
}

function readToolCall(req: Request, res: Response): ToolCall {
  const resolved = res.locals.toolCall!;
  const raw = res.locals.rawBody;
  let json: unknown = null;
  if (raw && /json/i.test(req.get("content-type") ?? "")) json = parseJsonDocument(raw);
  return {
    tool: resolved.tool,
    action: resolved.action,
    method: req.method,
    path: resolved.path,
    query: resolved.query,
    headers: requestHeadersForUpstream(req.headers),
    body: raw,
    json,
    agentId: res.locals.agent!.id,
  };
}
