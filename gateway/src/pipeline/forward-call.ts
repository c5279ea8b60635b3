// Hand the call to its connector and write the tool's answer back, streaming
// where the tool streams, cancelling upstream if the agent goes away.
import { pipeline } from "node:stream/promises";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { watchClientGone } from "../http/client-gone.js";
import { timeStage } from "../http/locals.js";
import { traceparent } from "../http/request-context.js";

export function createForward(): RequestHandler {
  return async function forward(_req: Request, res: Response, next: NextFunction) {
    const clientGone = watchClientGone(res);
    const startedAt = process.hrtime.bigint();
    try {
      const answer = await res.locals.connector!.forward(res.locals.call!, {
        requestId: res.locals.requestId,
        traceparent: traceparent(res.locals.trace),
        signal: clientGone.signal,
        obligations: res.locals.decision!.obligations,
        ...(res.locals.authorizeHop ? { authorizeHop: res.locals.authorizeHop } : {}),
      });
      res.locals.answer = answer;
      res.status(answer.status);
      for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
      if (answer.cached) res.setHeader("X-Agentgw-Cache", "hit");
      if (Buffer.isBuffer(answer.body)) {
        res.end(answer.body);
      } else {
        res.flushHeaders();
        // pipeline() gives back-pressure and destroys the upstream stream if the agent disconnects.
        await pipeline(answer.body, res).catch(() => clientGone.abort());
      }
    } catch (error) {
      return next(error);
    } finally {
      timeStage(res.locals, "upstream", startedAt);
      clientGone.release();
    }
    next();
  };
}
