// The forwarding path every connector shares: response cache → resilience (retry, breaker, timeout) →
// undici → an answer for the agent with filtered headers, secrets scrubbed, obligations applied and usage
// read. Connectors only build the upstream request (credential, path, query) and decide what is cacheable.
import type { LookupFunction } from "node:net";
import { pipeline, type Readable } from "node:stream";
import type { CallContext, ToolResponse } from "../call-context.js";
import { GatewayError } from "../errors.js";
import { type RawHeaders, responseHeadersForAgent } from "./headers.js";
import { applyToBody, compileObligations, isJsonType } from "./obligations.js";
import {
  type BreakerState,
  createResilience,
  type Resilience,
  type ResilienceHooks,
  type ResilienceOptions,
} from "./resilience.js";
import { createResponseCache, type ResponseCache } from "./response-cache.js";
import { scrubSecrets } from "./scrub-secrets.js";
import { createSseStream, type SseStreamOptions } from "./sse-stream.js";
import {
  createUpstreamClient,
  readBody,
  toUpstreamFailure,
  type UpstreamClient,
  type UpstreamRequest,
  type UpstreamSignals,
} from "./upstream-client.js";
import { type Usage, usageFrom } from "./usage.js";

/** Metrics and log hooks; services.ts wires prom-client counters onto these. None may throw. */
export type ForwardHooks = ResilienceHooks;

export interface ForwarderOptions {
  tool: string;
  /** The upstream origin (a keep-alive pool for it); omit for a forwarder that may call any origin. */
  origin?: string;
  resilience: ResilienceOptions & { connectTimeoutMs: number; cacheTtlSeconds: number };
  /** Values that must never reach an agent (scrubbed from bodies, headers carrying one are dropped). */
  secrets: () => readonly string[];
  hooks?: ForwardHooks;
  /** Which upstream statuses count against the breaker (default: 500 and above). */
  isFailureStatus?: (status: number) => boolean;
  /**
   * One circuit breaker per upstream origin instead of one for the tool, for a forwarder that calls many
   * origins (the http tool): one failing site, or one an agent points at a closed port, pauses only itself.
   */
  breakerPerOrigin?: boolean;
  lookup?: LookupFunction;
  /** Largest buffered answer (default 32 MiB); larger is upstream_error unless a call allows truncation. */
  maxBodyBytes?: number;
  /** Cache bounds (defaults in response-cache.ts). */
  cacheMaxEntries?: number;
  /** Random number in [0, 1) for backoff jitter. */
  random?: () => number;
}

/** One upstream answer: buffered, or a live SSE stream. */
export type Exchange =
  | { status: number; headers: RawHeaders; body: Buffer; truncated: boolean; cached: boolean }
  | { status: number; headers: RawHeaders; stream: Readable };

export interface ExchangeOptions {
  idempotent: boolean;
  /** Pass a 2xx `text/event-stream` answer through as a stream instead of buffering it. */
  stream?: boolean;
  /** Look up and store the answer under this key (see response-cache.ts `cacheKey`). */
  cacheKey?: string;
  /** Buffer at most this many bytes and flag the rest as truncated instead of failing. */
  truncateAt?: number;
}

export interface Forwarder {
  exchange(request: UpstreamRequest, ctx: CallContext, options: ExchangeOptions): Promise<Exchange>;
  /** The agent's answer: filtered headers, secrets scrubbed, obligations applied, usage read. */
  respond(exchange: Exchange, ctx: CallContext, options?: SseStreamOptions): ToolResponse;
  /** The response headers the agent may see. */
  agentHeaders(headers: RawHeaders): Record<string, string>;
  breakerState(): BreakerState;
  close(): Promise<void>;
}

/** Origins whose breakers a per-origin forwarder keeps at once. */
const MAX_ORIGIN_BREAKERS = 1024;

function headerValue(headers: RawHeaders, name: string): string | undefined {
  const raw = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return raw === undefined ? undefined : Array.isArray(raw) ? raw.join(", ") : String(raw);
}

