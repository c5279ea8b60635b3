import type { NextFunction, Request, Response } from "express";
import { randomBase64Url, randomHex } from "./random-pool.js";

export interface TraceContext {
  traceId: string;
  /** The span id of this gateway hop; sent upstream as the parent. */
  spanId: string;
  flags: string;
}

declare global {
  namespace Express {
    interface Locals {
      requestId: string;
      trace: TraceContext;
      startedAt: bigint;
      /** The exact bytes received, for Content-Digest; null when there was no body. */
      rawBody: Buffer | null;
      /** Set when the response is a problem, for metrics and logs. */
      problemCode?: string;
    }
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** W3C trace-context: continue the caller's trace when its header is valid, else start one. */
export function traceFrom(header: string | undefined): TraceContext {
  const match = header ? TRACEPARENT.exec(header.trim()) : null;
  const spanId = randomHex(8);
  if (match && !/^0+$/.test(match[1]!) && !/^0+$/.test(match[2]!)) {
    return { traceId: match[1]!, spanId, flags: match[3]! };
  }
  return { traceId: randomHex(16), spanId, flags: "01" };
}

export function traceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.flags}`;
}

/** Every response carries X-Request-Id: the caller's when it is sane, else a new one. */
export function requestContext() {
  return function requestContextMiddleware(req: Request, res: Response, next: NextFunction) {
    const given = req.get("x-request-id");
    const requestId = given && REQUEST_ID.test(given) ? given : `req_${randomBase64Url(12)}`;
    res.locals.requestId = requestId;
    res.locals.trace = traceFrom(req.get("traceparent"));
    res.locals.startedAt = process.hrtime.bigint();
    res.locals.rawBody = null;
    res.setHeader("X-Request-Id", requestId);
    next();
  };
}
