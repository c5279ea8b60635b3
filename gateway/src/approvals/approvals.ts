// Approvals: a policy's "allowed once a person approves" (allow: false plus an
// `approval` member) becomes a pending approval bound to the exact request; a
// person approves or denies it; the same request then goes through once (token
// phase: during the approval's window) or is refused. Every step is audited.
import type { Response } from "express";
import type { AuditLog } from "../audit/audit-log.js";
import { GatewayError } from "../errors.js";
import type { Decision } from "../policy/types.js";
import { newId } from "../store/ids.js";
import type { Approval, ApprovalQuery, ApprovalStore, Page } from "../store/types.js";
import { type ApprovalSubject, approvalBinding } from "./binding.js";

export const DEFAULT_APPROVAL_TTL_SECONDS = 900;

export interface ApprovalsDeps {
  store: ApprovalStore;
  audit: AuditLog;
  nowMs: () => number;
  defaultTtlSeconds?: number;
  /** Told about each new pending approval (the webhook); must not throw. */
  onPending?: (approval: Approval) => void;
}

/** What the gateway decided about a request the policy wants approved. */
export type ApprovalOutcome =
  | { allow: true; decision: Decision; approval: Approval }
  | { allow: false; decision: Decision; error: GatewayError; approval: Approval };

/** An approval as agents and admins see it: the binding digest stays inside. */
export type ApprovalView = Omit<Approval, "binding" | "ttlSeconds">;

export interface Approvals {
  /** The binding of a request, for lookup and settle. */
  bind(subject: ApprovalSubject): string;
  /** The approval that governs this exact request now: what policies see as input.approval. */
  lookup(binding: string): Promise<Approval | null>;
  /** Turns a decision that asks for approval into the gateway's answer for this request. */
  settle(
    res: Response,
    subject: ApprovalSubject,
    binding: string,
    decision: Decision & { approval: NonNullable<Decision["approval"]> },
    live: Approval | null,
  ): Promise<ApprovalOutcome>;
  get(id: string): Promise<Approval | null>;
  list(query: ApprovalQuery): Promise<Page<Approval>>;
  /** Throws not_found, or conflict when the approval is no longer pending. */
  decide(
    res: Response | null,
    id: string,
    decision: { status: "approved" | "denied"; decidedBy: string; note: string | null },
  ): Promise<Approval>;
  /** Marks lapsed pending approvals expired and audits each; returns how many. */
  expireDue(): Promise<number>;
  view(approval: Approval): ApprovalView;
}

