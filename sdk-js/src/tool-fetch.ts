// `fetchFor(tool)` and `baseUrlFor(tool)`: official clients (openai, googleapis …) work through the
// gateway unchanged — they only get the gateway's URL for the tool and this fetch, which swaps their
// own credential for the tool token and signs. Answers come back as Responses, gateway problems
// included, so the client reports them its own way.
import type { FetchLike } from "./signed-fetch.js";
import { sendWithToken, type ToolCallContext, toolPrefix } from "./tool-call.js";
import { clientBasePath, clientOrigin } from "./tools/catalog.js";

export interface ToolFetchOptions {
  /** The token's scopes; default the scope each request's action needs. */
  scopes?: readonly string[];
  intent?: string;
}

/** e.g. `https://gateway.example/v1/tools/openai/v1` for `new OpenAI({ baseURL })`. */
export function toolBaseUrl(baseUrl: URL, tool: string): string {
  return baseUrl.href.replace(/\/+$/, "") + toolPrefix(tool) + clientBasePath(tool);
}

export function createToolFetch(
  ctx: ToolCallContext,
  baseUrl: URL,
  tool: string,
  options: ToolFetchOptions = {},
): FetchLike {
  const prefix = baseUrl.href.replace(/\/+$/, "") + toolPrefix(tool);
  if (options.scopes !== undefined && (!Array.isArray(options.scopes) || options.scopes.length === 0)) {
    throw new TypeError("options.scopes must be a non-empty array when given");
  }
  return async function toolFetch(input, init) {
    const request =
      input instanceof Request
        ? new Request(input, withDuplex(init))
        : new Request(String(input), withDuplex(init));
    // A client that only calls the tool's own origin (googleapis) is mapped onto the gateway.
    const origin = clientOrigin(tool);
    const url =
      origin && request.url.startsWith(`${origin}/`)
        ? prefix + request.url.slice(origin.length)
        : request.url;
    // The token only ever goes to this tool's routes on this gateway.
    if (!url.startsWith(`${prefix}/`)) {
      throw new TypeError(`fetchFor("${tool}") sends only below ${prefix}/, not to ${request.url}`);
    }
    const headers = new Headers(request.headers);
    headers.delete("authorization");
    const body = request.body === null ? undefined : new Uint8Array(await request.arrayBuffer());
    const { response } = await sendWithToken(ctx, tool, request.method, url.slice(prefix.length), {
      headers,
      ...(body === undefined ? {} : { body }),
      signal: request.signal,
      ...(options.scopes ? { scopes: options.scopes } : {}),
      ...(options.intent === undefined ? {} : { intent: options.intent }),
    });
    return response;
  };
}

/** Streamed bodies need `duplex: "half"` in Node's Request; browsers ignore it. */
function withDuplex(init: RequestInit | undefined): RequestInit | undefined {
  return init?.body ? ({ ...init, duplex: "half" } as RequestInit) : init;
}
