// Rate limits, applied after the policy so denied requests use no quota. A
// policy's rate_limit obligation replaces the agent+tool rule for the call.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { RateLimits } from "../limits/rate-limits.js";

/** The tool-call stage: one unit of the agent's and the agent+tool quota. */
export function createLimit(rateLimits: Pick<RateLimits, "checkAgent">): RequestHandler {
  return async function limit(_req: Request, res: Response, next: NextFunction) {
    try {
      const headers = await rateLimits.checkAgent(
        res.locals.agent!,
        res.locals.toolCall!.tool.name,
        res.locals.decision?.obligations.rate_limit ?? null,
      );
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** The same limit for signed requests that are not tool calls (only the per-agent quota applies). */
export async function limitAgentRequest(
  rateLimits: Pick<RateLimits, "checkAgent">,
  res: Response,
): Promise<void> {
  const headers = await rateLimits.checkAgent(res.locals.agent!, null);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}
