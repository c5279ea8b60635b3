// OpenAI: chat completions, responses, embeddings and the models list, with the gateway's API key as a
// bearer token. `stream: true` answers pass through as Server-Sent Events.

import type { ApiKeySecret } from "../../credentials/secret-shapes.js";
import { GatewayError } from "../../errors.js";
import { createForwarder } from "../../forward/forwarder.js";
import { requestHeadersForUpstream } from "../../forward/headers.js";
import type { ConnectorDeps, ToolResilience } from "../connector-deps.js";
import { type CredentialSource, credentialNameOf } from "../credential-source.js";
import type { ToolCall, ToolConnector } from "../types.js";
import { upstreamUrl } from "../upstream-url.js";
import { boundOpenAiTokens, DEFAULT_TOKEN_BOUND, type TokenBoundOptions } from "./token-bound.js";

export interface OpenAiConnectorOptions {
  baseUrl: string;
  /** The API key, read per call: a rotation applies to the next call. */
  credential: CredentialSource<ApiKeySecret>;
  resilience: ToolResilience;
  /** How calls under a tokens budget are bounded (token-bound.ts); default: the config defaults. */
  tokenBound?: TokenBoundOptions;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function createOpenAiConnector(
  options: OpenAiConnectorOptions,
  deps: ConnectorDeps = {},
): ToolConnector {
  const { credential } = options;
  const forwarder = createForwarder({
    tool: "openai",
    origin: new URL(options.baseUrl).origin,
    resilience: options.resilience,
    secrets: () => credential.knownSecrets(),
    ...deps,
  });

  /** The parsed JSON request (model, messages, max_tokens, stream, …); null for the models list. */
  function policyBody(call: ToolCall): Record<string, unknown> | null {
    if (call.action.method === "GET") return null;
    if (!isObject(call.json))
      throw new GatewayError("invalid_request", "the request body must be a JSON object");
    return call.json;
  }

  return {
    name: "openai",
    available: () => credential.available(),

    policyBody,

    boundTokens: (call) => boundOpenAiTokens(call, options.tokenBound ?? DEFAULT_TOKEN_BOUND),

    async forward(call, ctx) {
      const json = policyBody(call);
      const { secret } = await credential.resolve(credentialNameOf(ctx.obligations));
      const headers: Record<string, string> = { ...requestHeadersForUpstream(call.headers) };
      headers.authorization = `Bearer ${secret.apiKey}`;
      if (call.body !== null) headers["content-type"] ??= "application/json";
      const exchange = await forwarder.exchange(
        {
          method: call.method,
          url: upstreamUrl(options.baseUrl, call.path, call.query),
          headers,
          body: call.body,
        },
        ctx,
        { idempotent: call.action.idempotent, stream: isObject(json) && json.stream === true },
      );
      return forwarder.respond(exchange, ctx, { dropUsageOnlyEvents: call.hideStreamUsage === true });
    },

    breakerState: () => forwarder.breakerState(),
    close: () => forwarder.close(),
  };
}
