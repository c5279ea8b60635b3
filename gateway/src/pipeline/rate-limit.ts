// Limits. The agent's own quota is taken by the `limitAgent` stage for every signed request as soon as the
// agent is known, BEFORE the policy: a flood of requests the policy denies costs the flooder its quota (and
// then costs the gateway almost nothing), never the gateway's CPU and disk unbounded. The agent+tool quota
// is taken after the policy, since a policy obligation (`rate_limit`) may replace it.
// The pipeline sees small interfaces; limits/ implements them.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Agent } from "../store/types.js";

export interface CallLimiter {
  /**
   * Takes one unit of the agent's quota. Resolves to the RateLimit headers to send;
   * throws GatewayError("rate_limited") with Retry-After and RateLimit headers when over.
   */
  takeAgent(agent: Pick<Agent, "id" | "tier">): Promise<Record<string, string>>;
  /** Takes one unit of the agent+tool quota (the tier's, or the policy's override); same answers. */
  takeTool(
    agent: Pick<Agent, "id" | "tier">,
    tool: string,
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

/** Stage 2b (every signed request): the agent's quota, before any policy is asked. */
export function createLimitAgent(limiter: CallLimiter): RequestHandler {
  return async function limitAgent(_req: Request, res: Response, next: NextFunction) {
    try {
      addRateLimitHeaders(res, await limiter.takeAgent(res.locals.agent!));
      next();
    } catch (error) {
      next(error);
    }
  };
}

/**
 * Adds RateLimit-Policy / RateLimit members to those already set: both are Structured Field Lists, so a
 * later stage's policies (agent-tool) join the agent's instead of replacing them.
 */
export function addRateLimitHeaders(res: Response, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    const existing = res.getHeader(name);
    const listField = /^ratelimit(-policy)?$/i.test(name);
    res.setHeader(name, listField && typeof existing === "string" ? `${existing}, ${value}` : value);
  }
}
