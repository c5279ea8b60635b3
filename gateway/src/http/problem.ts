import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";
import { GatewayError, toProblem } from "../errors.js";
import { StoreUnavailableError } from "../store/types.js";
import { withClientErrorShape } from "./client-error-shapes.js";

export function sendProblem(res: Response, error: GatewayError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.locals.problemCode = error.code;
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res
    .status(error.status)
    .type("application/problem+json")
    .send(JSON.stringify(withClientErrorShape(res.req.path, toProblem(error, res.locals.requestId))));
}

/**
 * The last middleware: anything thrown becomes problem+json. Unknown errors are
 * logged with their stack and answered as a bare 500 that reveals nothing.
 */
export function problemHandler(logger: Logger) {
  // Express recognises error handlers by their four parameters.
  return function handleProblem(error: unknown, req: Request, res: Response, _next: NextFunction) {
    const known = asGatewayError(error);
    if (known) {
      sendProblem(res, known);
      return;
    }
    logger.error(
      { err: error, requestId: res.locals.requestId, method: req.method, path: req.path },
      "unhandled error",
    );
    sendProblem(res, new GatewayError("internal_error", "the gateway failed to handle this request"));
  };
}

/** Errors raised by express/body parsers carry a status; map client mistakes to our codes. */
function asGatewayError(error: unknown): GatewayError | null {
  if (error instanceof GatewayError) return error;
  if (error instanceof StoreUnavailableError) {
    // Fail closed: replay, revocation and budget checks cannot be made safely without it.
    const name = error.dependency === "redis" ? "Redis" : "PostgreSQL";
    return new GatewayError(
      "store_unavailable",
      error.message.startsWith(name)
        ? error.message
        : `${name} is unreachable, so this request cannot be checked safely; retry shortly`,
      { headers: { "Retry-After": String(error.retryAfterSeconds ?? 1) } },
    );
  }
  const status =
    (error as { status?: number; statusCode?: number }).status ??
    (error as { statusCode?: number }).statusCode;
  if (status === 413) return new GatewayError("payload_too_large", "the request body is too large");
  if (status === 400) return new GatewayError("invalid_request", "the request could not be parsed");
  if (error instanceof URIError)
    return new GatewayError("invalid_request", "the request path is not valid percent-encoding");
  return null;
}

export function notFound() {
  return function routeNotFound(req: Request, _res: Response, next: NextFunction) {
    next(new GatewayError("not_found", `no route for ${req.method} ${req.path}`));
  };
}
