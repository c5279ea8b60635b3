// Hold the call's share of the agent's budgets before it is forwarded, so
// concurrent calls cannot overspend; the settle stage replaces the hold with
// what was really used.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Budgets } from "../limits/budgets.js";
import { requestedTokenCap } from "../limits/token-estimate.js";

export function createReserveBudget(budgets: Pick<Budgets, "reserve">): RequestHandler {
  return async function reserveBudget(_req: Request, res: Response, next: NextFunction) {
    try {
      const { tool, action } = res.locals.toolCall!;
      res.locals.budgetHold = await budgets.reserve({
        agent: res.locals.agent!,
        tool: tool.name,
        action: action.name,
        estimate: requestedTokenCap(res.locals.call!.json),
      });
      next();
    } catch (error) {
      next(error);
    }
  };
}
