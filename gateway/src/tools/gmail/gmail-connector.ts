// Gmail: users.messages send, list and get for the configured mailbox, with an OAuth2 access token the
// gateway obtains from its refresh token. A 401 from Gmail (token revoked or expired early) is answered by
// refreshing once and retrying once: a 401 means Gmail did nothing, so even a send is safe to repeat.
import { createForwarder, type Exchange } from "../../forward/forwarder.js";
import { requestHeadersForUpstream } from "../../forward/headers.js";
import type { ConnectorDeps, ToolResilience } from "../connector-deps.js";
import { notConfigured } from "../not-configured.js";
import type { CallContext, ToolCall, ToolConnector } from "../types.js";
import { upstreamUrl } from "../upstream-url.js";
import { createOAuthTokenSource, type OAuthTokenSource } from "./oauth-token-source.js";
import { envelopeOf } from "./rfc2822-envelope.js";

export interface GmailConnectorOptions {
  baseUrl: string;
  tokenUrl: string;
  clientId: string | undefined;
  clientSecret: string | undefined;
  refreshToken: string | undefined;
  resilience: ToolResilience;
  /** Clock for access-token expiry (tests). */
  now?: () => number;
}

export function createGmailConnector(
  options: GmailConnectorOptions,
  deps: ConnectorDeps = {},
): ToolConnector {
  const { clientId, clientSecret, refreshToken } = options;
  const tokens: OAuthTokenSource | undefined =
    clientId && clientSecret && refreshToken
      ? createOAuthTokenSource({
          tokenUrl: options.tokenUrl,
          clientId,
          clientSecret,
          refreshToken,
          connectTimeoutMs: options.resilience.connectTimeoutMs,
          timeoutMs: options.resilience.timeoutMs,
          ...(options.now ? { now: options.now } : {}),
        })
      : undefined;
  const forwarder = createForwarder({
    tool: "gmail",
    origin: new URL(options.baseUrl).origin,
    // Mailbox reads change as mail arrives: never served from the cache.
    resilience: { ...options.resilience, cacheTtlSeconds: 0 },
    secrets: () => [clientSecret, refreshToken, tokens?.current()].filter((s): s is string => !!s),
    ...deps,
  });

  async function send(call: ToolCall, ctx: CallContext, accessToken: string): Promise<Exchange> {
    const headers: Record<string, string> = {
      ...requestHeadersForUpstream(call.headers),
      authorization: `Bearer ${accessToken}`,
    };
    if (call.body !== null) headers["content-type"] ??= "application/json";
    return forwarder.exchange(
      {
        method: call.method,
        url: upstreamUrl(options.baseUrl, call.path, call.query),
        headers,
        body: call.body,
      },
      ctx,
      { idempotent: call.action.idempotent },
    );
  }

  return {
    name: "gmail",
    available: () => tokens !== undefined,

    /** messages.send: `{to, cc, bcc, subject}` read from the raw message; reads have no body (null). */
    policyBody(call) {
      if (call.action.name !== "messages.send") return null;
      return envelopeOf(call.json);
    },

    async forward(call, ctx) {
      if (!tokens) throw notConfigured("gmail");
      if (call.action.name === "messages.send") envelopeOf(call.json); // refuse what Gmail could not read
      const first = await tokens.get(ctx);
      let exchange = await send(call, ctx, first);
      if (exchange.status === 401) {
        tokens.invalidate(first);
        exchange = await send(call, ctx, await tokens.get(ctx));
      }
      return forwarder.respond(exchange, ctx);
    },

    breakerState: () => forwarder.breakerState(),
    async close() {
      await Promise.all([forwarder.close(), tokens?.close()]);
    },
  };
}
