// What the pipeline hands every upstream call and what comes back. Shared by
// forward/ (which produces answers) and tools/ (whose connectors build on
// forward/), so it belongs to neither: dependencies stay one way,
// tools → forward → this module.
import type { Readable } from "node:stream";
import type { Obligations } from "./policy/types.js";

export interface CallContext {
  requestId: string;
  /** W3C traceparent to send upstream (this gateway hop as the parent). */
  traceparent: string;
  /** Aborted when the agent disconnects: cancel the upstream request. */
  signal: AbortSignal;
  obligations: Obligations;
  /**
   * Asks the policy about a further upstream request this call leads to (an http redirect hop), as it was
   * asked about the call, with `request.body` replaced by `body`; recorded like every decision. Resolves to
   * the hop's obligations; throws policy_denied when the policy does not allow it. Without it a connector
   * refuses such requests.
   */
  authorizeHop?: (body: unknown) => Promise<Obligations>;
}

export interface ToolResponse {
  status: number;
  /** Lower-case response headers, already filtered of hop-by-hop and upstream credentials. */
  headers: Record<string, string>;
  /** A buffered body, or a stream for SSE and other streaming answers. */
  body: Buffer | Readable;
  /** Usage the budget stage settles with, when the upstream reports it (e.g. OpenAI total_tokens). */
  usage?: Promise<{ tokens?: number } | undefined>;
  /** True when the answer came from the gateway's response cache. */
  cached?: boolean;
  /** True when the call failed though the HTTP status is a success (an MCP error answer): settle gives its budget back. */
  failed?: boolean;
}
