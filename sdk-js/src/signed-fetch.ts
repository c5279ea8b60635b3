// A fetch that signs every request (RFC 9421, the contract profile) before sending it, so
// any client that accepts a custom fetch (the official openai client, ky, …) goes through
// the gateway. The body is buffered once: its digest must be known before the first byte.
import { type SigningKey, type SignOptions, signRequest } from "./httpsig/sign.js";

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface SignedFetchOptions {
  /** The fetch that sends the signed request; default globalThis.fetch. */
  fetch?: FetchLike;
  /** Resolves relative URLs: "/v1/whoami" → baseUrl + "/v1/whoami" (base path kept). */
  baseUrl?: string | URL;
  /** Fixed label or tag; created, expires and nonce stay fresh per request. */
  sign?: Pick<SignOptions, "label" | "tag" | "digestAlgorithm">;
}

export function assertSigningKey(key: SigningKey): void {
  if (!(key?.secretKey instanceof Uint8Array) || key.secretKey.length !== 32) {
    throw new TypeError("key.secretKey must be a 32-byte Ed25519 seed (use generateKeyPair or a key loader)");
  }
  if (typeof key.kid !== "string" || key.kid === "")
    throw new TypeError("key.kid must be the key's thumbprint");
}

export function createSignedFetch(key: SigningKey, options: SignedFetchOptions = {}): FetchLike {
  assertSigningKey(key);
  const send = options.fetch ?? globalThis.fetch;
  if (typeof send !== "function") throw new TypeError("no fetch available: pass options.fetch");
  const base = options.baseUrl === undefined ? undefined : parseBaseUrl(options.baseUrl);
  const signOptions = options.sign ?? {};

  return async function signedFetch(input, init) {
    const request =
      input instanceof Request
        ? new Request(input, withDuplex(init))
        : new Request(resolve(input, base), withDuplex(init));
    const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
    const signature = await signRequest(
      { method: request.method, url: request.url, headers: request.headers, body },
      key,
      signOptions,
    );
    const headers = new Headers(request.headers);
    for (const [name, value] of Object.entries(signature)) headers.set(name, value);
    return send(request.url, {
      ...init,
      method: request.method,
      headers,
      body: body as BodyInit | null,
      signal: request.signal,
      redirect: request.redirect,
      credentials: request.credentials,
      cache: request.cache,
      integrity: request.integrity,
      keepalive: request.keepalive,
      referrerPolicy: request.referrerPolicy,
    });
  };
}

function parseBaseUrl(value: string | URL): URL {
  const url = new URL(String(value));
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new TypeError("baseUrl must be an http(s) URL");
  return url;
}

/** Relative URLs are appended to the base path, unlike `new URL(path, base)` which drops it. */
function resolve(input: string | URL, base: URL | undefined): string {
  const text = String(input);
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) return text;
  if (base === undefined) throw new TypeError(`cannot sign the relative URL ${text} without options.baseUrl`);
  return base.href.replace(/\/+$/, "") + (text.startsWith("/") ? text : `/${text}`);
}

/** Streamed bodies need `duplex: "half"` in Node's Request; browsers ignore it. */
function withDuplex(init: RequestInit | undefined): RequestInit | undefined {
  return init?.body ? ({ ...init, duplex: "half" } as RequestInit) : init;
}
