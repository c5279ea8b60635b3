import { randomBytes } from "node:crypto";
import { createApiKeys } from "./api-keys.js";
import { type FakeServer, type Reply, startFakeServer } from "./fake-server.js";
import {
  allText,
  type ChatCompletionInput,
  chatCompletion,
  chatCompletionChunks,
  countTokens,
  embeddingToBase64,
  embeddingVector,
  lastUserText,
  openAiError,
  type ResponseInput,
  responseEvents,
  responseObject,
  splitIntoDeltas,
} from "./openai-shapes.js";
import type { RecordedRequest } from "./recorded-request.js";
import { paceEvents, SSE_HEADERS } from "./sse.js";

/** What a scripted reply function is told about the request it answers. */
export interface OpenAiReplyContext {
  endpoint: "chat.completions" | "responses";
  model: string;
  /** The text of the last user message (chat) or of the input (responses). */
  lastUserText: string;
  /** The parsed request body. */
  body: Record<string, unknown>;
}

export type OpenAiReply = string | ((context: OpenAiReplyContext) => string);

/** The reply content and pacing a test can change at any time with `script()`. */
export interface OpenAiScript {
  /** Reply content (default: `Echo: <last user message>`). */
  reply?: OpenAiReply | undefined;
  /** Delay between streamed chunks in ms (default 20). */
  chunkDelayMs?: number;
  /** Exact stream deltas to send instead of splitting the reply into words. */
  streamDeltas?: string[] | undefined;
}

export interface FakeOpenAiOptions extends OpenAiScript {
  /** The key clients must send as `Authorization: Bearer <key>` (default: a random `sk-fake-…`). */
  apiKey?: string;
  /** Model ids listed by `GET /v1/models` (any model is accepted by the other endpoints). */
  models?: string[];
  /** Vector length for embeddings when the request does not ask for `dimensions` (default 16). */
  embeddingDimensions?: number;
}

export interface FakeOpenAi extends FakeServer {
  readonly apiKey: string;
  /** Issues another valid key (as creating a key in OpenAI's dashboard does) and returns it. */
  issueApiKey(): string;
  /** Revokes a key: requests carrying it are refused with 401 invalid_api_key. */
  revokeApiKey(key: string): void;
  /** Changes the reply content or pacing; members not named stay as they are. */
  script(script: OpenAiScript): void;
}

const DEFAULT_MODELS = ["gpt-4o-mini", "gpt-4o", "text-embedding-3-small"];
const MODEL_CREATED = 1_700_000_000;
const MAX_EMBEDDING_DIMENSIONS = 3072;

const MISSING_KEY_MESSAGE =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using " +
  "Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from " +
  "https://platform.openai.com/account/api-keys.";
const BAD_JSON_MESSAGE =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your " +
  "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";

/** Shows only the ends of a presented key, as OpenAI does, so no full credential is echoed. */
function maskKey(key: string): string {
  return key.length > 12 ? `${key.slice(0, 3)}${"*".repeat(8)}${key.slice(-4)}` : "*".repeat(8);
}

