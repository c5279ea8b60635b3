// Token usage an upstream reports, for budgets: OpenAI puts it in `usage` (chat completions, embeddings,
// responses) and, when streaming, in the last chunk (chat with stream_options.include_usage) or in the
// `response.completed` event's `response.usage` (responses API).

export interface Usage {
  tokens?: number;
}

function totalTokens(usage: unknown): number | undefined {
  if (typeof usage !== "object" || usage === null) return undefined;
  const {
    total_tokens: total,
    input_tokens: input,
    output_tokens: output,
  } = usage as Record<string, unknown>;
  if (typeof total === "number" && Number.isFinite(total) && total >= 0) return total;
  if (typeof input === "number" && typeof output === "number") return input + output;
  return undefined;
}

/** Usage in one JSON document (a whole answer or one SSE event's data); undefined when it has none. */
export function usageFrom(document: unknown): Usage | undefined {
  if (typeof document !== "object" || document === null) return undefined;
  const record = document as Record<string, unknown>;
  const tokens =
    totalTokens(record.usage) ??
    totalTokens((record.response as Record<string, unknown> | undefined)?.usage ?? undefined);
  return tokens === undefined ? undefined : { tokens };
}
