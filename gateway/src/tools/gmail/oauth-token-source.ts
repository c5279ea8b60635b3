// Gmail access tokens from the configured refresh token (RFC 6749 §6, form POST to the token URL). One
// token is cached until shortly before `expires_in`; concurrent callers share one refresh (single-flight);
// `invalidate` drops a token Gmail refused so the next call refreshes. The client secret, refresh token and
// access tokens never appear in an error.
import { GatewayError } from "../../errors.js";
import { createUpstreamClient, readBody, toUpstreamFailure } from "../../forward/upstream-client.js";

export interface OAuthTokenSourceOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  connectTimeoutMs: number;
  timeoutMs: number;
  /** Milliseconds since the epoch (tests pass a fake clock). */
  now?: () => number;
}

export interface TokenTrace {
  requestId: string;
  traceparent: string;
}

export interface OAuthTokenSource {
  /** A live access token, refreshing when none is cached or it is about to expire. */
  get(trace: TokenTrace): Promise<string>;
  /** Forgets `token` (Gmail answered 401 to it); a newer token is kept. */
  invalidate(token: string): void;
  /** The cached access token, if any (so it can be scrubbed from answers). */
  current(): string | undefined;
  close(): Promise<void>;
}

/** Refresh this long before the token expires, or at half its life when that is shorter. */
const EXPIRY_MARGIN_MS = 60_000;
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;
const NEVER = new AbortController().signal;

export function createOAuthTokenSource(options: OAuthTokenSourceOptions): OAuthTokenSource {
  const url = new URL(options.tokenUrl);
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new TypeError("tokenUrl must be an http(s) URL");
  for (const name of ["clientId", "clientSecret", "refreshToken"] as const) {
    if (typeof options[name] !== "string" || options[name] === "") throw new TypeError(`${name} is required`);
  }
  const now = options.now ?? Date.now;
  const client = createUpstreamClient({
    origin: url.origin,
    connectTimeoutMs: options.connectTimeoutMs,
    timeoutMs: options.timeoutMs,
    connections: 4,
  });
  let cached: { token: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function refresh(trace: TokenTrace): Promise<string> {
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: options.refreshToken,
      client_id: options.clientId,
      client_secret: options.clientSecret,
    });
    // Shared by every waiting caller, so no one caller's disconnect cancels it: only the timeout does.
    const signals = { attempt: AbortSignal.timeout(options.timeoutMs), client: NEVER };
    let status: number;
    let text: string;
    try {
      const response = await client.request(
        {
          method: "POST",
          url,
          headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
          body: form.toString(),
        },
        trace,
        signals,
      );
      status = response.status;
      text = (await readBody(response.body, MAX_TOKEN_RESPONSE_BYTES)).bytes.toString("utf8");
    } catch (error) {
      throw toUpstreamFailure(error, signals);
    }
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Reported below as a refusal without the body.
    }
    if (status !== 200 || typeof json.access_token !== "string" || json.access_token === "") {
      // The OAuth error code (e.g. invalid_grant) is safe to show; the description might not be.
      const code =
        typeof json.error === "string" && /^[a-z_]{1,64}$/.test(json.error) ? ` (${json.error})` : "";
      const unavailable = status >= 500 || status === 429;
      throw new GatewayError(
        unavailable ? "upstream_unavailable" : "upstream_error",
        `the Gmail OAuth token endpoint refused to issue an access token${code}`,
      );
    }
    const lifetimeMs =
      typeof json.expires_in === "number" && json.expires_in > 0 ? json.expires_in * 1000 : 3_600_000;
    const margin = Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 2);
    cached = { token: json.access_token, refreshAt: now() + lifetimeMs - margin };
    return json.access_token;
  }

  return {
    async get(trace) {
      if (cached && now() < cached.refreshAt) return cached.token;
      inFlight ??= refresh(trace).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
    current() {
      return cached?.token;
    },
    async close() {
      await client.close();
    },
  };
}