export function createForwarder(options: ForwarderOptions): Forwarder {
  const { tool, hooks = {} } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const client: UpstreamClient = createUpstreamClient({
    ...(options.origin === undefined ? {} : { origin: options.origin }),
    connectTimeoutMs: options.resilience.connectTimeoutMs,
    timeoutMs: options.resilience.timeoutMs,
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
  const newResilience = () =>
    createResilience({
      ...options.resilience,
      tool,
      hooks,
      ...(options.isFailureStatus ? { isFailureStatus: options.isFailureStatus } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
  const shared = options.breakerPerOrigin ? undefined : newResilience();
  // Per origin: most recently used last; the least recently used is forgotten beyond the bound.
  const byOrigin = new Map<string, Resilience>();
  const resilienceFor = (url: URL): Resilience => {
    if (shared) return shared;
    let found = byOrigin.get(url.origin);
    if (found) byOrigin.delete(url.origin);
    else found = newResilience();
    byOrigin.set(url.origin, found);
    if (byOrigin.size > MAX_ORIGIN_BREAKERS) byOrigin.delete(byOrigin.keys().next().value!);
    return found;
  };
  const cache: ResponseCache | undefined =
    options.resilience.cacheTtlSeconds > 0
      ? createResponseCache({
          ttlSeconds: options.resilience.cacheTtlSeconds,
          ...(options.cacheMaxEntries ? { maxEntries: options.cacheMaxEntries } : {}),
        })
      : undefined;

  async function attempt(
    request: UpstreamRequest,
    ctx: CallContext,
    signals: UpstreamSignals,
    exchangeOptions: ExchangeOptions,
  ): Promise<Exchange> {
    const response = await client.request(request, ctx, signals);
    const contentType = headerValue(response.headers, "content-type") ?? "";
    const ok = response.status >= 200 && response.status < 300;
    if (exchangeOptions.stream && ok && /^text\/event-stream\b/i.test(contentType)) {
      return { status: response.status, headers: response.headers, stream: response.body };
    }
    const limit = exchangeOptions.truncateAt ?? maxBodyBytes;
    let read: { bytes: Buffer; truncated: boolean };
    try {
      read = await readBody(response.body, limit);
    } catch (error) {
      throw toUpstreamFailure(error, signals);
    }
    if (read.truncated && exchangeOptions.truncateAt === undefined) {
      throw new GatewayError("upstream_error", `the upstream answer is larger than ${maxBodyBytes} bytes`);
    }
    return {
      status: response.status,
      headers: response.headers,
      body: read.bytes,
      truncated: read.truncated,
      cached: false,
    };
  }

  return {
    async exchange(request, ctx, exchangeOptions) {
      const { cacheKey } = exchangeOptions;
      if (cache && cacheKey !== undefined) {
        const hit = cache.get(cacheKey);
        if (hit) return { ...hit, truncated: false, cached: true };
      }
      const exchange = await resilienceFor(request.url).execute(
        (attemptSignal) =>
          attempt(request, ctx, { attempt: attemptSignal, client: ctx.signal }, exchangeOptions),
        { idempotent: exchangeOptions.idempotent, signal: ctx.signal },
      );
      if (cache && cacheKey !== undefined && "body" in exchange && !exchange.truncated) {
        cache.set(cacheKey, {
          status: exchange.status,
          headers: responseHeadersForAgent(exchange.headers, options.secrets()),
          body: exchange.body,
        });
      }
      return exchange;
    },

    respond(exchange, ctx, respondOptions = {}) {
      const secrets = options.secrets();
      const headers = responseHeadersForAgent(exchange.headers, secrets);
      const compiled = compileObligations(ctx.obligations);
      if ("stream" in exchange) {
        const sse = createSseStream(compiled, secrets, respondOptions);
        // pipeline destroys both sides on error or early close, so an agent leaving cancels the upstream.
        pipeline(exchange.stream, sse.transform, () => {});
        return { status: exchange.status, headers, body: sse.transform, usage: sse.usage };
      }
      let body = scrubSecrets(exchange.body, secrets);
      const contentType = headers["content-type"];
      let usage: Usage | undefined;
      if (isJsonType(contentType)) {
        try {
          usage = usageFrom(JSON.parse(body.toString("utf8")));
        } catch {
          usage = undefined; // Malformed JSON is passed on as sent unless obligations must read it.
        }
      }
      if (compiled) body = applyToBody(body, contentType, compiled);
      return {
        status: exchange.status,
        headers,
        body,
        usage: Promise.resolve(usage),
        ...(exchange.cached ? { cached: true } : {}),
      };
    },

    agentHeaders(raw) {
      return responseHeadersForAgent(raw, options.secrets());
    },

    breakerState() {
      if (shared) return shared.breakerState();
      // The tool's worst origin, for the one gauge per tool.
      const states = new Set([...byOrigin.values()].map((r) => r.breakerState()));
      return states.has("open") ? "open" : states.has("half-open") ? "half-open" : "closed";
    },

    async close() {
      cache?.clear();
      await client.close();
    },
  };
}
