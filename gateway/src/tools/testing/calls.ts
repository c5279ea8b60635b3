// Builds the ToolCall and CallContext the pipeline would hand a connector, for connector tests.
import type { Obligations } from "../../policy/types.js";
import { findTool, resolveAction } from "../catalog.js";
import type { CallContext, ToolCall } from "../types.js";

export interface CallInput {
  method?: string;
  query?: string;
  headers?: Record<string, string>;
  json?: unknown;
  agentId?: string;
}

export function toolCall(toolName: string, path: string, input: CallInput = {}): ToolCall {
  const tool = findTool(toolName);
  if (!tool) throw new Error(`no tool ${toolName}`);
  const method = input.method ?? (input.json === undefined ? "GET" : "POST");
  const action = resolveAction(tool, method, path);
  if (!action) throw new Error(`no ${toolName} action for ${method} ${path}`);
  const body = input.json === undefined ? null : Buffer.from(JSON.stringify(input.json));
  return {
    tool,
    action,
    method,
    path,
    query: input.query ?? "",
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...input.headers },
    body,
    json: input.json ?? null,
    agentId: input.agentId ?? "agt_test",
  };
}

export function callContext(
  options: {
    obligations?: Obligations;
    signal?: AbortSignal;
    /** Default: every hop allowed, without obligations. */
    authorizeHop?: CallContext["authorizeHop"];
  } = {},
): CallContext {
  return {
    requestId: "req-test-1",
    traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    signal: options.signal ?? new AbortController().signal,
    obligations: options.obligations ?? {},
    authorizeHop: options.authorizeHop ?? (async () => ({})),
  };
}

/** Fast resilience settings so failure tests finish quickly. */
export const FAST_RESILIENCE = {
  connectTimeoutMs: 1000,
  timeoutMs: 2000,
  retries: 2,
  backoffBaseMs: 5,
  backoffMaxMs: 50,
  breakerThreshold: 5,
  breakerHalfOpenAfterMs: 200,
  cacheTtlSeconds: 60,
};
