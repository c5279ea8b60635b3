// Typed errors for gateway answers (RFC 9457 problem+json, CONTRACT.md §7). Callers switch
// on `code`; subclasses carry the data a caller acts on (reasons, when to retry).

import { ERRORS } from "./generated/protocol.js";

/** The gateway's error codes (the protocol's one table), plus `unexpected_response` for answers that are not a gateway problem. */
export const ERROR_CODES = [
  ...(Object.keys(ERRORS) as (keyof typeof ERRORS)[]),
  "unexpected_response",
] as const satisfies readonly string[];

type KnownCode = keyof typeof ERRORS | "unexpected_response";

/** A known code, or another string a newer gateway may send (kept, never dropped). */
export type ErrorCode = KnownCode | (string & {});

/** The protocol's family of a code (signature, token, policy, rate_limit …), or undefined for unknown codes. */
export function errorFamily(code: string): string | undefined {
  return Object.hasOwn(ERRORS, code) ? ERRORS[code as keyof typeof ERRORS].family : undefined;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  requestId?: string;
  reasons?: string[];
  [extension: string]: unknown;
}

export class AgentGatewayError extends Error {
  override name = "AgentGatewayError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly problem: Problem;
  readonly requestId: string | undefined;

  constructor(code: ErrorCode, status: number, problem: Problem, requestId?: string) {
    super(`${code}: ${problem.detail ?? problem.title ?? `HTTP ${status}`}`);
    this.code = code;
    this.status = status;
    this.problem = problem;
    this.requestId = requestId;
  }
}

export class PolicyDeniedError extends AgentGatewayError {
  override name = "PolicyDeniedError";
  /** Why the policy said no, as the policy wrote it. */
  readonly reasons: string[];
  constructor(status: number, problem: Problem, requestId?: string) {
    super("policy_denied", status, problem, requestId);
    this.reasons = Array.isArray(problem.reasons) ? problem.reasons.filter((r) => typeof r === "string") : [];
  }
}

/** A limit was hit: `rate_limited` or `budget_exceeded` (the protocol's rate_limit family). */
export class RateLimitedError extends AgentGatewayError {
  override name = "RateLimitedError";
  /** Seconds to wait before retrying (from Retry-After), or null when the gateway did not say. */
  readonly retryAfter: number | null;
  constructor(
    status: number,
    problem: Problem,
    retryAfter: number | null,
    requestId?: string,
    code: ErrorCode = "rate_limited",
  ) {
    super(code, status, problem, requestId);
    this.retryAfter = retryAfter;
  }
}

/** The policy wants a person to approve this exact request; wait (AgentGateway.waitForApproval) and retry. */
export class ApprovalRequiredError extends AgentGatewayError {
  override name = "ApprovalRequiredError";
  readonly approvalId: string;
  /** Why the policy asks for approval. */
  readonly reason: string;
  /** When the pending approval lapses (RFC 3339). */
  readonly expiresAt: string;
  constructor(status: number, problem: Problem, requestId?: string) {
    super("approval_required", status, problem, requestId);
    this.approvalId = String(problem.approvalId ?? "");
    this.reason = String(problem.reason ?? "");
    this.expiresAt = String(problem.expiresAt ?? "");
  }
}

/** A person denied this exact request (problem `approval_denied`, or the approval read while waiting). */
export class ApprovalDeniedError extends AgentGatewayError {
  override name = "ApprovalDeniedError";
  readonly approvalId: string;
  readonly note: string | null;
  readonly decidedBy: string | null;
  constructor(status: number, problem: Problem, requestId?: string) {
    super("approval_denied", status, problem, requestId);
    this.approvalId = String(problem.approvalId ?? "");
    this.note = typeof problem.note === "string" ? problem.note : null;
    this.decidedBy = typeof problem.decidedBy === "string" ? problem.decidedBy : null;
  }
}

/** Waiting for an approval ended without one: it expired, or the wait timed out. */
export class ApprovalWaitError extends AgentGatewayError {
  override name = "ApprovalWaitError";
  readonly approvalId: string;
  readonly outcome: "expired" | "timeout";
  constructor(approvalId: string, outcome: "expired" | "timeout") {
    super("approval_required", 403, {
      title: "Approval required",
      detail:
        outcome === "expired"
          ? `approval ${approvalId} expired before anybody decided`
          : `no decision on approval ${approvalId} within the wait`,
      approvalId,
    });
    this.approvalId = approvalId;
    this.outcome = outcome;
  }
}

type HeaderSource = Headers | Readonly<Record<string, string | undefined>> | undefined;

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers === undefined) return undefined;
  if (typeof Headers !== "undefined" && headers instanceof Headers) return headers.get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | undefined>>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : record[key];
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Maps an error answer to its typed error. `body` is the parsed JSON (or anything else). */
export function fromProblem(status: number, body: unknown, headers?: HeaderSource): AgentGatewayError {
  const problem: Problem =
    typeof body === "object" && body !== null && !Array.isArray(body)
      ? (body as Problem)
      : { title: `HTTP ${status}`, detail: typeof body === "string" ? body.slice(0, 500) : undefined };
  const code = typeof problem.code === "string" ? problem.code : "unexpected_response";
  const requestId =
    typeof problem.requestId === "string"
      ? problem.requestId
      : (header(headers, "x-request-id") ?? undefined);
  if (code === "policy_denied") return new PolicyDeniedError(status, problem, requestId);
  if (code === "approval_required") return new ApprovalRequiredError(status, problem, requestId);
  if (code === "approval_denied") return new ApprovalDeniedError(status, problem, requestId);
  if (errorFamily(code) === "rate_limit" || (status === 429 && code === "unexpected_response")) {
    const retryAfter = parseRetryAfter(header(headers, "retry-after"));
    // A bare 429 (a proxy's) is a rate limit too.
    const limitCode = code === "unexpected_response" ? "rate_limited" : code;
    return new RateLimitedError(status, problem, retryAfter, requestId, limitCode);
  }
  return new AgentGatewayError(code, status, problem, requestId);
}
