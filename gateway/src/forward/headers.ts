// Which headers cross the gateway, in each direction. One rule set for every
// connector (and for the pipeline when it builds ToolCall.headers), so an agent
// credential can never reach an upstream and an upstream credential or cookie
// can never reach an agent.

/** Raw headers as Node (IncomingHttpHeaders) or undici give them. */
export type RawHeaders = Readonly<Record<string, string | string[] | number | undefined>>;

/** RFC 9110 §7.6.1 hop-by-hop fields, plus the legacy ones proxies still see. */
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "proxy-connection",
  "proxy-authenticate",
];

/** The agent's own credentials and proof, and what the gateway recomputes or sets itself. */
const REQUEST_DROP = new Set([
  ...HOP_BY_HOP,
  "authorization",
  "proxy-authorization",
  "signature",
  "signature-input",
  "content-digest",
  "repr-digest",
  "want-content-digest",
  "cookie",
  "host",
  "content-length",
  // Expect: 100-continue is a hop-level negotiation the gateway already did with the agent; passed on, it
  // makes the upstream client fail locally (which once counted against the tool's circuit breaker).
  "expect",
  "forwarded",
  "x-real-ip",
  // The gateway asks for identity encoding so it can inspect and rewrite bodies.
  "accept-encoding",
  // The gateway sets these from its own request context.
  "x-request-id",
  "traceparent",
  "tracestate",
  // Upstream account selectors and keys belong to the gateway's credential, never the agent's choice.
  "openai-organization",
  "openai-project",
  "x-api-key",
  "api-key",
  "x-goog-api-key",
]);

/** Upstream cookies, auth challenges and account identifiers stay inside the gateway. */
const RESPONSE_DROP = new Set([
  ...HOP_BY_HOP,
  "authorization",
  "proxy-authorization",
  "set-cookie",
  "set-cookie2",
  "www-authenticate",
  "content-length",
  "content-encoding",
  "openai-organization",
  "openai-project",
  "x-api-key",
  "api-key",
  "x-goog-api-key",
  "alt-svc",
  "strict-transport-security",
  // The gateway's own X-Request-Id names the exchange; the upstream's goes on as x-upstream-request-id.
  "x-request-id",
]);

function isDropped(name: string, drop: ReadonlySet<string>, named: ReadonlySet<string>): boolean {
  return drop.has(name) || named.has(name) || name.startsWith("x-forwarded-");
}

/** Header names listed in `Connection` are hop-by-hop for this message (RFC 9110 §7.6.1). */
function connectionNamed(raw: RawHeaders): Set<string> {
  const named = new Set<string>();
  for (const [name, value] of Object.entries(raw)) {
    if (name.toLowerCase() !== "connection" || value === undefined) continue;
    for (const item of (Array.isArray(value) ? value.join(",") : String(value)).split(",")) {
      const token = item.trim().toLowerCase();
      if (token) named.add(token);
    }
  }
  return named;
}

function filter(
  raw: RawHeaders,
  drop: ReadonlySet<string>,
  secrets: readonly string[],
): Record<string, string> {
  const named = connectionNamed(raw);
  const out: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const name = rawName.toLowerCase();
    if (isDropped(name, drop, named)) continue;
    const joined = Array.isArray(value) ? value.join(", ") : String(value);
    // A header that carries a secret (an upstream echoing the key back) is dropped whole.
    if (secrets.some((secret) => secret !== "" && joined.includes(secret))) continue;
    out[name] = out[name] === undefined ? joined : `${out[name]}, ${joined}`;
  }
  return out;
}

/**
 * The agent's request headers as they may go upstream: lower-case, without the agent's authorization,
 * signatures, digests, cookies, hop-by-hop fields, host, content-length (recomputed), x-forwarded-*, and the
 * headers the gateway sets itself (credentials, request id, trace context, accept-encoding).
 */
export function requestHeadersForUpstream(raw: RawHeaders): Record<string, string> {
  return filter(raw, REQUEST_DROP, []);
}

/**
 * An upstream's response headers as the agent may see them: lower-case, without hop-by-hop fields, cookies,
 * auth challenges, account identifiers, content-length/-encoding (the body may be rewritten), and any header
 * whose value contains one of `secrets`.
 */
export function responseHeadersForAgent(
  raw: RawHeaders,
  secrets: readonly string[] = [],
): Record<string, string> {
  const out = filter(raw, RESPONSE_DROP, secrets);
  const upstreamId = Object.entries(raw).find(([name]) => name.toLowerCase() === "x-request-id")?.[1];
  if (upstreamId !== undefined) {
    const renamed = filter({ "x-upstream-request-id": upstreamId }, RESPONSE_DROP, secrets);
    Object.assign(out, renamed);
  }
  return out;
}
