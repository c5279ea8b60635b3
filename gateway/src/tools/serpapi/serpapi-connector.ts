// SerpAPI search. The gateway adds its `api_key` query parameter (any the agent sent is dropped) and caches
// answers per agent and query for `cacheTtlSeconds`.
import { createForwarder } from "../../forward/forwarder.js";
import { requestHeadersForUpstream } from "../../forward/headers.js";
import { cacheKey } from "../../forward/response-cache.js";
import type { ConnectorDeps, ToolResilience } from "../connector-deps.js";
import { notConfigured } from "../not-configured.js";
import type { ToolConnector } from "../types.js";
import { upstreamUrl } from "../upstream-url.js";

export interface SerpApiConnectorOptions {
  baseUrl: string;
  apiKey: string | undefined;
  resilience: ToolResilience;
}

/** The agent's query parameters without any `api_key` it sent. */
function agentParams(query: string): Array<[string, string]> {
  return [...new URLSearchParams(query)].filter(([name]) => name !== "api_key");
}

export function createSerpApiConnector(
  options: SerpApiConnectorOptions,
  deps: ConnectorDeps = {},
): ToolConnector {
  const { apiKey } = options;
  const forwarder = createForwarder({
    tool: "serpapi",
    origin: new URL(options.baseUrl).origin,
    resilience: options.resilience,
    secrets: () => (apiKey ? [apiKey] : []),
    ...deps,
  });

  return {
    name: "serpapi",
    available: () => apiKey !== undefined,
    // A search is a GET: the policy decides on request.query; there is no body.
    policyBody: () => null,

    async forward(call, ctx) {
      if (apiKey === undefined) throw notConfigured("serpapi");
      const params = agentParams(call.query);
      const search = new URLSearchParams(params);
      search.set("api_key", apiKey);
      const exchange = await forwarder.exchange(
        {
          method: call.method,
          url: upstreamUrl(options.baseUrl, call.path, search.toString()),
          headers: requestHeadersForUpstream(call.headers),
        },
        ctx,
        {
          idempotent: call.action.idempotent,
          cacheKey: cacheKey({
            agentId: call.agentId,
            tool: "serpapi",
            method: call.method,
            path: call.path,
            query: params,
          }),
        },
      );
      return forwarder.respond(exchange, ctx);
    },

    breakerState: () => forwarder.breakerState(),
    close: () => forwarder.close(),
  };
}
