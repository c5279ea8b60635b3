import type { Reply } from "./fake-server.js";

// Google APIs answer errors as {error: {code, message, errors: [...], status}}, with `status` the
// canonical gRPC code name for the HTTP status.

const CANONICAL_STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  413: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

const REASON: Record<number, string> = {
  400: "badRequest",
  401: "authError",
  403: "forbidden",
  404: "notFound",
  429: "rateLimitExceeded",
  500: "backendError",
  503: "backendError",
};

export function googleError(status: number, message: string, headers?: Record<string, string>): Reply {
  return {
    status,
    ...(headers ? { headers } : {}),
    json: {
      error: {
        code: status,
        message,
        errors: [{ message, domain: "global", reason: REASON[status] ?? "unknown" }],
        status: CANONICAL_STATUS[status] ?? (status >= 500 ? "UNAVAILABLE" : "FAILED_PRECONDITION"),
      },
    },
  };
}

const INVALID_CREDENTIALS =
  "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other " +
  "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";

/** What Google answers when the bearer token is missing, expired or revoked. */
export function invalidCredentials(): Reply {
  return googleError(401, INVALID_CREDENTIALS, {
    "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
  });
}

/** The OAuth 2.0 token endpoint's error shape (RFC 6749 §5.2), not the API one. */
export function oauthError(status: number, error: string, description: string): Reply {
  return { status, json: { error, error_description: description } };
}
