// AgentGateway: the typed client for the agent API (CONTRACT.md §3). Every call goes
// through one signed fetch; typed helpers (tool tokens, tool clients) live in their own
// files and build on `request` / `send`, so this class stays small.
import { fromProblem } from "./errors.js";
import type { SigningKey } from "./httpsig/sign.js";
import { createSignedFetch, type FetchLike } from "./signed-fetch.js";

/** CONTRACT.md §1. */
export interface AgentKey {
  kid: string;
  publicKey: string;
  status: "active" | "revoked";
  createdAt: string;
}

export interface Agent {
  id: string;
  name: string;
  status: "active" | "suspended";
  scopes: string[];
  tier: string;
  metadata: Record<string, unknown>;
  keys: AgentKey[];
  createdAt: string;
  updatedAt: string;
}

export interface WhoAmI {
  agent: Agent;
  kid: string;
}

export interface ToolAction {
  name: string;
  scope: string;
  [member: string]: unknown;
}

export interface ToolInfo {
  name: string;
  actions: ToolAction[];
  [member: string]: unknown;
}

export type QueryValue =
  | string
  | number
  | boolean
  | undefined
  | null
  | readonly (string | number | boolean)[];

export interface RequestOptions {
  /** Sent as JSON with Content-Type application/json. */
  json?: unknown;
  /** Sent as is (exclusive with json). */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  query?: Record<string, QueryValue>;
  signal?: AbortSignal;
}

export interface AgentGatewayOptions {
  /** The gateway's public URL (AGENTGW_PUBLIC_URL), e.g. "https://gateway.example". */
  baseUrl: string | URL;
  key: SigningKey;
  fetch?: FetchLike;
}

export class AgentGateway {
  readonly baseUrl: URL;
  readonly kid: string;
  /** Signs and sends; hand it to any client that takes a custom fetch. */
  readonly fetch: FetchLike;

  constructor(options: AgentGatewayOptions) {
    this.baseUrl = new URL(String(options?.baseUrl));
    if (this.baseUrl.protocol !== "http:" && this.baseUrl.protocol !== "https:") {
      throw new TypeError("baseUrl must be an http(s) URL");
    }
    this.fetch = createSignedFetch(options.key, {
      baseUrl: this.baseUrl,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.kid = options.key.kid;
  }

  /** Sends a signed request and returns the raw Response, whatever its status (for streams). */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    if (options.json !== undefined && options.body !== undefined) {
      throw new TypeError("pass either json or body, not both");
    }
    const headers = new Headers(options.headers);
    let body: string | Uint8Array | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    if (!headers.has("accept")) headers.set("accept", "application/json");
    return this.fetch(this.url(path, options.query), {
      method,
      headers,
      ...(body === undefined ? {} : { body: body as BodyInit }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** Sends a signed request; resolves to the parsed JSON body, throws the typed error otherwise. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) throw fromProblem(response.status, parsed ?? text, response.headers);
    return (text === "" ? null : (parsed ?? text)) as T;
  }

  /** GET /v1/whoami: the agent this key belongs to. */
  whoami(): Promise<WhoAmI> {
    return this.request<WhoAmI>("GET", "/v1/whoami");
  }

  /** GET /v1/tools: the tools and actions this agent could be granted. */
  listTools(): Promise<{ tools: ToolInfo[] }> {
    return this.request("GET", "/v1/tools");
  }

  /** baseUrl + path (base path kept) + query, with the query encoded as URLSearchParams does. */
  url(path: string, query?: Record<string, QueryValue>): string {
    const url = new URL(this.baseUrl.href.replace(/\/+$/, "") + (path.startsWith("/") ? path : `/${path}`));
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      const values = Array.isArray(value) ? value : [value];
      for (const v of values) url.searchParams.append(name, String(v));
    }
    return url.href;
  }
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
