// The one error table (CONTRACT.md §7). Every failure the gateway reports is a
// GatewayError with a stable `code`; the HTTP layer turns it into problem+json.
// A test checks every code here is documented in docs/errors.md.

export const ERROR_TABLE = {
  signature_missing: { status: 401, title: "Request signature missing" },
  signature_invalid: { status: 401, title: "Request signature invalid" },
  signature_expired: { status: 401, title: "Request signature expired" },
  replay_detected: { status: 401, title: "Replayed request" },
  digest_mismatch: { status: 401, title: "Content digest mismatch" },
  unknown_key: { status: 401, title: "Unknown signing key" },
  agent_suspended: { status: 403, title: "Agent suspended" },
  token_missing: { status: 401, title: "Tool token missing" },
  token_invalid: { status: 401, title: "Tool token invalid" },
  token_expired: { status: 401, title: "Tool token expired" },
  token_revoked: { status: 401, title: "Tool token revoked" },
  token_key_mismatch: { status: 401, title: "Tool token bound to another key" },
  scope_missing: { status: 403, title: "Scope missing" },
  policy_denied: { status: 403, title: "Denied by policy" },
  rate_limited: { status: 429, title: "Rate limit exceeded" },
  budget_exceeded: { status: 429, title: "Budget exceeded" },
  unknown_tool: { status: 404, title: "Unknown tool or action" },
  invalid_request: { status: 400, title: "Invalid request" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unsupported_encoding: { status: 415, title: "Unsupported content encoding" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  policy_invalid: { status: 422, title: "Policy refused" },
  upstream_timeout: { status: 504, title: "Upstream timed out" },
  upstream_unavailable: { status: 503, title: "Upstream unavailable" },
  upstream_error: { status: 502, title: "Upstream error" },
  unauthorized: { status: 401, title: "Admin authentication required" },
  not_found: { status: 404, title: "Not found" },
  conflict: { status: 409, title: "Conflict" },
  approval_required: { status: 403, title: "Approval required" },
  approval_denied: { status: 403, title: "Approval denied" },
  tool_changed: { status: 409, title: "Tool definition changed" },
  store_unavailable: { status: 503, title: "Shared store unavailable" },
  not_ready: { status: 503, title: "Not ready" },
  internal_error: { status: 500, title: "Internal error" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

/** Where problem `type` URIs point; the page documents each code under its own anchor. */
export const PROBLEM_TYPE_BASE = "https://agentgw.dev/problems/";

export interface GatewayErrorOptions {
  /** Extra problem members, e.g. `reasons` for policy denials. */
  extensions?: Record<string, unknown>;
  /** Response headers that belong to this error, e.g. Retry-After. */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class GatewayError extends Error {
  override readonly name = "GatewayError";
  readonly status: number;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    /** Occurrence-specific and safe to show the caller: never secrets, never internals. */
    readonly detail: string,
    options: GatewayErrorOptions = {},
  ) {
    super(`${code}: ${detail}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = ERROR_TABLE[code].status;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  [extension: string]: unknown;
}

export function toProblem(error: GatewayError, requestId: string): Problem {
  const { title, status } = ERROR_TABLE[error.code];
  return {
    ...error.extensions,
    type: PROBLEM_TYPE_BASE + error.code,
    title,
    status,
    detail: error.detail,
    code: error.code,
    requestId,
  };
}
