// The one thing a typed tool needs from the client: a tool call that manages the token.
import type { ToolCallOptions } from "../tool-call.js";

export type ToolCaller = (
  tool: string,
  method: string,
  path: string,
  options?: ToolCallOptions,
) => Promise<Response>;

/** Per-call options of every typed tool method. */
export type ToolMethodOptions = Pick<ToolCallOptions, "intent" | "signal" | "headers" | "retryOnRateLimit">;
