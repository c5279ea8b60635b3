// Per-request state the pipeline stages hand to each other, typed through
// Express.Locals declaration merging (no casts in the stages).

import type { PrecheckedSignature, VerifiedSignature } from "../httpsig/verifier.js";
import type { BudgetHold } from "../limits/budgets.js";
import type { McpRequest } from "../mcp/mcp-request.js";
import type { Decision, Obligations } from "../policy/types.js";
import type { Agent, AgentKey } from "../store/types.js";
import type { VerifiedToolToken } from "../tokens/verify-token.js";
import type { ActionSpec, ToolSpec } from "../tools/catalog.js";
import type { ToolCall, ToolConnector, ToolResponse } from "../tools/types.js";

export interface ResolvedToolCall {
  tool: ToolSpec;
  action: ActionSpec;
  /** Path after /v1/tools/{tool}, without the query. */
  path: string;
  /** Raw query string without "?". */
  query: string;
}

/** What the record stage needs to describe the request in metrics. */
export type RouteClass = "admin" | "agent" | "tool" | "token" | "ops";

declare global {
  namespace Express {
    interface Locals {
      routeClass?: RouteClass;
      /** The active key a well-formed signature names, known before the body is read, and the parsed headers. */
      prechecked?: PrecheckedSignature;
      /** Who an admin request authenticated as ("admin" for the bearer token, "console:…" for a console session). */
      adminActor?: string;
      signature?: VerifiedSignature;
      agent?: Agent;
      agentKey?: AgentKey;
      toolCall?: ResolvedToolCall;
      token?: VerifiedToolToken;
      decision?: Decision;
      /** The call as its connector will forward it (set by authorize, which reads its body for the policy). */
      call?: ToolCall;
      connector?: ToolConnector;
      /** Asks the policy about a redirect hop of this call (set by authorize, handed to the connector). */
      authorizeHop?: (body: unknown) => Promise<Obligations>;
      /** Budget reserved for this call; settle gives back what was not used. */
      budgetHold?: BudgetHold;
      /** The upstream's answer once forwarded (the settle stage reads its usage). */
      answer?: ToolResponse;
      /** A request to /v1/mcp/{name}, as resolveMcpCall read it. */
      mcp?: McpRequest;
      /** Seconds spent per stage, for the stage-latency histogram. */
      stageSeconds?: Partial<Record<"signature" | "token" | "policy" | "upstream", number>>;
    }
  }
}

export function timeStage(
  locals: Express.Locals,
  stage: "signature" | "token" | "policy" | "upstream",
  startedAt: bigint,
): void {
  locals.stageSeconds ??= {};
  locals.stageSeconds[stage] =
    (locals.stageSeconds[stage] ?? 0) + Number(process.hrtime.bigint() - startedAt) / 1e9;
}
