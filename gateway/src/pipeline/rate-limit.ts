// Stage 6: limits, applied after the policy so denied calls use no quota.
// The pipeline sees two small interfaces; limits/ implements them.
import type { Response } from "express";
import type { Agent } from "../store/types.js";

export interface CallLimiter {
  /**
   * Takes one unit of the agent's (and agent+tool) quota. Resolves to the RateLimit headers to send;
   * throws GatewayError("rate_limited") with Retry-After and RateLimit headers when over.
   */
  take(
    agent: Pick<Agent, "id" | "tier">,
    /** null for requests that are not tool calls: only the per-agent quota applies. */
    tool: string | null,
    override?: { points: number; duration_seconds: number },
  ): Promise<Record<string, string>>;
}

export interface BudgetHold {
  /** Settles with what was really used (undefined usage: the reserved estimate for calls, 0 on failure). */
  settle(outcome: { ok: boolean; tokens?: number }): Promise<void>;
}

export interface CallBudgets {
  /** Reserves budget for this call before it is forwarded; throws GatewayError("budget_exceeded") when over. */
  reserve(
    agent: Pick<Agent, "id" | "tier">,
    tool: string,
    action: string,
    requestJson: unknown,
  ): Promise<BudgetHold>;
}

/** Takes the agent's quota for a request that is not a tool call and sets the RateLimit headers. */
export async function limitAgentRequest(limiter: CallLimiter, res: Response): Promise<void> {
  const headers = await limiter.take(res.locals.agent!, null);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}
