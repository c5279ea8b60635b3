import type { IncomingMessage } from "node:http";

/** What the fake did with a request. */
export type Outcome =
  /** Not finished: still being handled or delayed, or the client left first (see `clientDisconnected`). */
  | "pending"
  /** A full response was written. */
  | "completed"
  /** `behave({ hang })` matched: the fake never answers. */
  | "hung"
  /** `behave({ drop })` matched: the fake cut the connection part-way through the response. */
  | "dropped";

/** One request as a fake received it, kept in `fake.received` in arrival order. */
export interface RecordedRequest {
  method: string;
  /** The raw request target, path and query, as sent. */
  url: string;
  /** The decoded path without the query. */
  path: string;
  /** Query parameters; when a name repeats, the last value wins (the full list is in `url`). */
  query: Record<string, string>;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body as UTF-8 text ("" when there was none). */
  body: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown;
  /** When the request arrived, in milliseconds since the epoch. */
  time: number;
  /** The status the fake answered with; undefined while pending, hung, or dropped before the head. */
  status: number | undefined;
  outcome: Outcome;
  /** True when the client closed the connection before the fake finished its response. */
  clientDisconnected: boolean;
  /** When the fake finished (completed or dropped), in milliseconds since the epoch. */
  finishedAt: number | undefined;
}

/** Flattens Node's header object into lower-case name → single string. */
export function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/** Parses a body as JSON when it is JSON; anything else yields undefined rather than throwing. */
export function parseJsonOrUndefined(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Builds the record for a request whose body has been read; `time` is when its head arrived. */
export function recordRequest(req: IncomingMessage, bodyText: string, time: number): RecordedRequest {
  const url = req.url ?? "/";
  const parsed = new URL(url, "http://fake.invalid");
  let path = parsed.pathname;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    // A malformed escape stays as sent; the handler will answer 404 for it.
  }
  return {
    method: req.method ?? "GET",
    url,
    path,
    query: Object.fromEntries(parsed.searchParams),
    headers: flattenHeaders(req),
    body: bodyText,
    json: parseJsonOrUndefined(bodyText),
    time,
    status: undefined,
    outcome: "pending",
    clientDisconnected: false,
    finishedAt: undefined,
  };
}
