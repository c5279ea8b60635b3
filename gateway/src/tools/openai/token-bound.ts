// What an OpenAI call under a tokens budget may use at most, decided before it is sent, so the reservation
// is an upper bound the agent cannot lower:
//
// - Input: every token is at least one byte of the text it stands for (byte-level BPE), and JSON is never
//   shorter than the text it carries, so the request body's UTF-8 byte length bounds the input tokens
//   (messages, instructions, tool schemas and framing included). Images and files are not text: each such
//   part adds a configured allowance (`attachmentTokens`).
// - Output: the request's own cap (`max_completion_tokens` / `max_tokens`, `max_output_tokens`), times `n`
//   choices. When the agent names no cap, the gateway sets one upstream (`defaultMaxOutputTokens`), so a
//   call can never run unbounded.
// - Inputs the gateway cannot see cannot be bounded: server-side state (`previous_response_id`,
//   `conversation`, stored `prompt`s), tools the upstream runs itself (web or file search, code
//   interpreter, remote MCP…) and background responses are refused (400) under a tokens budget.
// - A streamed chat completion reports usage only when asked: the gateway asks
//   (`stream_options.include_usage`) and, when the agent did not, drops that extra chunk from its stream.
import { GatewayError } from "../../errors.js";
import type { ToolCall } from "../types.js";

export interface TokenBoundOptions {
  /** The output cap set upstream when a call names none. */
  defaultMaxOutputTokens: number;
  /** Tokens reserved for each image or file part, whose cost the body's size does not bound. */
  attachmentTokens: number;
}

/** The config defaults (tools.openai.defaultMaxOutputTokens, tools.openai.attachmentTokens). */
export const DEFAULT_TOKEN_BOUND: TokenBoundOptions = {
  defaultMaxOutputTokens: 4096,
  attachmentTokens: 8192,
};

export interface BoundedCall {
  /** The call as it will be sent: with a cap and stream usage requested where it had none. */
  call: ToolCall;
  /** The most tokens it can use. */
  tokens: number;
}

const CHAT_CAPS = ["max_completion_tokens", "max_tokens"] as const;
const RESPONSES_CAPS = ["max_output_tokens"] as const;
const ATTACHMENT_TYPES = new Set(["image_url", "input_image", "file", "input_file"]);
/** Tool types the model calls and the agent runs: anything else the upstream runs itself, unbounded. */
const AGENT_RUN_TOOLS = new Set(["function", "custom"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(detail: string): GatewayError {
  return new GatewayError("invalid_request", `${detail} (this agent has a tokens budget)`);
}

/** Image and file parts anywhere in the request (message content arrays, Responses input items). */
function countAttachments(document: unknown): number {
  let count = 0;
  const stack: unknown[] = [document];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (isObject(node)) {
      if (typeof node.type === "string" && ATTACHMENT_TYPES.has(node.type)) count++;
      stack.push(...Object.values(node));
    }
  }
  return count;
}

/** The larger of the caps the request names (an upstream may honour either); undefined when none. */
function namedCap(json: Record<string, unknown>, fields: readonly string[]): number | undefined {
  let cap: number | undefined;
  for (const field of fields) {
    const value = json[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
      throw invalid(`${field} must be a positive integer`);
    }
    cap = Math.max(cap ?? 0, value);
  }
  return cap;
}

function refuseUnboundable(json: Record<string, unknown>): void {
  for (const field of ["previous_response_id", "conversation", "prompt"]) {
    if (json[field] !== undefined && json[field] !== null) {
      throw invalid(`${field} refers to content the gateway cannot measure, so its tokens cannot be bounded`);
    }
  }
  if (json.background === true) throw invalid("background responses report no usage to the gateway");
  if (json.web_search_options !== undefined && json.web_search_options !== null) {
    throw invalid("web search adds content the gateway cannot measure");
  }
  if (Array.isArray(json.tools)) {
    for (const tool of json.tools) {
      const type = isObject(tool) ? tool.type : undefined;
      if (typeof type !== "string" || !AGENT_RUN_TOOLS.has(type)) {
        throw invalid(
          `tools of type ${JSON.stringify(type)} run upstream and add tokens the gateway cannot bound`,
        );
      }
    }
  }
}

/** The bound and the call to send, for chat.completions.create, responses.create and embeddings.create. */
export function boundOpenAiTokens(call: ToolCall, options: TokenBoundOptions): BoundedCall {
  const json = call.json;
  if (call.action.method === "GET" || !isObject(json)) return { call, tokens: 0 };
  const action = call.action.name;
  if (action === "embeddings.create") {
    // No output; token-id inputs ([[1, 2]]) take at least one byte per token too.
    return { call, tokens: call.body?.length ?? 0 };
  }
  const chat = action === "chat.completions.create";
  if (!chat && action !== "responses.create") return { call, tokens: 0 };
  refuseUnboundable(json);

  const capFields = chat ? CHAT_CAPS : RESPONSES_CAPS;
  let cap = namedCap(json, capFields);
  const choices = chat && json.n !== undefined && json.n !== null ? json.n : 1;
  if (typeof choices !== "number" || !Number.isSafeInteger(choices) || choices < 1) {
    throw invalid("n must be a positive integer");
  }

  const sent: Record<string, unknown> = { ...json };
  let changed = false;
  if (cap === undefined) {
    cap = options.defaultMaxOutputTokens;
    for (const field of capFields) delete sent[field];
    sent[capFields[0]] = cap;
    changed = true;
  }
  let hideStreamUsage = false;
  if (chat && json.stream === true) {
    const streamOptions = isObject(json.stream_options) ? json.stream_options : {};
    if (streamOptions.include_usage !== true) {
      sent.stream_options = { ...streamOptions, include_usage: true };
      hideStreamUsage = true;
      changed = true;
    }
  }
  const body = changed ? Buffer.from(JSON.stringify(sent)) : call.body;
  const input = (body?.length ?? 0) + countAttachments(json) * options.attachmentTokens;
  return {
    call: changed ? { ...call, json: sent, body, ...(hideStreamUsage ? { hideStreamUsage } : {}) } : call,
    tokens: input + choices * cap,
  };
}
