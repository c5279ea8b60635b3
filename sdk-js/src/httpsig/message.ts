// The parts of an HTTP request that RFC 9421 components are derived from. The signer
// builds them from an absolute URL; a verifier builds them from what it received (the raw
// request-target and Host), so neither side re-normalizes the other's path or query.
import { SignatureFormatError } from "./errors.js";

export type HeaderValue = string | readonly string[];

/** Header fields by lower-case name; an array holds several field lines of one name. */
export type HeaderFields = Readonly<Record<string, HeaderValue | undefined>>;

export interface HttpRequestParts {
  /** As sent; RFC 9421 §2.2.1 forbids changing its case. */
  method: string;
  /** Lower-case scheme, "http" or "https". */
  scheme: string;
  /** host[:port] as addressed; normalized by {@link normalizeAuthority} when signed. */
  authority: string;
  /** Absolute path exactly as sent, percent-encodings untouched, never empty. */
  path: string;
  /** The query without its leading "?", or null when the target has no "?". */
  query: string | null;
  headers: HeaderFields;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: "80", https: "443" };

/** RFC 9421 §2.2.3 / RFC 9110 §4.2.3: host lower-cased, the scheme's default port dropped. */
export function normalizeAuthority(authority: string, scheme: string): string {
  const lower = authority.toLowerCase();
  const match = /^(.*):(\d+)$/.exec(lower);
  if (match && DEFAULT_PORTS[scheme] === match[2]) return match[1]!;
  return lower;
}

/** Parts of a request addressed by an absolute URL (what fetch and axios put on the wire). */
export function requestPartsFromUrl(
  method: string,
  url: string | URL,
  headers: HeaderFields,
): HttpRequestParts {
  const parsed = typeof url === "string" ? new URL(url) : url;
  const scheme = parsed.protocol.replace(/:$/, "").toLowerCase();
  // URL.search is "" for both "no query" and an empty query; both sign "@query" as "?".
  return {
    method,
    scheme,
    authority: parsed.host,
    path: parsed.pathname === "" ? "/" : parsed.pathname,
    query: parsed.search === "" ? null : parsed.search.slice(1),
    headers,
  };
}

/**
 * Parts of a received request from its origin-form request-target ("/path?query"), kept
 * byte for byte so the verifier signs what the client saw, not a re-normalized URL.
 */
export function requestPartsFromTarget(
  method: string,
  scheme: string,
  authority: string,
  requestTarget: string,
  headers: HeaderFields,
): HttpRequestParts {
  if (!requestTarget.startsWith("/")) {
    throw new SignatureFormatError("the request-target must be in origin-form (start with '/')");
  }
  const withoutFragment = requestTarget.split("#", 1)[0]!;
  const q = withoutFragment.indexOf("?");
  return {
    method,
    scheme: scheme.toLowerCase(),
    authority,
    path: q === -1 ? withoutFragment : withoutFragment.slice(0, q),
    query: q === -1 ? null : withoutFragment.slice(q + 1),
    headers,
  };
}

/** True when the target carries a non-empty query, which the contract profile must cover. */
export function hasQuery(parts: HttpRequestParts): boolean {
  return parts.query !== null && parts.query !== "";
}

/**
 * RFC 9421 §2.1: field lines trimmed, obs-fold replaced by a space, joined with ", ".
 * Returns undefined when the field is absent.
 */
export function fieldValue(headers: HeaderFields, name: string): string | undefined {
  // Own properties only: a covered field named "__proto__" or "constructor" that was not
  // sent must read as absent, not as Object.prototype or a function.
  if (!Object.hasOwn(headers, name)) return undefined;
  const raw = headers[name];
  if (typeof raw !== "string" && !Array.isArray(raw)) return undefined;
  const lines = typeof raw === "string" ? [raw] : raw;
  if (lines.length === 0) return undefined;
  return lines.map((line) => line.replace(/\r?\n[ \t]+/g, " ").trim()).join(", ");
}

/** Lower-cases names and keeps several lines of one name, from any common header shape. */
export function toHeaderFields(
  input: Headers | Readonly<Record<string, HeaderValue | number | undefined | null>> | undefined,
): Record<string, string | string[]> {
  // No prototype: a field named "constructor" or "__proto__" is a field like any other, not
  // Object.prototype's member (which made signing such a request throw a TypeError).
  const out: Record<string, string | string[]> = Object.create(null);
  if (input === undefined) return out;
  const add = (name: string, value: string) => {
    const key = name.toLowerCase();
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else out[key] = typeof existing === "string" ? [existing, value] : [...existing, value];
  };
  if (typeof Headers !== "undefined" && input instanceof Headers) {
    for (const [name, value] of input) add(name, value);
    return out;
  }
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const line of value) add(name, String(line));
    else add(name, String(value));
  }
  return out;
}
