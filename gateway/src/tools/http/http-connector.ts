// The http tool: `POST /fetch` with `{url, method?, headers?, body?}` answers
// `{url, status, headers, body, bodyEncoding?, truncated?}` (docs/tools.md). Only allow-listed hosts, only
// public addresses (checked on the URL and again on the resolved address at connect time), only the allowed
// ports, every redirect hop re-checked and decided by the policy, the answer capped at maxResponseBytes and
// each hop at the tool's timeout.

import type { Config } from "../../config.js";
import { GatewayError } from "../../errors.js";
import { createForwarder, type Exchange } from "../../forward/forwarder.js";
import { combineObligations } from "../../forward/obligations.js";
import { cacheKey, createResponseCache } from "../../forward/response-cache.js";
import type { Obligations } from "../../policy/types.js";
import type { ConnectorDeps } from "../connector-deps.js";
import type { CallContext, ToolConnector } from "../types.js";
import { decodeBody } from "./decode-body.js";
import { checkDestination, type FetchRequest, parseFetchRequest } from "./fetch-request.js";
import { createGuardedLookup, type GuardedLookupOptions, type ResolveHost } from "./guarded-lookup.js";
import { createHostAllowList, normalizeHost, portOf } from "./host-allow-list.js";
import { redirectHop } from "./redirect-hop.js";

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

  /**
   * Follows redirects. Every hop is checked like the first request: allow-list (host and port), public
   * address, and the policy (ctx.authorizeHop, recorded like every decision). A hop never downgrades https
   * to http; a hop to another origin carries none of the agent's headers and no body (a 307/308 that would
   * resend a body elsewhere is refused). Resolves to the final answer and every hop's obligations.
   */
  async function follow(
    request: FetchRequest,
    ctx: CallContext,
  ): Promise<{ url: URL; exchange: Exchange; obligations: Obligations[]; redirected: boolean }> {
    let { url, method, headers, body } = request;
    const obligations: Obligations[] = [];
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
      if (location === undefined) return { url, exchange, obligations, redirected: hop > 0 };
      if (hop >= config.maxRedirects) {
        throw new GatewayError("upstream_error", `more than ${config.maxRedirects} redirects`);
      }
      const next = redirectHop({ url, method, headers, body }, exchange.status, location, allowList, guard);
      if (!ctx.authorizeHop) throw new GatewayError("upstream_error", "redirect refused: no policy to ask");
      obligations.push(
        await ctx.authorizeHop({
          ...fetchView(next),
          redirect: { from: url.href, status: exchange.status, hop: hop + 1 },
        }),
      );
      ({ url, method, headers, body } = next);
    }
  }

  return {
    name: "http",
    available: () => config.allowHosts.length > 0,

    /** `{url, method, headers, body, host, port}`, host lower-case for easy matching. */
    policyBody(call) {
      return fetchView(parseFetchRequest(call.json));
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
      let answerObligations = ctx.obligations;
      if (!envelope) {
        const { url, exchange, obligations, redirected } = await follow(request, ctx);
        // The answer comes from the last hop: what the policy asked for any hop applies to it too.
        answerObligations = obligations.reduce(combineObligations, ctx.obligations);
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
        // A redirected fetch is not cached: each hop must be decided again by the policy in force.
        const cacheable =
          exchange.status >= 200 && exchange.status < 300 && !exchange.truncated && !redirected;
        if (key !== undefined && cacheable) {
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
        { ...ctx, obligations: answerObligations },
      );
    },

    breakerState: () => forwarder.breakerState(),
    async close() {
      cache?.clear();
      await forwarder.close();
    },
  };
}

/** What the policy sees of one request of the tool (the agent's, or a redirect hop). */
function fetchView(request: Pick<FetchRequest, "url" | "method" | "headers" | "body">) {
  return {
    url: request.url.href,
    method: request.method,
    headers: request.headers,
    body: request.body,
    host: normalizeHost(request.url.hostname),
    port: portOf(request.url),
  };
}

function headerOf(exchange: Exchange, name: string): string | undefined {
  const value = Object.entries(exchange.headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value === undefined ? undefined : String(value);
}
