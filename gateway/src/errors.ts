// The one error table (CONTRACT.md §7). Every failure the gateway reports is a
// GatewayError with a stable `code`; the HTTP layer turns it into problem+json.
// The codes live in protocol/protocol.json, shared with the SDKs; a test checks every
// code is documented in docs/errors.md.
import { ERRORS } from "@agentgw/sdk/protocol";

/** Code → HTTP status and problem title, from the protocol's one table (protocol/protocol.json). */
export const ERROR_TABLE = ERRORS satisfies Record<string, { status: number; title: string }>;

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
