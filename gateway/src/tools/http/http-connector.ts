// The http tool: `POST /fetch` with `{url, method?, headers?, body?}` answers
// `{url, status, headers, body, bodyEncoding?, truncated?}` (docs/tools.md). Only allow-listed hosts, only
// public addresses (checked on the URL and again on the resolved address at connect time), every redirect
// hop re-checked, the answer capped at maxResponseBytes and each hop at the tool's timeout.

import type { Config } from "../../config.js";
import { GatewayError } from "../../errors.js";
import { createForwarder, type Exchange } from "../../forward/forwarder.js";
import { cacheKey, createResponseCache } from "../../forward/response-cache.js";
import type { ConnectorDeps } from "../connector-deps.js";
import type { CallContext, ToolConnector } from "../types.js";
import { decodeBody } from "./decode-body.js";
import { checkDestination, type FetchRequest, parseFetchRequest } from "./fetch-request.js";
import { createGuardedLookup, type GuardedLookupOptions, type ResolveHost } from "./guarded-lookup.js";
import { createHostAllowList, normalizeHost } from "./host-allow-list.js";

export type HttpToolConfig = Config["tools"]["http"];

export interface HttpConnectorDeps extends ConnectorDeps {
  /** DNS resolver (tests map made-up names to addresses). */
  resolveHost?: ResolveHost;
  /** Addresses treated as public (tests only: the loopback fake website behind a made-up name). */
  exemptAddresses?: ReadonlySet<string>;
  /** Told whenever allowPrivate lets a private address through (the gateway logs it). */
  onPrivateAddress?(info: { host: string; address: string; reason: string }): void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function createHttpConnector(config: HttpToolConfig, deps: HttpConnectorDeps = {}): ToolConnector {
  const allowList = createHostAllowList(config.allowHosts);
  const guard: GuardedLookupOptions = {
    allowPrivate: config.allowPrivate,
    ...(deps.resolveHost ? { resolve: deps.resolveHost } : {}),
    ...(deps.exemptAddresses ? { exemptAddresses: deps.exemptAddresses } : {}),
    ...(deps.onPrivateAddress ? { onPrivate: deps.onPrivateAddress } : {}),
  };
  const forwarder = createForwarder({
    tool: "http",
    resilience: { ...config.resilience, cacheTtlSeconds: 0 },
    secrets: () => [],
    lookup: createGuardedLookup(guard),
    // A website's own 5xx is its answer, not the tool failing: only transport failures count.
    isFailureStatus: () => false,
    breakerPerOrigin: true,
    ...(deps.hooks ? { hooks: deps.hooks } : {}),
    ...(deps.random ? { random: deps.random } : {}),
  });
  // Whole fetches (after redirects) are cached, not single hops.
  const cache =
    config.resilience.cacheTtlSeconds > 0
      ? createResponseCache({ ttlSeconds: config.resilience.cacheTtlSeconds })
      : undefined;

  async function follow(request: FetchRequest, ctx: CallContext): Promise<{ url: URL; exchange: Exchange }> {
    let { url, method, body } = request;
    const headers = { ...request.headers };
    for (let hop = 0; ; hop++) {
      const exchange = await forwarder
        .exchange({ method, url, headers, body }, ctx, {
          idempotent: method === "GET" || method === "HEAD",
          truncateAt: config.maxResponseBytes,
        })
        .catch((error: unknown) => {
          // A hop the upstream chose, refused at connect time, is the upstream's fault, not the agent's.
          if (hop > 0 && error instanceof GatewayError && error.code === "invalid_request") {
            throw new GatewayError("upstream_error", `redirect refused: ${error.detail}`);
          }
          throw error;
        });
      const location = REDIRECTS.has(exchange.status) ? headerOf(exchange, "location") : undefined;
      if (location === undefined) return { url, exchange };
      if (hop >= config.maxRedirects) {
        throw new GatewayError("upstream_error", `more than ${config.maxRedirects} redirects`);
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new GatewayError("upstream_error", "the upstream redirected to an invalid URL");
      }
      checkDestination(next, allowList, guard, "upstream_error");
      // RFC 9110 §15.4: 303 (and, as browsers do, 301/302 after a POST) continue as a GET without a body.
      if (
        exchange.status === 303 ||
        ((exchange.status === 301 || exchange.status === 302) && method === "POST")
      ) {
        if (method !== "HEAD") method = "GET";
        body = null;
        delete headers["content-type"];
      }
      url = next;
    }
  }

  return {
    name: "http",
    available: () => config.allowHosts.length > 0,

    /** `{url, method, headers, body, host}`, host lower-case for easy matching. */
    policyBody(call) {
      const request = parseFetchRequest(call.json);
      return {
        url: request.url.href,
        method: request.method,
        headers: request.headers,
        body: request.body,
        host: normalizeHost(request.url.hostname),
      };
    },

    async forward(call, ctx) {
      if (config.allowHosts.length === 0) {
        throw new GatewayError("upstream_unavailable", "the http tool has no allowed hosts configured");
      }
      const request = parseFetchRequest(call.json);
      checkDestination(request.url, allowList, guard, "invalid_request");
      const key =
        cache && request.method === "GET"
          ? cacheKey({
              agentId: call.agentId,
              tool: "http",
              method: request.method,
              path: call.path,
              query: [],
              extra: [request.url.href, request.headers],
            })
          : undefined;
      let envelope = key === undefined ? undefined : cache?.get(key)?.body;
      const cached = envelope !== undefined;
      if (!envelope) {
        const { url, exchange } = await follow(request, ctx);
        if (!("body" in exchange)) throw new GatewayError("upstream_error", "unexpected streamed answer");
        const headers = forwarder.agentHeaders(exchange.headers);
        envelope = Buffer.from(
          JSON.stringify({
            url: url.href,
            status: exchange.status,
            headers,
            ...decodeBody(exchange.body, headers["content-type"]),
            ...(exchange.truncated ? { truncated: true } : {}),
          }),
        );
        if (key !== undefined && exchange.status >= 200 && exchange.status < 300 && !exchange.truncated) {
          cache?.set(key, { status: 200, headers: {}, body: envelope });
        }
      }
      return forwarder.respond(
        {
          status: 200,
          headers: { "content-type": "application/json; charset=utf-8" },
          body: envelope,
          truncated: false,
          cached,
        },
        ctx,
      );
    },

    breakerState: () => forwarder.breakerState(),
    async close() {
      cache?.clear();
      await forwarder.close();
    },
  };
}

function headerOf(exchange: Exchange, name: string): string | undefined {
  const value = Object.entries(exchange.headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value === undefined ? undefined : String(value);
}
