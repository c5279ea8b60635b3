// The http tool's request `{url, method?, headers?, body?}` and the checks every destination passes
// (the first URL and each redirect hop): http(s) only, no user:password@, an allow-listed host, and an IP
// literal only when it is public. Host names are checked again at connect time (guarded-lookup.ts).
import { isIP } from "node:net";
import { z } from "zod";
import { GatewayError } from "../../errors.js";
import { requestHeadersForUpstream } from "../../forward/headers.js";
import { addressRefusal, type GuardedLookupOptions } from "./guarded-lookup.js";
import { type HostAllowList, normalizeHost, portOf } from "./host-allow-list.js";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

const fetchSchema = z.strictObject({
  url: z.string().min(1).max(8192),
  method: z
    .string()
    .transform((m) => m.toUpperCase())
    .pipe(z.enum(METHODS))
    .default("GET"),
  headers: z.record(z.string().max(256), z.string().max(8192)).default({}),
  body: z.string().nullable().optional(),
});

export interface FetchRequest {
  url: URL;
  method: (typeof METHODS)[number];
  /** Lower-case, filtered like every upstream request (no authorization, cookie, hop-by-hop …). */
  headers: Record<string, string>;
  body: string | null;
}

/** Parses the agent's fetch request; anything malformed is invalid_request. */
export function parseFetchRequest(json: unknown): FetchRequest {
  const parsed = fetchSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || "body";
    throw new GatewayError(
      "invalid_request",
      `invalid fetch request: ${where}: ${issue?.message ?? "invalid"}`,
    );
  }
  const { url: raw, method, headers, body } = parsed.data;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new GatewayError("invalid_request", "url is not an absolute URL");
  }
  if ((method === "GET" || method === "HEAD") && body != null) {
    throw new GatewayError("invalid_request", `a ${method} fetch cannot have a body`);
  }
  return { url, method, headers: requestHeadersForUpstream(headers), body: body ?? null };
}

/**
 * Refuses a destination the tool may not reach, with `code` (invalid_request for the agent's own URL,
 * upstream_error for a redirect an upstream sent). WHATWG URL parsing has already normalised decimal, octal
 * and hex IPv4 forms (http://2130706433/ is http://127.0.0.1/), so the literal check sees the real address.
 */
export function checkDestination(
  url: URL,
  allowList: HostAllowList,
  guard: GuardedLookupOptions,
  code: "invalid_request" | "upstream_error",
): void {
  const refuse = (why: string) => new GatewayError(code, why);
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw refuse("only http and https URLs can be fetched");
  if (url.username !== "" || url.password !== "") throw refuse("URLs with credentials cannot be fetched");
  const host = normalizeHost(url.hostname);
  const port = portOf(url);
  if (!allowList(host, port)) {
    const named = url.port === "" ? "" : `:${port}`;
    throw refuse(
      `host ${host}${named} is not allow-listed for the http tool (a host without a port allows 80 and 443)`,
    );
  }
  if (isIP(host) !== 0) {
    const reason = addressRefusal(host, guard, host);
    if (reason !== undefined) throw refuse(`address ${host} is not public (${reason})`);
  }
}
