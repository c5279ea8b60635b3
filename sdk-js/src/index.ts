export type * from "./api-types.js";
export { waitForApproval } from "./approvals.js";
export * from "./axios.js";
export * from "./client.js";
export * from "./encoding.js";
export * from "./errors.js";
export * from "./httpsig/index.js";
export * from "./keys.js";
export * from "./signed-fetch.js";
export {
  DEFAULT_REFRESH_BEFORE_MS,
  type StoredToolToken,
  type TokenForOptions,
  ToolTokenCache,
  type ToolTokenStore,
} from "./tokens/token-cache.js";
export type { RetryOnRateLimit, ToolCallOptions } from "./tool-call.js";
export type { ToolFetchOptions } from "./tool-fetch.js";
export { clientBasePath, isToolName, scopeFor } from "./tools/catalog.js";
export type * from "./tools/gmail.js";
export type * from "./tools/http.js";
export { chatCompletionChunks, type OpenAiTool } from "./tools/openai.js";
export type * from "./tools/openai-types.js";
export {
  buildRfc2822Message,
  type EmailMessage,
  encodeHeaderText,
  encodeRawMessage,
} from "./tools/rfc2822.js";
export type * from "./tools/serpapi.js";
export { parseServerSentEvents, type ServerSentEvent } from "./tools/sse.js";
export type { ToolMethodOptions } from "./tools/tool-caller.js";