export function createApprovals(deps: ApprovalsDeps): Approvals {
  const { store, audit, nowMs } = deps;
  const defaultTtl = deps.defaultTtlSeconds ?? DEFAULT_APPROVAL_TTL_SECONDS;

  function view(approval: Approval): ApprovalView {
    const { binding: _binding, ttlSeconds: _ttl, ...rest } = approval;
    // A pending approval past its expiry reads as expired before the sweeper has marked it.
    const lapsed = rest.status === "pending" && Date.parse(rest.expiresAt) <= nowMs();
    return lapsed ? { ...rest, status: "expired" } : rest;
  }

  function required(approval: Approval): GatewayError {
    return new GatewayError(
      "approval_required",
      `a person must approve this request (approval ${approval.id}): ${approval.reason}`,
      {
        extensions: { approvalId: approval.id, reason: approval.reason, expiresAt: approval.expiresAt },
      },
    );
  }

  function denied(approval: Approval): GatewayError {
    return new GatewayError(
      "approval_denied",
      `approval ${approval.id} was denied${approval.note ? `: ${approval.note}` : ""}`,
      {
        extensions: {
          approvalId: approval.id,
          reason: approval.reason,
          note: approval.note,
          decidedBy: approval.decidedBy,
          expiresAt: approval.expiresAt,
        },
      },
    );
  }

  const refusal = (decision: Decision, approval: Approval, error: GatewayError): ApprovalOutcome => ({
    allow: false,
    approval,
    error,
    decision: {
      ...decision,
      reasons: [...decision.reasons, `${error.code}: approval ${approval.id} (${approval.status})`],
    },
  });

  async function open(
    res: Response,
    subject: ApprovalSubject,
    binding: string,
    decision: Decision & { approval: NonNullable<Decision["approval"]> },
  ): Promise<ApprovalOutcome> {
    const now = nowMs();
    const ttlSeconds = decision.approval.ttl_seconds ?? defaultTtl;
    const { approval, created, expired } = await store.openOrGet(
      {
        id: newId("apr", now),
        agentId: subject.agentId,
        kid: subject.kid,
        phase: subject.phase,
        tool: subject.tool,
        action: subject.action,
        scopes: [...new Set(subject.scopes)].sort(),
        intent: subject.intent,
        reason: decision.approval.reason,
        request: {
          method: subject.request.method,
          path: subject.request.path + (subject.request.query ? `?${subject.request.query}` : ""),
          bodyPreview: subject.request.bodyPreview,
        },
        binding,
        ttlSeconds,
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + ttlSeconds * 1000).toISOString(),
      },
      now,
    );
    await auditExpired(expired);
    if (created) {
      await audit.record(res, {
        actor: `agent:${approval.agentId}`,
        action: "approval.requested",
        target: approval.id,
        details: {
          phase: approval.phase,
          tool: approval.tool,
          action: approval.action,
          scopes: approval.scopes,
          reason: approval.reason,
          expiresAt: approval.expiresAt,
        },
      });
      deps.onPending?.(approval);
    }
    // Another request may have opened, or a person decided, the approval in between.
    return outcomeOf(res, subject, binding, decision, approval, false);
  }

  async function outcomeOf(
    res: Response,
    subject: ApprovalSubject,
    binding: string,
    decision: Decision & { approval: NonNullable<Decision["approval"]> },
    live: Approval,
    mayOpen: boolean,
  ): Promise<ApprovalOutcome> {
    if (live.status === "pending") return refusal(decision, live, required(live));
    if (live.status === "denied") return refusal(decision, live, denied(live));
    if (live.status === "approved" && (await store.use(live.id, nowMs()))) {
      await audit.record(res, {
        actor: `agent:${live.agentId}`,
        action: "approval.used",
        target: live.id,
        details: { phase: live.phase, tool: live.tool, action: live.action, decidedBy: live.decidedBy },
      });
      return {
        allow: true,
        approval: live,
        decision: {
          allow: true,
          reasons: [`approved by ${live.decidedBy} (approval ${live.id})`],
          obligations: decision.obligations,
        },
      };
    }
    // Used up by a concurrent request, or lapsed: this request needs an approval of its own.
    if (mayOpen) return open(res, subject, binding, decision);
    return refusal(decision, live, required(live));
  }

  async function expireDue(): Promise<number> {
    const expired = await store.expireDue(nowMs());
    await auditExpired(expired);
    return expired.length;
  }

  async function auditExpired(expired: Approval[]): Promise<void> {
    for (const approval of expired) {
      await audit.record(null, {
        actor: "gateway",
        action: "approval.expired",
        target: approval.id,
        details: { agentId: approval.agentId, tool: approval.tool, action: approval.action },
      });
    }
  }

  return {
    bind: approvalBinding,
    lookup: (binding) => store.findLive(binding, nowMs()),
    async settle(res, subject, binding, decision, live) {
      if (!live) return open(res, subject, binding, decision);
      return outcomeOf(res, subject, binding, decision, live, true);
    },
    get: (id) => store.get(id),
    async list(query) {
      await expireDue();
      return store.list(query);
    },
    async decide(res, id, { status, decidedBy, note }) {
      const now = nowMs();
      const current = await store.get(id);
      if (!current) throw new GatewayError("not_found", `no approval ${id}`);
      const decided = await store.decide(
        id,
        { status, decidedBy, note, expiresAt: new Date(now + current.ttlSeconds * 1000).toISOString() },
        now,
      );
      if (!decided) {
        const state = view((await store.get(id)) ?? current).status;
        throw new GatewayError("conflict", `approval ${id} is ${state}, not pending`, {
          extensions: { status: state },
        });
      }
      await audit.record(res, {
        actor: decidedBy,
        action: `approval.${status}`,
        target: id,
        details: {
          agentId: decided.agentId,
          phase: decided.phase,
          tool: decided.tool,
          action: decided.action,
          note,
          expiresAt: decided.expiresAt,
        },
      });
      return decided;
    },
    expireDue,
    view,
  };
}
