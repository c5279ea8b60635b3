// The admin API over fetch with the admin bearer token. Any answer that is not 2xx becomes a
// RefusedError carrying the gateway's problem; an unreachable gateway is refused too.
import type { Problem } from "@agentgw/sdk";
import { RefusedError } from "./errors.js";
import type { CliIo } from "./io.js";

export type Query = Record<string, string | number | boolean | undefined>;

export interface AdminClient {
  readonly url: URL;
  request<T = unknown>(method: string, path: string, options?: { json?: unknown; query?: Query }): Promise<T>;
}

export function createAdminClient(io: CliIo, url: URL, token: string): AdminClient {
  const base = url.href.replace(/\/+$/, "");
  return {
    url,
    async request<T>(method: string, path: string, options: { json?: unknown; query?: Query } = {}) {
      const target = new URL(base + path);
      for (const [name, value] of Object.entries(options.query ?? {})) {
        if (value !== undefined) target.searchParams.set(name, String(value));
      }
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        accept: "application/json",
      };
      if (options.json !== undefined) headers["content-type"] = "application/json";
      let response: Response;
      try {
        response = await io.fetch(target, {
          method,
          headers,
          ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
        });
      } catch (error) {
        throw unreachable(url, error);
      }
      const text = await response.text();
      const body = parseJson(text);
      if (!response.ok) throw new RefusedError(response.status, asProblem(response, body, text));
      return (text === "" ? null : (body ?? text)) as T;
    },
  };
}

/** The problem a refusal carries; a non-problem answer (a proxy's HTML page …) becomes one. */
export function asProblem(response: Response, body: unknown, text: string): Problem {
  if (typeof body === "object" && body !== null && !Array.isArray(body)) return body as Problem;
  return {
    status: response.status,
    title: `HTTP ${response.status}`,
    detail: text.slice(0, 300) || `HTTP ${response.status} without a body`,
    ...(response.headers.get("x-request-id") ? { requestId: response.headers.get("x-request-id")! } : {}),
  };
}

/** fetch threw: no answer at all (connection refused, DNS, TLS). */
export function unreachable(url: URL, error: unknown): RefusedError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new RefusedError(null, {
    title: "Gateway unreachable",
    detail: `cannot reach the gateway at ${url.origin}: ${reason} (is it running? is AGENTGW_URL right?)`,
  });
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
