// What an approval is bound to: the exact request a person looked at. A retry
// of the same request (new signature, new nonce, maybe a new tool token) has the
// same binding; any change to who asks, what for, or the call's bytes does not.
import { createHash } from "node:crypto";

export interface ApprovalSubject {
  agentId: string;
  kid: string;
  phase: "token" | "call";
  tool: string;
  action: string | null;
  scopes: readonly string[];
  intent: string | null;
  request: {
    method: string;
    path: string;
    /** Raw query string without "?". */
    query: string;
    /** The body bytes received (call phase), or null. */
    body: Buffer | null;
    /** What a person is shown of the request: the policy's view of the body, cut short. */
    bodyPreview: string | null;
  };
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("base64url");

/** Version-tagged so a future change of the binding never matches an old approval by accident. */
export function approvalBinding(subject: ApprovalSubject): string {
  const { request } = subject;
  // Call phase: method, path, query and a digest of the body. Token phase: the
  // scopes and intent already say all a token request asks for.
  const callDigest =
    subject.phase === "call"
      ? [request.method, request.path, request.query, request.body ? sha256(request.body) : null]
      : null;
  return sha256(
    JSON.stringify([
      "agentgw-approval-v1",
      subject.agentId,
      subject.kid,
      subject.phase,
      subject.tool,
      subject.action,
      [...new Set(subject.scopes)].sort(),
      subject.intent,
      callDigest,
    ]),
  );
}

export const PREVIEW_CHARS = 2000;

/** A short JSON preview of what the policy saw of the body, for the person deciding. */
export function bodyPreview(body: unknown): string | null {
  if (body === null || body === undefined) return null;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}
