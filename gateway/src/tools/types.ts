// The seam between the request pipeline and the tool connectors. The pipeline
// has verified the signature, token, scopes and policy by the time a connector
// sees a call; a connector only knows how to talk to its upstream.
import type { CallContext, ToolResponse } from "../call-context.js";
import type { ActionSpec, ToolSpec } from "./catalog.js";

// Connectors name these through this seam; they live in ../call-context.ts, shared with forward/.
export type { CallContext, ToolResponse } from "../call-context.js";

export interface ToolCall {
  tool: ToolSpec;
  action: ActionSpec;
  method: string;
  /** The path after `/v1/tools/{tool}`, e.g. `/v1/chat/completions` (no query). */
  path: string;
  /** The raw query string without `?` ("" when none). */
  query: string;
  /** Request headers, lower-case, already stripped of the agent's credentials, signatures, cookies and hop-by-hop headers. */
  headers: Record<string, string>;
  /** Exact bytes the agent sent (null when none). */
  body: Buffer | null;
  /** The body parsed as JSON when it is JSON, else null. */
  json: unknown;
  agentId: string;
  /**
   * The gateway asked the upstream for stream usage (OpenAI `stream_options.include_usage`) that the agent
   * did not ask for: the usage-only event is read for the budget and left out of the agent's stream.
   */
  hideStreamUsage?: boolean;
}

export interface ToolConnector {
  readonly name: string;
  /** False when credentials are missing: the tool is listed as unavailable and answers upstream_unavailable. */
  available(): boolean;
  /**
   * What the policy sees as `input.request.body`: the parsed request, reduced to what a policy should decide on
   * (e.g. Gmail send → {to, cc, bcc, subject}, never the raw message). Throws GatewayError(invalid_request) for
   * a body the tool could not accept.
   */
  policyBody(call: ToolCall): unknown;
  /**
   * For tokens budgets: the most tokens this call can use, and the call to send instead (e.g. with an output
   * cap the agent did not name), so the reservation is an upper bound. Throws GatewayError(invalid_request)
   * for a call whose use cannot be bounded. Absent: the tool has no token usage to bound.
   */
  boundTokens?(call: ToolCall): { call: ToolCall; tokens: number };
  /** Forwards the call upstream with the tool's credential added, applying resilience and obligations. */
  forward(call: ToolCall, ctx: CallContext): Promise<ToolResponse>;
  /** Circuit-breaker state for metrics: "closed" | "open" | "half-open". */
  breakerState?(): string;
  close?(): Promise<void>;
}
