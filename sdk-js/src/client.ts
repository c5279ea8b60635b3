// AgentGateway: the typed client for the agent API (CONTRACT.md §3). Every call goes
// through one signed fetch; typed helpers (tool tokens, tool clients) live in their own
// files and build on `request` / `send`, so this class stays small.

import type { Approval, ToolList, ToolToken, WhoAmI } from "./api-types.js";
import {
  assertWaitOptions,
  type WaitForApprovalOptions,
  type WaitForApprovals,
  waitForApproval,
} from "./approvals.js";
import { fromProblem } from "./errors.js";
import type { SigningKey } from "./httpsig/sign.js";
import { createMcpFetch, type McpFetchOptions, mcpPath } from "./mcp.js";
import { createSignedFetch, type FetchLike } from "./signed-fetch.js";
import { type TokenForOptions, ToolTokenCache, type ToolTokenStore } from "./tokens/token-cache.js";
import {
  assertRetryOnRateLimit,
  callTool,
  type RetryOnRateLimit,
  type ToolCallContext,
  type ToolCallOptions,
} from "./tool-call.js";
import { createToolFetch, type ToolFetchOptions, toolBaseUrl } from "./tool-fetch.js";
import { createGmailTool, type GmailTool } from "./tools/gmail.js";
import { createHttpTool, type HttpTool } from "./tools/http.js";
import { createOpenAiTool, type OpenAiTool } from "./tools/openai.js";
import { createSerpApiTool, type SerpApiTool } from "./tools/serpapi.js";

export type {
  Agent,
  AgentKey,
  Approval,
  ToolAction,
  ToolInfo,
  ToolList,
  ToolToken,
  WhoAmI,
} from "./api-types.js";
export type { WaitForApprovalOptions, WaitForApprovals } from "./approvals.js";

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
  headers?: HeadersInit;
  query?: Record<string, QueryValue>;
  signal?: AbortSignal;
}

export interface AgentGatewayOptions {
  /** The gateway's public URL (AGENTGW_PUBLIC_URL), e.g. "https://gateway.example". */
  baseUrl: string | URL;
  key: SigningKey;
  fetch?: FetchLike;
  /** Default for every tool call: wait for a rate limit's Retry-After up to this long and retry once. */
  retryOnRateLimit?: RetryOnRateLimit;
  /**
   * Default for every tool call: when the policy asks for a person's approval (token or call),
   * wait for the decision and send the same request again; denied → ApprovalDeniedError. Off by default.
   */
  waitForApproval?: WaitForApprovals;
  /** Renew a cached tool token this long before it expires at most (default 30 s; never more than half its life). */
  tokenRefreshBeforeMs?: number;
  /** Keeps tool tokens beyond this process (e.g. a file for a command-line tool); default memory only. */
  tokenStore?: ToolTokenStore;
  /** Clock in milliseconds for token lifetimes; default Date.now. */
  now?: () => number;
}

export class AgentGateway {
  readonly baseUrl: URL;
  readonly kid: string;
  /** Signs and sends; hand it to any client that takes a custom fetch. */
  readonly fetch: FetchLike;
  /** The cached tool tokens (see tokenFor). */
  readonly tokens: ToolTokenCache;
  readonly openai: OpenAiTool;
  readonly gmail: GmailTool;
  readonly serpapi: SerpApiTool;
  readonly http: HttpTool;
  readonly #tools: ToolCallContext;

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
    assertRetryOnRateLimit(options.retryOnRateLimit, "options.retryOnRateLimit");
    assertWaitOptions(options.waitForApproval, "options.waitForApproval");
    this.tokens = new ToolTokenCache({
      mint: (request) => this.request<ToolToken>("POST", "/v1/tokens", { json: request }),
      ...(options.now ? { now: options.now } : {}),
      ...(options.tokenRefreshBeforeMs === undefined
        ? {}
        : { refreshBeforeMs: options.tokenRefreshBeforeMs }),
      ...(options.tokenStore ? { store: options.tokenStore } : {}),
    });
    this.#tools = {
      send: (method, path, requestOptions) => this.send(method, path, requestOptions),
      tokens: this.tokens,
      retryOnRateLimit: options.retryOnRateLimit,
      waitForApproval: options.waitForApproval,
      awaitApproval: (id, waitOptions) => this.waitForApproval(id, waitOptions),
    };
    const call = (tool: string, method: string, path: string, callOptions?: ToolCallOptions) =>
      this.callTool(tool, method, path, callOptions);
    this.openai = createOpenAiTool(call);
    this.gmail = createGmailTool(call);
    this.serpapi = createSerpApiTool(call);
    this.http = createHttpTool(call);
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
  listTools(): Promise<ToolList> {
    return this.request("GET", "/v1/tools");
  }

  /** GET /v1/approvals/{id}: one of this agent's approvals. */
  getApproval(id: string, options: { signal?: AbortSignal } = {}): Promise<Approval> {
    return this.request<Approval>("GET", `/v1/approvals/${encodeURIComponent(id)}`, options);
  }

  /**
   * Waits for a person's decision on an approval (the `approvalId` of an ApprovalRequiredError):
   * resolves to the approved approval, then the same request goes through once (a token request:
   * during the approval's window). Throws ApprovalDeniedError, ApprovalWaitError (expired, timeout),
   * or the signal's reason when aborted.
   */
  waitForApproval(id: string, options: WaitForApprovalOptions = {}): Promise<Approval> {
    return waitForApproval(
      (approvalId, signal) => this.getApproval(approvalId, signal ? { signal } : {}),
      id,
      options,
    );
  }

  /**
   * A tool token for these scopes (POST /v1/tokens): cached per (tool, scopes in any order, intent),
   * renewed shortly before it expires; concurrent callers share one request.
   */
  tokenFor(tool: string, scopes: readonly string[], options: TokenForOptions = {}): Promise<ToolToken> {
    return this.tokens.get(tool, scopes, options);
  }

  /**
   * Calls a tool: `path` is the tool's own path (e.g. "/v1/chat/completions" for openai). Resolves to
   * the tool's answer; the gateway's refusals throw their typed error. The token comes from tokenFor
   * (scopes default to what the action needs); a refused token is replaced and the call retried once.
   */
  callTool(tool: string, method: string, path: string, options: ToolCallOptions = {}): Promise<Response> {
    return callTool(this.#tools, tool, method, path, options);
  }

  /** A fetch for an official client of the tool: drops the client's Authorization, adds the tool token, signs. */
  fetchFor(tool: string, options: ToolFetchOptions = {}): FetchLike {
    return createToolFetch(this.#tools, this.baseUrl, tool, options);
  }

  /** A fetch for an MCP client talking to the gateway's MCP server `server` (signed, with its tool token). */
  mcpFetch(server: string, options: McpFetchOptions = {}): FetchLike {
    return createMcpFetch(this.#tools, this.baseUrl, server, options);
  }

  /** The URL of the gateway's MCP server `server`, e.g. `${baseUrl}/v1/mcp/repo`. */
  mcpUrl(server: string): string {
    return this.baseUrl.href.replace(/\/+$/, "") + mcpPath(server);
  }

  /** The base URL an official client of the tool expects, on this gateway, e.g. `${baseUrl}/v1/tools/openai/v1`. */
  baseUrlFor(tool: string): string {
    return toolBaseUrl(this.baseUrl, tool);
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
