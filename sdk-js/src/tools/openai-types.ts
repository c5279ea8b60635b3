// The parts of OpenAI's REST API the typed methods use (https://platform.openai.com/docs/api-reference).
// Open-ended on purpose: fields this file does not name still pass through both ways.

export type ChatRole = "system" | "developer" | "user" | "assistant" | "tool";

export interface ChatContentPart {
  type: "text" | "image_url" | "input_audio" | "file" | (string & {});
  text?: string;
  [member: string]: unknown;
}

export interface ChatToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatMessageParam {
  role: ChatRole;
  content: string | ChatContentPart[] | null;
  name?: string;
  tool_call_id?: string;
  tool_calls?: ChatToolCall[];
  [member: string]: unknown;
}

export interface ChatCompletionCreateParams {
  model: string;
  messages: ChatMessageParam[];
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  n?: number;
  stop?: string | string[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: Array<{ type: "function"; function: { name: string; description?: string; parameters?: unknown } }>;
  tool_choice?: unknown;
  response_format?: unknown;
  user?: string;
  [member: string]: unknown;
}

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  [member: string]: unknown;
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: "assistant";
      content: string | null;
      refusal?: string | null;
      tool_calls?: ChatToolCall[];
    };
    finish_reason: "stop" | "length" | "tool_calls" | "content_filter" | "function_call" | null;
    logprobs?: unknown;
  }>;
  usage?: CompletionUsage;
  system_fingerprint?: string | null;
  [member: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: {
      role?: "assistant";
      content?: string | null;
      refusal?: string | null;
      tool_calls?: Array<Partial<ChatToolCall> & { index: number }>;
    };
    finish_reason: ChatCompletion["choices"][number]["finish_reason"];
    logprobs?: unknown;
  }>;
  /** Only on the last chunk, with `stream_options: {include_usage: true}`. */
  usage?: CompletionUsage | null;
  [member: string]: unknown;
}

export interface EmbeddingCreateParams {
  model: string;
  input: string | string[] | number[] | number[][];
  dimensions?: number;
  /** This SDK asks for "float" unless told otherwise, so `embedding` is a number array. */
  encoding_format?: "float" | "base64";
  user?: string;
}

export interface CreateEmbeddingResponse {
  object: "list";
  data: Array<{ object: "embedding"; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

export interface Model {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

export interface ModelList {
  object: "list";
  data: Model[];
}
