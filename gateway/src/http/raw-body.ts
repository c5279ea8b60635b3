import type { NextFunction, Request, Response } from "express";
import { GatewayError } from "../errors.js";
import { parseJsonDocument } from "./json-body.js";
import type { UploadSlots } from "./upload-slots.js";

export interface RawBodyOptions {
  /** Bodies received at once; without it, unbounded. */
  slots?: UploadSlots;
  /** Whose slot a request takes (e.g. the signing key); default the source address. */
  callerOf?: (req: Request, res: Response) => string;
}

/**
 * Reads the body as raw bytes (capped) before anything parses it: signatures
 * digest the exact bytes received, and JSON is parsed from the same buffer later.
 * Mounted after the cheap credential checks, so strangers never make the gateway hold a body.
 */
export function readRawBody(limitBytes: number, options: RawBodyOptions = {}) {
  const { slots, callerOf = (req: Request) => req.ip ?? "unknown" } = options;
  return function readBody(req: Request, res: Response, next: NextFunction) {
    const declared = req.get("content-length");
    const hasBody =
      (declared !== undefined && declared !== "0") || req.get("transfer-encoding") !== undefined;
    if (!hasBody) return next();
    // Bodies are digested, judged by the policy and forwarded as received: a compressed body
    // would be judged unread, and decompressing it would bound nothing (a gzip bomb), so only
    // identity encoding is accepted.
    const encoding = (req.get("content-encoding") ?? "").trim().toLowerCase();
    if (encoding !== "" && encoding !== "identity") {
      req.resume();
      return next(
        new GatewayError("unsupported_encoding", "send the request body uncompressed (no Content-Encoding)", {
          headers: { "Accept-Encoding": "identity" },
        }),
      );
    }
    if (declared !== undefined && Number(declared) > limitBytes) {
      req.resume();
      return next(tooLarge(limitBytes));
    }
    const release = slots ? slots.acquire(callerOf(req, res)) : () => {};
    if (!release) {
      req.resume();
      return next(
        new GatewayError(
          "rate_limited",
          "too many request bodies are being received at once; retry shortly",
          {
            headers: { "Retry-After": "1" },
          },
        ),
      );
    }
    // The slot is held until the body is read or the request dies (aborted, timed out).
    req.once("close", release);
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limitBytes) {
        failed = true;
        release();
        next(tooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      release();
      if (failed) return;
      res.locals.rawBody = size === 0 ? null : Buffer.concat(chunks, size);
      next();
    });
    req.on("error", (error) => {
      release();
      if (failed) return;
      failed = true;
      next(new GatewayError("invalid_request", "the request body could not be read", { cause: error }));
    });
  };
}

function tooLarge(limitBytes: number): GatewayError {
  return new GatewayError(
    "payload_too_large",
    `the request body is larger than the limit of ${limitBytes} bytes`,
  );
}

/** Parses the raw body as JSON; a clear 400 for anything else. Absent body → undefined. */
export function parseJsonBody(req: Request, res: Response): unknown {
  const raw = res.locals.rawBody;
  if (!raw) return undefined;
  const type = req.get("content-type") ?? "";
  if (!/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type)) {
    throw new GatewayError(
      "invalid_request",
      "the request body must be JSON (Content-Type: application/json)",
    );
  }
  return parseJsonDocument(raw);
}
