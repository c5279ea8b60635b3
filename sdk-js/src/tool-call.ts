// A call to a tool through the gateway (CONTRACT.md §3, §6): the right tool token in
// `Authorization` (covered by the signature), one retry with a fresh token when the gateway
// refuses the token, and — opt-in — one retry after a rate limit the caller is willing to wait for.
import { sleep, type WaitForApprovals } from "./approvals.js";
import type { RequestOptions } from "./client.js";
import { type AgentGatewayError, ApprovalRequiredError, RateLimitedError } from "./errors.js";
import { TOKEN_RETRY_CODES } from "./generated/protocol.js";
import type { ToolTokenCache } from "./tokens/token-cache.js";
import { isToolName, scopeFor } from "./tools/catalog.js";
import { readGatewayProblem } from "./tools/problem.js";

export interface RetryOnRateLimit {
  /** Wait for the gateway's Retry-After and retry once, if it asks for no more than this. */
  maxWaitMs: number;
}

export interface ToolCallOptions extends Omit<RequestOptions, "headers"> {
  headers?: HeadersInit;
  /** The token's scopes; default the one scope the action needs (see tools/catalog.ts). */
  scopes?: readonly string[];
  /** Sent with the token request; the policy may ask for one. */
  intent?: string;
  /** Overrides the client's default; false never waits. */
  retryOnRateLimit?: RetryOnRateLimit | false;
  /** Overrides the client's default: wait for a person's approval, then send the call again; false never waits. */
  waitForApproval?: WaitForApprovals | false;
}

/** What a tool call needs from the client. */
export interface ToolCallContext {
  /** Sends a signed request to a path under the gateway's base URL. */
  send(method: string, path: string, options: RequestOptions): Promise<Response>;
  tokens: ToolTokenCache;
  retryOnRateLimit?: RetryOnRateLimit | undefined;
  waitForApproval?: WaitForApprovals | undefined;
  /** Waits for a decision on an approval (AgentGateway.waitForApproval). */
  awaitApproval(id: string, options: WaitForApprovals & { signal?: AbortSignal }): Promise<unknown>;
}

export function assertRetryOnRateLimit(value: RetryOnRateLimit | false | undefined, name: string): void {
  if (value === undefined || value === false) return;
  if (!Number.isFinite(value?.maxWaitMs) || value.maxWaitMs < 0) {
    throw new RangeError(`${name}.maxWaitMs must be a finite number of milliseconds ≥ 0`);
  }
}

/** `/v1/tools/{tool}` for a tool name, refusing names that would change the path. */
export function toolPrefix(tool: string): string {
  if (!isToolName(tool)) {
    throw new TypeError(`tool must be a tool name such as "openai", not ${JSON.stringify(tool)}`);
  }
  return `/v1/tools/${tool}`;
}

/**
 * Sends the call with a cached token; when the gateway refuses the token (TOKEN_RETRY_CODES) the
 * token is dropped and the call sent once more with a fresh token and a fresh signature. Returns
 * the answer, and the typed error when the answer is a gateway problem.
 */
export async function sendWithToken(
  ctx: ToolCallContext,
  tool: string,
  method: string,
  path: string,
  options: ToolCallOptions,
): Promise<{ response: Response; error: AgentGatewayError | null }> {
  const prefix = toolPrefix(tool);
  if (typeof path !== "string" || !path.startsWith("/")) throw new TypeError("path must start with /");
  const scopes = options.scopes ?? [requiredScope(tool, method, path)];
  return sendWithTokenTo(ctx, tool, method, prefix + path, { ...options, scopes });
}

/** sendWithToken to a gateway path of the caller's choosing (MCP servers live at /v1/mcp/{name}). */
export async function sendWithTokenTo(
  ctx: ToolCallContext,
  tool: string,
  method: string,
  gatewayPath: string,
  options: ToolCallOptions & { scopes: readonly string[] },
): Promise<{ response: Response; error: AgentGatewayError | null }> {
  const scopes = options.scopes;
  const tokenOptions = options.intent === undefined ? {} : { intent: options.intent };
  const {
    scopes: _scopes,
    intent: _intent,
    retryOnRateLimit: _retry,
    waitForApproval: _wait,
    headers: given,
    ...request
  } = options;

  for (let attempt = 1; ; attempt++) {
    const token = await ctx.tokens.get(tool, scopes, tokenOptions);
    const headers = new Headers(given);
    // A client built for the tool itself (e.g. `new OpenAI({apiKey: "unused"})`) sends its own bearer.
    headers.set("authorization", `Bearer ${token.token}`);
    const answer = await readGatewayProblem(
      await ctx.send(method, gatewayPath, { ...request, headers: Object.fromEntries(headers) }),
    );
    if (attempt === 1 && isTokenRetryCode(answer.error?.code)) {
      ctx.tokens.invalidate(token.token);
      continue;
    }
    return answer;
  }
}

/**
 * A tool call: resolves to the tool's own answer (any status the tool chose); a refusal by the
 * gateway is thrown as its typed error (PolicyDeniedError, RateLimitedError …).
 */
export async function callTool(
  ctx: ToolCallContext,
  tool: string,
  method: string,
  path: string,
  options: ToolCallOptions = {},
): Promise<Response> {
  assertRetryOnRateLimit(options.retryOnRateLimit, "retryOnRateLimit");
  const retry = options.retryOnRateLimit ?? ctx.retryOnRateLimit ?? false;
  const approvalWait = options.waitForApproval ?? ctx.waitForApproval ?? false;
  let waited = false;
  // The token request and then the call may each need an approval: one wait for each at most.
  const approvalsAwaited = new Set<string>();
  for (;;) {
    let answer: Awaited<ReturnType<typeof sendWithToken>>;
    try {
      answer = await sendWithToken(ctx, tool, method, path, options);
    } catch (thrown) {
      // The token request itself may be rate limited or need approval; those waits are the same decisions.
      if (!(thrown instanceof RateLimitedError || thrown instanceof ApprovalRequiredError)) throw thrown;
      answer = { response: new Response(null, { status: thrown.status }), error: thrown };
    }
    const { response, error } = answer;
    if (!error) return response;
    if (
      error instanceof ApprovalRequiredError &&
      approvalWait &&
      !approvalsAwaited.has(error.approvalId) &&
      approvalsAwaited.size < 2
    ) {
      approvalsAwaited.add(error.approvalId);
      await ctx.awaitApproval(error.approvalId, {
        ...approvalWait,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      continue;
    }
    const waitMs =
      error instanceof RateLimitedError && error.retryAfter !== null ? error.retryAfter * 1000 : null;
    if (retry && !waited && waitMs !== null && waitMs <= retry.maxWaitMs) {
      waited = true;
      await sleep(waitMs, options.signal);
      continue;
    }
    throw error;
  }
}

function isTokenRetryCode(code: string | undefined): boolean {
  return (TOKEN_RETRY_CODES as readonly string[]).includes(code ?? "");
}

function requiredScope(tool: string, method: string, path: string): string {
  const scope = scopeFor(tool, method, path);
  if (scope === undefined) {
    throw new TypeError(
      `no known ${tool} action for ${method.toUpperCase()} ${path.split("?", 1)[0]}: pass options.scopes`,
    );
  }
  return scope;
}
