// Limits. The agent's own quota is taken by `limitAgent` for every signed request as soon as its agent is
// known, BEFORE any policy is asked: a flood of requests the policy denies costs the flooder its quota (and
// then costs the gateway almost nothing), never the gateway's CPU and disk without bound. The tool-call
// stage `limit` takes the agent+tool quota after the policy, since a policy's rate_limit obligation may
// replace that rule, and admits the call into the agent's calls in flight to the tool.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { CallConcurrency } from "../limits/concurrency.js";
import type { RateLimits } from "../limits/rate-limits.js";

/** Every signed request (mounted right after resolveAgent): one unit of the agent's quota. */
export function createLimitAgent(rateLimits: Pick<RateLimits, "checkAgent">): RequestHandler {
  return async function limitAgent(_req: Request, res: Response, next: NextFunction) {
    try {
      addRateLimitHeaders(res, await rateLimits.checkAgent(res.locals.agent!));
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** The tool-call stage: one unit of the agent+tool quota, and a place among the agent's calls in flight. */
export function createLimit(
  rateLimits: Pick<RateLimits, "checkTool">,
  concurrency: CallConcurrency,
): RequestHandler {
  return async function limit(_req: Request, res: Response, next: NextFunction) {
    try {
      const agent = res.locals.agent!;
      const tool = res.locals.toolCall!.tool.name;
      addRateLimitHeaders(
        res,
        await rateLimits.checkTool(agent, tool, res.locals.decision?.obligations.rate_limit ?? null),
      );
      const release = await concurrency.enter(agent, tool);
      // "close" fires once the answer is complete (a stream included) or the agent has gone.
      res.once("close", release);
      next();
    } catch (error) {
      next(error);
    }
  };
}

/**
 * Adds RateLimit-Policy / RateLimit members to those already set: both are Structured Field Lists, so the
 * tool-call stage's `agent-tool` policy joins the agent's instead of replacing it.
 */
export function addRateLimitHeaders(res: Response, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    const existing = res.getHeader(name);
    const listField = /^ratelimit(-policy)?$/i.test(name);
    res.setHeader(name, listField && typeof existing === "string" ? `${existing}, ${value}` : value);
  }
}
