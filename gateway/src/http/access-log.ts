// One log line per request, written when the response finishes; headers are never
// logged (they carry credentials). The listener is one shared function (no closure
// per request) and builds nothing when the info level is off.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";

export function accessLog(logger: Logger): RequestHandler {
  function logFinished(this: Response): void {
    if (!logger.isLevelEnabled("info")) return;
    const { locals } = this;
    const ms = Number(process.hrtime.bigint() - locals.startedAt) / 1e6;
    logger.info(
      {
        requestId: locals.requestId,
        traceId: locals.trace.traceId,
        method: this.req.method,
        path: this.req.path,
        status: this.statusCode,
        ms: Math.round(ms * 10) / 10,
        ...(locals.agent ? { agentId: locals.agent.id } : {}),
        ...(locals.problemCode ? { code: locals.problemCode } : {}),
        ...(locals.decisionId ? { decisionId: locals.decisionId, allow: locals.decision?.allow } : {}),
      },
      "request",
    );
  }
  return function logRequest(_req: Request, res: Response, next: NextFunction) {
    res.on("finish", logFinished);
    next();
  };
}
