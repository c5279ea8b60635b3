import { createHash } from "node:crypto";
import type { SseEvent } from "./sse.js";

// Builders for the JSON documents OpenAI's API answers with. They are pure so the fake's
// routing stays readable and each shape can be checked against the docs on its own.

/** A rough, deterministic token count (OpenAI's rule of thumb: about four characters a token). */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** The text of a message `content`: a string, or an array of parts with `text`. */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        typeof part === "object" && part !== null && typeof (part as { text?: unknown }).text === "string"
          ? (part as { text: string }).text
          : "",
      )
      .filter((text) => text !== "")
      .join("\n");
  }
  return "";
}

interface RoleMessage {
  role?: unknown;
  content?: unknown;
}

/** The last user message of a chat `messages` array or a Responses `input`, as text. */
export function lastUserText(messagesOrInput: unknown): string {
  if (typeof messagesOrInput === "string") return messagesOrInput;
  if (!Array.isArray(messagesOrInput)) return "";
  for (let i = messagesOrInput.length - 1; i >= 0; i--) {
    const message = messagesOrInput[i] as RoleMessage | null;
    if (message && typeof message === "object" && message.role === "user") return textOf(message.content);
  }
  return "";
}

/** The text of every message, for the prompt token count. */
export function allText(messagesOrInput: unknown): string {
  if (typeof messagesOrInput === "string") return messagesOrInput;
  if (!Array.isArray(messagesOrInput)) return "";
  return messagesOrInput.map((m) => textOf((m as RoleMessage | null)?.content)).join("\n");
}

/** Splits a reply into word-sized stream deltas, keeping the spaces so they join back exactly. */
export function splitIntoDeltas(text: string): string[] {
  return text.match(/\s*\S+\s*$|\s*\S+/g) ?? (text === "" ? [] : [text]);
}

export interface ChatCompletionInput {
  id: string;
  created: number;
  model: string;
  content: string;
  promptTokens: number;
}

function chatUsage(input: ChatCompletionInput) {
  const completionTokens = countTokens(input.content);
  return {
    prompt_tokens: input.promptTokens,
    completion_tokens: completionTokens,
    total_tokens: input.promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  };
}

/** `POST /v1/chat/completions` without streaming. */
export function chatCompletion(input: ChatCompletionInput) {
  return {
    id: input.id,
    object: "chat.completion",
    created: input.created,
    model: input.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: input.content, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: "stop",
      },
    ],
    usage: chatUsage(input),
    service_tier: "default",
    system_fingerprint: "fp_fake",
  };
}

/**
 * The `chat.completion.chunk` events of a streamed completion, then `[DONE]`. With `includeUsage`, every
 * chunk carries `usage: null` and one extra last chunk has empty `choices` and the usage, as OpenAI does.
 */
export function chatCompletionChunks(input: ChatCompletionInput, deltas: string[], includeUsage: boolean) {
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): SseEvent => ({
    data: {
      id: input.id,
      object: "chat.completion.chunk",
      created: input.created,
      model: input.model,
      service_tier: "default",
      system_fingerprint: "fp_fake",
      choices,
      ...(includeUsage ? { usage: null } : {}),
      ...extra,
    },
  });
  const choice = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finishReason,
  });
  const events: SseEvent[] = [chunk([choice({ role: "assistant", content: "", refusal: null })])];
  for (const delta of deltas) events.push(chunk([choice({ content: delta })]));
  events.push(chunk([choice({}, "stop")]));
  if (includeUsage) events.push(chunk([], { usage: chatUsage(input) }));
  events.push({ data: "[DONE]" });
  return events;
}

export interface ResponseInput {
  id: string;
  messageId: string;
  createdAt: number;
  model: string;
  content: string;
  inputTokens: number;
  instructions: unknown;
  maxOutputTokens: unknown;
}

function outputMessage(input: ResponseInput, status: "in_progress" | "completed", text: string | null) {
  return {
    id: input.messageId,
    type: "message",
    status,
    role: "assistant",
    content: text === null ? [] : [{ type: "output_text", text, annotations: [], logprobs: [] }],
  };
}

/** `POST /v1/responses` (the Responses API), completed or just created. */
export function responseObject(input: ResponseInput, status: "in_progress" | "completed" = "completed") {
  const outputTokens = countTokens(input.content);
  const done = status === "completed";
  return {
    id: input.id,
    object: "response",
    created_at: input.createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: input.instructions ?? null,
    max_output_tokens: input.maxOutputTokens ?? null,
    model: input.model,
    output: done ? [outputMessage(input, "completed", input.content)] : [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: 1,
    truncation: "disabled",
    usage: done
      ? {
          input_tokens: input.inputTokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: outputTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: input.inputTokens + outputTokens,
        }
      : null,
    user: null,
    metadata: {},
  };
}

/** The semantic events of a streamed Responses API call, each with `event:` = its `type`. */
export function responseEvents(input: ResponseInput, deltas: string[]): SseEvent[] {
  let sequence = 0;
  const event = (type: string, fields: Record<string, unknown>): SseEvent => ({
    event: type,
    data: { type, sequence_number: sequence++, ...fields },
  });
  const where = { item_id: input.messageId, output_index: 0, content_index: 0 };
  const part = (text: string) => ({ type: "output_text", text, annotations: [], logprobs: [] });
  return [
    event("response.created", { response: responseObject(input, "in_progress") }),
    event("response.in_progress", { response: responseObject(input, "in_progress") }),
    event("response.output_item.added", { output_index: 0, item: outputMessage(input, "in_progress", null) }),
    event("response.content_part.added", { ...where, part: part("") }),
    ...deltas.map((delta) => event("response.output_text.delta", { ...where, delta, logprobs: [] })),
    event("response.output_text.done", { ...where, text: input.content, logprobs: [] }),
    event("response.content_part.done", { ...where, part: part(input.content) }),
    event("response.output_item.done", {
      output_index: 0,
      item: outputMessage(input, "completed", input.content),
    }),
    event("response.completed", { response: responseObject(input, "completed") }),
  ];
}

/**
 * A deterministic unit vector for a text: the same input always embeds the same way, different
 * inputs differ, so tests can compare vectors.
 */
export function embeddingVector(text: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash("sha256").update(`${block}:${text}`).digest();
    for (const byte of digest) {
      if (values.length === dimensions) break;
      values.push(byte / 127.5 - 1);
    }
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => Math.fround(v / norm));
}

/** OpenAI's `encoding_format: "base64"`: the vector as little-endian float32, base64. */
export function embeddingToBase64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (const [i, value] of vector.entries()) bytes.writeFloatLE(value, i * 4);
  return bytes.toString("base64");
}

/** OpenAI's error body; `type` and `code` follow what the API sends for each status. */
export function openAiError(
  status: number,
  message: string,
  param: string | null = null,
  code?: string | null,
) {
  let type = "invalid_request_error";
  let defaultCode: string | null = null;
  if (status === 429) {
    type = "requests";
    defaultCode = "rate_limit_exceeded";
  } else if (status >= 500) {
    type = "server_error";
  }
  return { error: { message, type, param, code: code === undefined ? defaultCode : code } };
}