function error(status: number, message: string, param: string | null = null, code?: string | null): Reply {
  return { status, json: openAiError(status, message, param, code) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkScript(script: OpenAiScript): void {
  const { reply, chunkDelayMs, streamDeltas } = script;
  if (reply !== undefined && typeof reply !== "string" && typeof reply !== "function") {
    throw new TypeError("reply must be a string or a function");
  }
  if (chunkDelayMs !== undefined && (!Number.isInteger(chunkDelayMs) || chunkDelayMs < 0)) {
    throw new RangeError("chunkDelayMs must be a non-negative integer");
  }
  if (streamDeltas !== undefined && !streamDeltas.every((d) => typeof d === "string")) {
    throw new TypeError("streamDeltas must be an array of strings");
  }
}

/** Starts a fake OpenAI API: chat completions (JSON and SSE), responses, embeddings, models. */
export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  checkScript(options);
  const newKey = () => `sk-fake-${randomBytes(18).toString("base64url")}`;
  const apiKey = options.apiKey ?? newKey();
  if (typeof apiKey !== "string" || apiKey === "") throw new TypeError("apiKey must be a non-empty string");
  const validKeys = createApiKeys(apiKey, newKey);
  const models = options.models ?? DEFAULT_MODELS;
  if (!Array.isArray(models) || !models.every((m) => typeof m === "string" && m !== "")) {
    throw new TypeError("models must be an array of non-empty strings");
  }
  const defaultDimensions = options.embeddingDimensions ?? 16;
  if (!Number.isInteger(defaultDimensions) || defaultDimensions < 1) {
    throw new RangeError("embeddingDimensions must be a positive integer");
  }
  const initial: OpenAiScript & { chunkDelayMs: number } = {
    reply: options.reply,
    chunkDelayMs: options.chunkDelayMs ?? 20,
    streamDeltas: options.streamDeltas,
  };
  let current = { ...initial };
  let sequence = 0;
  let requestCount = 0;
  const nextId = (prefix: string): string => `${prefix}${(++sequence).toString().padStart(8, "0")}fake`;

  function replyContent(context: OpenAiReplyContext): string {
    const reply = current.reply;
    if (typeof reply === "function") return reply(context);
    if (typeof reply === "string") return reply;
    return `Echo: ${context.lastUserText}`;
  }

  function authorize(request: RecordedRequest): Reply | undefined {
    const header = request.headers.authorization;
    if (header === undefined) return error(401, MISSING_KEY_MESSAGE);
    const presented = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? "";
    if (validKeys.has(presented)) return undefined;
    return error(
      401,
      `Incorrect API key provided: ${maskKey(presented)}. You can find your API key at ` +
        "https://platform.openai.com/account/api-keys.",
      null,
      "invalid_api_key",
    );
  }

  function chatCompletions(body: Record<string, unknown>, model: string, signal: AbortSignal): Reply {
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0) {
      return error(400, "[] is too short - 'messages'", "messages");
    }
    const content = replyContent({
      endpoint: "chat.completions",
      model,
      lastUserText: lastUserText(messages),
      body,
    });
    const input: ChatCompletionInput = {
      id: nextId("chatcmpl-"),
      created: Math.floor(Date.now() / 1000),
      model,
      content,
      promptTokens: countTokens(allText(messages)),
    };
    if (body.stream !== true) return { status: 200, json: chatCompletion(input) };
    const streamOptions = body.stream_options;
    const includeUsage = isObject(streamOptions) && streamOptions.include_usage === true;
    const deltas = current.streamDeltas ?? splitIntoDeltas(content);
    const events = chatCompletionChunks(input, deltas, includeUsage);
    return {
      status: 200,
      headers: { ...SSE_HEADERS },
      stream: paceEvents(events, current.chunkDelayMs, signal),
    };
  }

  function responses(body: Record<string, unknown>, model: string, signal: AbortSignal): Reply {
    if (body.input === undefined) return error(400, "Missing required parameter: 'input'.", "input");
    const content = replyContent({
      endpoint: "responses",
      model,
      lastUserText: lastUserText(body.input),
      body,
    });
    const input: ResponseInput = {
      id: nextId("resp_"),
      messageId: nextId("msg_"),
      createdAt: Math.floor(Date.now() / 1000),
      model,
      content,
      inputTokens: countTokens(allText(body.input)),
      instructions: body.instructions,
      maxOutputTokens: body.max_output_tokens,
    };
    if (body.stream !== true) return { status: 200, json: responseObject(input) };
    const deltas = current.streamDeltas ?? splitIntoDeltas(content);
    return {
      status: 200,
      headers: { ...SSE_HEADERS },
      stream: paceEvents(responseEvents(input, deltas), current.chunkDelayMs, signal),
    };
  }

  function embeddings(body: Record<string, unknown>, model: string): Reply {
    const raw = body.input;
    const inputs: unknown[] = Array.isArray(raw) ? raw : [raw];
    if (inputs.length === 0 || !inputs.every((item) => typeof item === "string" && item !== "")) {
      return error(400, "'input' must be a non-empty string or an array of non-empty strings.", "input");
    }
    const dimensions = body.dimensions ?? defaultDimensions;
    if (typeof dimensions !== "number" || !Number.isInteger(dimensions) || dimensions < 1) {
      return error(400, "'dimensions' must be a positive integer.", "dimensions");
    }
    if (dimensions > MAX_EMBEDDING_DIMENSIONS) {
      return error(400, `This model does not support more than ${MAX_EMBEDDING_DIMENSIONS} dimensions.`);
    }
    const format = body.encoding_format ?? "float";
    if (format !== "float" && format !== "base64") {
      return error(400, "'encoding_format' must be 'float' or 'base64'.", "encoding_format");
    }
    const texts = inputs as string[];
    const tokens = texts.reduce((sum, text) => sum + countTokens(text), 0);
    return {
      status: 200,
      json: {
        object: "list",
        data: texts.map((text, index) => {
          const vector = embeddingVector(text, dimensions);
          return {
            object: "embedding",
            index,
            embedding: format === "base64" ? embeddingToBase64(vector) : vector,
          };
        }),
        model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      },
    };
  }

  type ModelRoute = (body: Record<string, unknown>, model: string, signal: AbortSignal) => Reply;
  const postRoutes: Record<string, ModelRoute> = {
    "/v1/chat/completions": chatCompletions,
    "/v1/responses": responses,
    "/v1/embeddings": embeddings,
  };

  /** The POST endpoints all take a JSON object with a `model`; check both before routing. */
  function post(route: ModelRoute, request: RecordedRequest, signal: AbortSignal): Reply {
    const body = request.json;
    if (!isObject(body)) return error(400, BAD_JSON_MESSAGE);
    const model = body.model;
    if (typeof model !== "string" || model === "") {
      return error(400, "you must provide a model parameter", "model");
    }
    return route(body, model, signal);
  }

  const modelObject = (id: string) => ({ id, object: "model", created: MODEL_CREATED, owned_by: "system" });

  function handle(request: RecordedRequest, signal: AbortSignal): Reply {
    const denied = authorize(request);
    if (denied) return denied;
    const postRoute = request.method === "POST" ? postRoutes[request.path] : undefined;
    if (postRoute) return post(postRoute, request, signal);
    if (request.method === "GET" && request.path === "/v1/models") {
      return { status: 200, json: { object: "list", data: models.map(modelObject) } };
    }
    const modelId = /^\/v1\/models\/(.+)$/.exec(request.path)?.[1];
    if (request.method === "GET" && modelId !== undefined) {
      if (models.includes(modelId)) return { status: 200, json: modelObject(modelId) };
      return error(404, `The model '${modelId}' does not exist`, "model", "model_not_found");
    }
    return error(404, `Invalid URL (${request.method} ${request.path})`);
  }

  const server = await startFakeServer({
    handle(request, signal) {
      const reply = handle(request, signal);
      // OpenAI tags every answer with its own request id; clients surface it in errors.
      return { ...reply, headers: { ...reply.headers, "x-request-id": `req_fake_${++requestCount}` } };
    },
    errorReply: (status, message) => error(status, message),
    onReset() {
      current = { ...initial };
      validKeys.reset();
    },
  });

  return {
    ...server,
    apiKey,
    issueApiKey: () => validKeys.issue(),
    revokeApiKey: (key) => validKeys.revoke(key),
    script(script) {
      checkScript(script);
      current = { ...current, ...script, chunkDelayMs: script.chunkDelayMs ?? current.chunkDelayMs };
    },
  };
}
