// Hold the call's share of the agent's budgets before it is forwarded, so
// concurrent calls cannot overspend; the settle stage replaces the hold with
// what was really used. Under a tokens budget the hold is the most the call
// can use, as its connector bounds it (and the call is sent as bounded: with an
// output cap where the agent named none), never a figure the agent chose.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Budgets } from "../limits/budgets.js";

export function createReserveBudget(budgets: Pick<Budgets, "reserve" | "countsTokens">): RequestHandler {
  return async function reserveBudget(_req: Request, res: Response, next: NextFunction) {
    try {
      const { tool, action } = res.locals.toolCall!;
      const agent = res.locals.agent!;
      const connector = res.locals.connector;
      let estimate: number | undefined;
      if (budgets.countsTokens(agent, tool.name, action.name) && connector?.boundTokens) {
        const bounded = connector.boundTokens(res.locals.call!);
        res.locals.call = bounded.call;
        estimate = bounded.tokens;
      }
      res.locals.budgetHold = await budgets.reserve({
        agent,
        tool: tool.name,
        action: action.name,
        estimate,
      });
      next();
    } catch (error) {
      next(error);
    }
  };
}
