// Settle the budget hold with what the upstream reports it used, once the agent
// has the whole answer; a call that failed anywhere after the hold gives it back.
// The last stage: it ends the chain, so nothing after it may answer the request.
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from "express";
import type { Budgets } from "../limits/budgets.js";

/** [settle after an answer, settle after a failure]: mount both, in that order, after forward. */
export function createSettle(budgets: Pick<Budgets, "settle">): [RequestHandler, ErrorRequestHandler] {
  return [
    async function settle(_req: Request, res: Response, next: NextFunction) {
      const hold = res.locals.budgetHold;
      const answer = res.locals.answer;
      if (!hold || !answer) return;
      res.locals.budgetHold = undefined;
      try {
        const usage = await answer.usage?.catch(() => undefined);
        await budgets.settle(hold, {
          ok: answer.status < 400 && !answer.failed,
          ...(usage?.tokens === undefined ? {} : { tokens: usage.tokens }),
        });
      } catch (error) {
        next(error);
      }
    },
    async function settleAfterFailure(error: unknown, _req: Request, res: Response, next: NextFunction) {
      const hold = res.locals.budgetHold;
      res.locals.budgetHold = undefined;
      if (hold) {
        try {
          await budgets.settle(hold, { ok: false });
        } catch (settleError) {
          return next(settleError);
        }
      }
      next(error);
    },
  ];
}
