// Verify the RFC 9421 proof on the exact bytes received.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { GatewayError } from "../errors.js";
import { timeStage } from "../http/locals.js";
import type { SignatureVerifier } from "../httpsig/verifier.js";

export interface VerifySignatureDeps {
  verifier: SignatureVerifier;
  /** Called on every failure with the caller's address, e.g. to rate-limit unauthenticated failures. */
  onFailure?: (ip: string, error: GatewayError) => Promise<void>;
}

export function createVerifySignature({ verifier, onFailure }: VerifySignatureDeps): RequestHandler {
  return async function verifySignature(req: Request, res: Response, next: NextFunction) {
    const startedAt = process.hrtime.bigint();
    try {
      res.locals.signature = await verifier(
        {
          method: req.method,
          // req.host honours "trust proxy" (X-Forwarded-Host only when the proxy is trusted).
          authority: req.host ?? "",
          pathAndQuery: req.originalUrl,
          headers: req.headers,
          rawBody: res.locals.rawBody,
        },
        res.locals.prechecked,
      );
      timeStage(res.locals, "signature", startedAt);
      next();
    } catch (error) {
      timeStage(res.locals, "signature", startedAt);
      if (error instanceof GatewayError && onFailure) {
        try {
          await onFailure(req.ip ?? "unknown", error);
        } catch (limited) {
          return next(limited);
        }
      }
      next(error);
    }
  };
}

/**
 * Before the body is read: the signature headers parse, fit the profile and the clock, and
 * name an active key. Only then may the caller make the gateway receive and hold a body.
 */
export function createPrecheckSignature({ verifier, onFailure }: VerifySignatureDeps): RequestHandler {
  return async function precheckSignature(req: Request, res: Response, next: NextFunction) {
    const startedAt = process.hrtime.bigint();
    try {
      const declared = req.get("content-length");
      res.locals.prechecked = await verifier.precheck({
        method: req.method,
        authority: req.host ?? "",
        pathAndQuery: req.originalUrl,
        headers: req.headers,
        // Only a declared length is known now; a chunked body's digest is checked once it is read.
        declaresBody: declared !== undefined && declared !== "0",
      });
      timeStage(res.locals, "signature", startedAt);
      next();
    } catch (error) {
      timeStage(res.locals, "signature", startedAt);
      if (error instanceof GatewayError && onFailure) {
        try {
          await onFailure(req.ip ?? "unknown", error);
        } catch (limited) {
          return next(limited);
        }
      }
      next(error);
    }
  };
}
