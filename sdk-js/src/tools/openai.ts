// gw.openai: typed OpenAI calls through the gateway; each asks for the scope its action needs.
import { AgentGatewayError } from "../errors.js";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
  CreateEmbeddingResponse,
  EmbeddingCreateParams,
  ModelList,
} from "./openai-types.js";
import { throwUnlessOk } from "./problem.js";
import { parseServerSentEvents } from "./sse.js";
import type { ToolCaller, ToolMethodOptions } from "./tool-caller.js";

export interface OpenAiTool {
  chat: {
    completions: {
      create(
        params: ChatCompletionCreateParams & { stream: true },
        options?: ToolMethodOptions,
      ): Promise<AsyncIterableIterator<ChatCompletionChunk>>;
      create(
        params: ChatCompletionCreateParams & { stream?: false | null },
        options?: ToolMethodOptions,
      ): Promise<ChatCompletion>;
      create(
        params: ChatCompletionCreateParams,
        options?: ToolMethodOptions,
      ): Promise<ChatCompletion | AsyncIterableIterator<ChatCompletionChunk>>;
    };
  };
  embeddings: {
    create(params: EmbeddingCreateParams, options?: ToolMethodOptions): Promise<CreateEmbeddingResponse>;
  };
  models: { list(options?: ToolMethodOptions): Promise<ModelList> };
}

export function createOpenAiTool(call: ToolCaller): OpenAiTool {
  async function createChatCompletion(
    params: ChatCompletionCreateParams,
    options: ToolMethodOptions = {},
  ): Promise<ChatCompletion | AsyncIterableIterator<ChatCompletionChunk>> {
    const stream = params.stream === true;
    const response = await throwUnlessOk(
      await call("openai", "POST", "/v1/chat/completions", {
        ...options,
        json: params,
        headers: {
          ...headersRecord(options.headers),
          accept: stream ? "text/event-stream" : "application/json",
        },
      }),
    );
    if (!stream) return (await response.json()) as ChatCompletion;
    if (response.body === null) throw streamError(response, "the streaming answer has no body");
    return chatCompletionChunks(response);
  }
  return {
    chat: { completions: { create: createChatCompletion as OpenAiTool["chat"]["completions"]["create"] } },
    embeddings: {
      async create(params, options = {}) {
        const body = { ...params, encoding_format: params.encoding_format ?? "float" };
        const response = await call("openai", "POST", "/v1/embeddings", { ...options, json: body });
        return (await (await throwUnlessOk(response)).json()) as CreateEmbeddingResponse;
      },
    },
    models: {
      async list(options = {}) {
        const response = await call("openai", "GET", "/v1/models", options);
        return (await (await throwUnlessOk(response)).json()) as ModelList;
      },
    },
  };
}

/**
 * The chunks of a chat completion stream (`data: {...}` events up to `data: [DONE]`). An error
 * event, or a stream that ends before [DONE], throws: the answer is incomplete.
 */
export async function* chatCompletionChunks(
  response: Response,
): AsyncGenerator<ChatCompletionChunk, void, undefined> {
  for await (const event of parseServerSentEvents(response.body!)) {
    if (event.data === "[DONE]") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.data);
    } catch {
      throw streamError(response, `a stream event is not JSON: ${event.data.slice(0, 200)}`);
    }
    const error = (parsed as { error?: { message?: unknown } } | null)?.error;
    if (error) throw streamError(response, typeof error.message === "string" ? error.message : "error event");
    yield parsed as ChatCompletionChunk;
  }
  throw streamError(response, "the stream ended before [DONE]");
}

function streamError(response: Response, detail: string): AgentGatewayError {
  return new AgentGatewayError(
    "upstream_error",
    response.status,
    { title: "Incomplete stream", detail },
    response.headers.get("x-request-id") ?? undefined,
  );
}

function headersRecord(headers: HeadersInit | undefined): Record<string, string> {
  return Object.fromEntries(new Headers(headers));
}
