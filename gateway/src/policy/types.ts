// The policy engine's public types: the input document a policy sees
// (CONTRACT.md §5, exactly) and the decision it returns.
import { z } from "zod";

export interface PolicyInput {
  /** "list": may this agent see this MCP tool, resource or prompt in a list (nothing is called). */
  phase: "token" | "call" | "list";
  agent: {
    id: string;
    name: string;
    tier: string;
    scopes: string[];
    metadata: Record<string, unknown>;
  };
  kid: string;
  tool: string;
  /** The tool action; null in the token phase, where a token covers scopes, not one action. */
  action: string | null;
  /** Scopes asked for (token phase) or held (call phase). */
  scopes: string[];
  intent: string | null;
  request: {
    method: string;
    path: string;
    query: Record<string, unknown>;
    /** Lower-case names, without authorization and signature headers. */
    headers: Record<string, string>;
    /** Bytes of request body received (0 when none); set for chunked bodies too, unlike content-length. */
    size: number;
    /** Parsed JSON, or the parsed form a connector documents (Gmail send: {to, cc, bcc, subject}); null if none. */
    body: unknown;
  };
  token: { jti: string; scopes: string[]; iat: number; exp: number } | null;
  time: { now: string; unix: number };
  source: { ip: string };
  /** The agent's budgets in their current periods: [{tool, unit, action, period, periodKey, used, limit}]. */
  budgets?: unknown[];
  /** The approval that governs this exact request now, if any. */
  approval?: { id: string; status: string; decidedBy: string | null; note: string | null } | null;
}

/** A JSON pointer (RFC 6901): "" or a string starting with "/". */
const jsonPointer = z.string().refine((p) => p === "" || p.startsWith("/"), "must be a JSON pointer");

/**
 * Obligations the gateway must honour when it acts on an allow. The object is strict: an
 * obligation the gateway does not know (a typo such as "redcat") would otherwise drop a
 * restriction silently, so such a decision is invalid — refused at load by the smoke test,
 * and a deny (fail closed) if only some other input produces it.
 */
export const obligationsSchema = z.strictObject({
  max_ttl_seconds: z.number().int().positive().optional(),
  redact: z.array(jsonPointer).optional(),
  truncate: z.record(jsonPointer, z.number().int().nonnegative()).optional(),
  block_patterns: z
    .array(
      z.string().refine((source) => {
        try {
          new RegExp(source);
          return true;
        } catch {
          return false;
        }
      }, "must be a valid regular expression"),
    )
    .optional(),
  rate_limit: z
    .object({ points: z.number().int().positive(), duration_seconds: z.number().positive() })
    .optional(),
  /** The name of the credential of this tool the call uses instead of the default one. */
  credential: z.string().min(1).max(64).optional(),
});

/** The obligation names the gateway knows; anything else in a decision is refused. */
export const KNOWN_OBLIGATIONS: readonly string[] = Object.keys(obligationsSchema.shape);

export type Obligations = {
  max_ttl_seconds?: number;
  /** JSON pointers into the tool's response to remove. */
  redact?: string[];
  /** JSON pointer → maximum length (characters of a string, items of an array). */
  truncate?: { [jsonPointer: string]: number };
  /** Regular expressions; matches in the tool's answer are replaced with "[blocked]". */
  block_patterns?: string[];
  rate_limit?: { points: number; duration_seconds: number };
  credential?: string;
};

/**
 * What a Rego `decision` must look like; anything else fails closed. Only `allow` is
 * required: a missing `reasons` is [] and missing `obligations` is {}.
 */
export const decisionSchema = z.object({
  allow: z.boolean(),
  reasons: z.array(z.string()).default([]),
  obligations: obligationsSchema.default({}),
  /** With allow: false, "allowed once a person approves"; ignored on an allow. */
  approval: z
    .strictObject({
      reason: z.string().min(1).max(1000),
      ttl_seconds: z.number().int().positive().max(604_800).optional(),
    })
    .optional(),
});

export interface ApprovalRequest {
  reason: string;
  /** How long the pending approval waits, and how long a decision holds (token phase: the window it allows). */
  ttl_seconds?: number;
}

export interface Decision {
  allow: boolean;
  /** Human-readable; for a deny at least one reason is always given. */
  reasons: string[];
  obligations: Obligations;
  /** Present only on a deny that a person may turn into an allow. */
  approval?: ApprovalRequest;
}

/** One compile or load error, as the admin reload route reports it. */
export interface PolicyProblem {
  message: string;
  file?: string;
  row?: number;
}

export interface PolicyStatus {
  revision: string;
  /** RFC 3339. */
  loadedAt: string;
  source: string;
}
