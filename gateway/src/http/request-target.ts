import type { NextFunction, Request, Response } from "express";
import { GatewayError } from "../errors.js";

/**
 * Refuses a request-target holding "#". A fragment never belongs on the wire (RFC 9110
 * §7.1: clients strip it), and RFC 9421 leaves it out of @path and @query: letting it
 * through would let unsigned text ride behind signed parameters ("?q=a#&q=evil").
 */
export function refuseFragment() {
  return function refuseFragmentInTarget(req: Request, _res: Response, next: NextFunction) {
    if (req.originalUrl.includes("#")) {
      return next(
        new GatewayError("invalid_request", "the request-target must not contain '#' (a fragment)"),
      );
    }
    next();
  };
}
