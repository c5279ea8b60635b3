import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Reply } from "./fake-server.js";
import { oauthError } from "./google-errors.js";
import type { RecordedRequest } from "./recorded-request.js";

export interface OAuthClientOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Lifetime of each access token, in seconds. */
  accessTokenTtlSeconds: number;
  scope: string;
  now: () => number;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Form (or JSON) fields of a token request; client credentials may also come as HTTP Basic. */
function tokenRequestFields(request: RecordedRequest): Record<string, string> {
  const contentType = request.headers["content-type"] ?? "";
  const fields: Record<string, string> = {};
  if (contentType.includes("json") && typeof request.json === "object" && request.json !== null) {
    for (const [name, value] of Object.entries(request.json))
      if (typeof value === "string") fields[name] = value;
  } else {
    for (const [name, value] of new URLSearchParams(request.body)) fields[name] = value;
  }
  const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? "")?.[1];
  if (basic !== undefined) {
    const decoded = Buffer.from(basic, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      fields.client_id ??= decodeURIComponent(decoded.slice(0, colon));
      fields.client_secret ??= decodeURIComponent(decoded.slice(colon + 1));
    }
  }
  return fields;
}

/** Google's OAuth 2.0 token endpoint for the refresh-token grant, and the access tokens it issued. */
export class FakeOAuthServer {
  readonly #options: OAuthClientOptions;
  /** access token → expiry (ms since epoch) */
  readonly #issued = new Map<string, number>();
  /** Refresh tokens the endpoint accepts (the configured one, and any issued since). */
  readonly #refreshTokens = new Set<string>();
  #calls = 0;

  constructor(options: OAuthClientOptions) {
    this.#options = options;
    this.#refreshTokens.add(options.refreshToken);
  }

  /** Issues another refresh token for the same client (another user granting access) and returns it. */
  issueRefreshToken(): string {
    const token = `1//fake-${randomBytes(24).toString("base64url")}`;
    this.#refreshTokens.add(token);
    return token;
  }

  /** Revokes a refresh token: the next refresh with it answers invalid_grant. */
  revokeRefreshToken(token: string): void {
    this.#refreshTokens.delete(token);
  }

  /** Token endpoint calls so far, failed ones included. */
  get calls(): number {
    return this.#calls;
  }

  /** `POST /token` with `grant_type=refresh_token&refresh_token&client_id&client_secret`. */
  token(request: RecordedRequest): Reply {
    this.#calls += 1;
    if (request.method !== "POST") return oauthError(405, "invalid_request", "Method not allowed");
    const fields = tokenRequestFields(request);
    const { clientId, clientSecret } = this.#options;
    if (fields.grant_type === undefined)
      return oauthError(400, "invalid_request", "Missing required parameter: grant_type");
    if (fields.grant_type !== "refresh_token") {
      return oauthError(400, "unsupported_grant_type", `Invalid grant_type: ${fields.grant_type}`);
    }
    if (fields.client_id !== clientId || !sameSecret(fields.client_secret ?? "", clientSecret)) {
      return oauthError(401, "invalid_client", "Unauthorized");
    }
    const presented = fields.refresh_token ?? "";
    if (![...this.#refreshTokens].some((token) => sameSecret(presented, token))) {
      return oauthError(400, "invalid_grant", "Token has been expired or revoked.");
    }
    const accessToken = `ya29.fake-${randomBytes(24).toString("base64url")}`;
    this.#issued.set(accessToken, this.#options.now() + this.#options.accessTokenTtlSeconds * 1000);
    return {
      status: 200,
      headers: { "Cache-Control": "no-cache, no-store, max-age=0, must-revalidate", Pragma: "no-cache" },
      json: {
        access_token: accessToken,
        expires_in: this.#options.accessTokenTtlSeconds,
        scope: this.#options.scope,
        token_type: "Bearer",
      },
    };
  }

  /** True when the request carries `Authorization: Bearer <an unexpired, unrevoked access token>`. */
  isAuthorized(request: RecordedRequest): boolean {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
    if (token === undefined) return false;
    const expiresAt = this.#issued.get(token);
    return expiresAt !== undefined && this.#options.now() < expiresAt;
  }

  /** Revokes every access token issued so far (the refresh token stays valid); returns how many were live. */
  revokeAccessTokens(): number {
    const now = this.#options.now();
    const count = [...this.#issued.values()].filter((expiresAt) => now < expiresAt).length;
    this.#issued.clear();
    return count;
  }

  reset(): void {
    this.#issued.clear();
    this.#refreshTokens.clear();
    this.#refreshTokens.add(this.#options.refreshToken);
    this.#calls = 0;
  }
}
