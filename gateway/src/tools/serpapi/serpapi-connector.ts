// SerpAPI search. The gateway adds its `api_key` query parameter (any the agent sent is dropped) and caches
// answers per agent and query for `cacheTtlSeconds`.

import type { ApiKeySecret } from "../../credentials/secret-shapes.js";
import { createForwarder } from "../../forward/forwarder.js";
import { requestHeadersForUpstream } from "../../forward/headers.js";
import { cacheKey } from "../../forward/response-cache.js";
import type { ConnectorDeps, ToolResilience } from "../connector-deps.js";
import { type CredentialSource, credentialNameOf } from "../credential-source.js";
import type { ToolConnector } from "../types.js";
import { upstreamUrl } from "../upstream-url.js";

export interface SerpApiConnectorOptions {
  baseUrl: string;
  /** The API key, read per call: a rotation applies to the next call. */
  credential: CredentialSource<ApiKeySecret>;
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
  const { credential } = options;
  const forwarder = createForwarder({
    tool: "serpapi",
    origin: new URL(options.baseUrl).origin,
    resilience: options.resilience,
    secrets: () => credential.knownSecrets(),
    ...deps,
  });

  return {
    name: "serpapi",
    available: () => credential.available(),
    // A search is a GET: the policy decides on request.query; there is no body.
    policyBody: () => null,

    async forward(call, ctx) {
      const { name, secret } = await credential.resolve(credentialNameOf(ctx.obligations));
      const params = agentParams(call.query);
      const search = new URLSearchParams(params);
      search.set("api_key", secret.apiKey);
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
            // Another upstream account may answer differently (and is billed differently).
            extra: { credential: name },
          }),
        },
      );
      return forwarder.respond(exchange, ctx);
    },

    breakerState: () => forwarder.breakerState(),
    close: () => forwarder.close(),
  };
}
