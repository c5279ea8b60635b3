// What a tokens budget reserves before an OpenAI call: the output cap the
// request itself names. The real usage.total_tokens replaces it when settled.

/** The request's own output-token cap, or undefined when it sets none (or the body is not an object). */
export function requestedTokenCap(body: unknown): number | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const fields = body as Record<string, unknown>;
  // chat.completions: max_completion_tokens (newer) or max_tokens; responses: max_output_tokens.
  for (const name of ["max_completion_tokens", "max_tokens", "max_output_tokens"]) {
    const value = fields[name];
    if (typeof value === "number" && Number.isInteger(value) && value > 0) return value;
  }
  return undefined;
}
