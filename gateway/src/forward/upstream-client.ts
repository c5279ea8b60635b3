// One keep-alive connection pool per upstream, on undici (measured about 3x
// faster than axios on this path, see bench/forward.mjs). Every failure comes
// out as a GatewayError: timeouts as upstream_timeout (504), anything else on
// the wire as upstream_error (502). Nothing from the request (headers carry the
// credential) is ever put in an error.
import type { LookupFunction } from "node:net";
import type { Readable } from "node:stream";
import { Agent, type Dispatcher, Pool } from "undici";
import { GatewayError } from "../errors.js";
import type { RawHeaders } from "./headers.js";

export interface UpstreamClientOptions {
  /** The upstream's origin, e.g. `https://api.openai.com`: one pool for it. Omit for a client that may call any origin. */
  origin?: string;
  connectTimeoutMs: number;
  /** Longest silence while reading a response head or body. */
  timeoutMs: number;
  /** DNS lookup used for every connection (the http tool pins and checks addresses here). */
  lookup?: LookupFunction;
  /** Keep-alive connections per origin (default 32). */
  connections?: number;
}

export interface UpstreamRequest {
  method: string;
  url: URL;
  /** Final headers, lower-case; the client adds x-request-id, traceparent and accept-encoding. */
  headers: Record<string, string>;
  body?: Buffer | string | null;
}

export interface UpstreamTrace {
  requestId: string;
  traceparent: string;
}

export interface UpstreamSignals {
  /** Aborted on timeout and when the agent leaves: the one signal the request is sent with. */
  attempt: AbortSignal;
  /** Aborted only when the agent leaves; tells a cancellation from a timeout. */
  client: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: RawHeaders;
  body: Readable;
}

export interface UpstreamClient {
  request(req: UpstreamRequest, trace: UpstreamTrace, signals: UpstreamSignals): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

/** Where a request failed: "connect" means nothing reached the upstream, so even a POST may be retried. */
export type FailurePhase = "connect" | "response" | "cancelled";

/** A transport failure, with where it happened so resilience can decide whether a retry is safe. */
export class UpstreamFailure extends GatewayError {
  constructor(
    code: "upstream_timeout" | "upstream_error",
    detail: string,
    readonly phase: FailurePhase,
    cause?: unknown,
  ) {
    super(code, detail, { cause });
  }
}

const TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * Failures raised by the client before anything was sent, because of what the request held (a header value
 * undici or Node will not write, an unsupported header, a body whose length does not match): the caller's
 * request is at fault, not the upstream, so they are invalid_request and never count against a breaker.
 */
const LOCAL_CODES = new Set([
  "UND_ERR_INVALID_ARG",
  "UND_ERR_NOT_SUPPORTED",
  "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH",
  "ERR_INVALID_CHAR",
  "ERR_INVALID_HTTP_TOKEN",
  "ERR_HTTP_INVALID_HEADER_VALUE",
  "ERR_INVALID_ARG_TYPE",
  "ERR_INVALID_ARG_VALUE",
]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Turns whatever undici or the socket threw into an UpstreamFailure that is safe to show. */
export function toUpstreamFailure(error: unknown, signals: UpstreamSignals): GatewayError {
  if (error instanceof GatewayError) return error;
  if (signals.client.aborted) {
    return new UpstreamFailure(
      "upstream_error",
      "the request was cancelled by the client",
      "cancelled",
      error,
    );
  }
  const code = errorCode(error);
  if (code !== undefined && LOCAL_CODES.has(code)) {
    return new GatewayError("invalid_request", `the request cannot be sent upstream as given (${code})`, {
      cause: error,
    });
  }
  const phase: FailurePhase = code !== undefined && CONNECT_CODES.has(code) ? "connect" : "response";
  if (signals.attempt.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new UpstreamFailure("upstream_timeout", "the upstream did not answer in time", phase, error);
  }
  // A guard refusing a destination (e.g. the http tool's address check) says so in its own words.
  const refusal = (error as { refusal?: unknown } | null)?.refusal;
  if (refusal instanceof GatewayError) return refusal;
  const what = phase === "connect" ? "could not connect to the upstream" : "the upstream connection failed";
  return new UpstreamFailure("upstream_error", code ? `${what} (${code})` : what, phase, error);
}

function positive(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer`);
}

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  positive("connectTimeoutMs", options.connectTimeoutMs);
  positive("timeoutMs", options.timeoutMs);
  const connect = {
    timeout: options.connectTimeoutMs,
    ...(options.lookup ? { lookup: options.lookup } : {}),
  };
  const common = {
    connect,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 30_000,
  };
  let origin: string | undefined;
  let dispatcher: Dispatcher;
  if (options.origin !== undefined) {
    const url = new URL(options.origin);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError("origin must be an http or https URL");
    }
    origin = url.origin;
    dispatcher = new Pool(origin, { ...common, connections: options.connections ?? 32 });
  } else {
    dispatcher = new Agent({ ...common, connections: options.connections ?? 32 });
  }

  return {
    async request(req, trace, signals) {
      if (origin !== undefined && req.url.origin !== origin) {
        throw new TypeError(`this client only calls ${origin}`);
      }
      const headers: Record<string, string> = {
        ...req.headers,
        "x-request-id": trace.requestId,
        traceparent: trace.traceparent,
        "accept-encoding": "identity",
      };
      try {
        const response = await dispatcher.request({
          origin: req.url.origin,
          path: req.url.pathname + req.url.search,
          method: req.method as Dispatcher.HttpMethod,
          headers,
          body: req.body ?? null,
          signal: signals.attempt,
        });
        // Errors while the body streams (agent gone, upstream dropped) are reported by the body stream.
        return {
          status: response.statusCode,
          headers: response.headers,
          body: response.body,
        };
      } catch (error) {
        throw toUpstreamFailure(error, signals);
      }
    },
    async close() {
      await dispatcher.close();
    },
  };
}

/** Reads a whole body, refusing more than `maxBytes` (the caller decides whether that is an error). */
export async function readBody(
  body: Readable,
  maxBytes: number,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = maxBytes - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      body.destroy();
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}
