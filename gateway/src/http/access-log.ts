// One log line per request, written when the response finishes; headers are never
// logged (they carry credentials). The listener is one shared function (no closure
// per request) and builds nothing when the info level is off. The line's fields are fixed
// names with string, number and boolean values, so no redaction path can ever match one:
// it is written by a child logger without pino's redaction pass (about 5 µs a line).
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";

export function accessLog(logger: Logger): RequestHandler {
  const lines = logger.child({}, { redact: [] });
  function logFinished(this: Response): void {
    if (!lines.isLevelEnabled("info")) return;
    const { locals } = this;
    const ms = Number(process.hrtime.bigint() - locals.startedAt) / 1e6;
    lines.info(
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
