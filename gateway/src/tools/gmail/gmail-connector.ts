// Gmail: users.messages send, list and get for the configured mailbox, with an OAuth2 access token the
// gateway obtains from its refresh token. A 401 from Gmail (token revoked or expired early) is answered by
// refreshing once and retrying once: a 401 means Gmail did nothing, so even a send is safe to repeat.

import type { GmailSecret } from "../../credentials/secret-shapes.js";
import { createForwarder, type Exchange } from "../../forward/forwarder.js";
import { requestHeadersForUpstream } from "../../forward/headers.js";
import type { ConnectorDeps, ToolResilience } from "../connector-deps.js";
import { type CredentialSource, credentialNameOf } from "../credential-source.js";
import type { CallContext, ToolCall, ToolConnector } from "../types.js";
import { upstreamUrl } from "../upstream-url.js";
import { createOAuthTokenSource, type OAuthTokenSource } from "./oauth-token-source.js";
import { envelopeOfMessage } from "./rfc2822-envelope.js";
import { sentMessageOf } from "./sent-message.js";

export interface GmailConnectorOptions {
  baseUrl: string;
  tokenUrl: string;
  /** Client id, client secret and refresh token, read per call: a rotation applies to the next call. */
  credential: CredentialSource<GmailSecret>;
  resilience: ToolResilience;
  /** Clock for access-token expiry (tests). */
  now?: () => number;
}

const RETIRED_SOURCE_GRACE_MS = 60_000;

export function createGmailConnector(
  options: GmailConnectorOptions,
  deps: ConnectorDeps = {},
): ToolConnector {
  const { credential } = options;
  // One access-token source per credential name, for the version it was made from: a rotated credential
  // gets a new source (and its own refresh), and the old one is closed.
  const sources = new Map<string, { version: number; tokens: OAuthTokenSource }>();

  async function tokensFor(ctx: CallContext): Promise<OAuthTokenSource> {
    const { name, version, secret } = await credential.resolve(credentialNameOf(ctx.obligations));
    const known = sources.get(name);
    if (known?.version === version) return known.tokens;
    const tokens = createOAuthTokenSource({
      tokenUrl: options.tokenUrl,
      clientId: secret.clientId,
      clientSecret: secret.clientSecret,
      refreshToken: secret.refreshToken,
      connectTimeoutMs: options.resilience.connectTimeoutMs,
      timeoutMs: options.resilience.timeoutMs,
      ...(options.now ? { now: options.now } : {}),
    });
    sources.set(name, { version, tokens });
    // Calls that already hold the old source may still refresh through it for a while.
    if (known) setTimeout(() => void known.tokens.close(), RETIRED_SOURCE_GRACE_MS).unref();
    return tokens;
  }

  const accessTokens = () =>
    [...sources.values()].map((s) => s.tokens.current()).filter((t): t is string => t !== undefined);
  const forwarder = createForwarder({
    tool: "gmail",
    origin: new URL(options.baseUrl).origin,
    // Mailbox reads change as mail arrives: never served from the cache.
    resilience: { ...options.resilience, cacheTtlSeconds: 0 },
    secrets: () => [...credential.knownSecrets(), ...accessTokens()],
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
    available: () => credential.available(),

    /** messages.send: `{to, cc, bcc, subject}` read from the message (JSON raw or upload); reads: null. */
    policyBody(call) {
      if (call.action.name !== "messages.send") return null;
      return envelopeOfMessage(sentMessageOf(call));
    },

    async forward(call, ctx) {
      // Refuse what Gmail could not read, as the policy stage did.
      if (call.action.name === "messages.send") envelopeOfMessage(sentMessageOf(call));
      const tokens = await tokensFor(ctx);
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
      await Promise.all([forwarder.close(), ...[...sources.values()].map((s) => s.tokens.close())]);
    },
  };
}
