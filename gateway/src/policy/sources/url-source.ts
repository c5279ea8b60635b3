import { MAX_BUNDLE_BYTES, readBundle } from "../bundle.js";
import { policyInvalid } from "../policy-invalid.js";
import { contentHash } from "./fingerprint.js";
import type { PolicySource } from "./types.js";

const FETCH_TIMEOUT_MS = 30_000;

/**
 * A bundle served over HTTP(S), as OPA's bundle service protocol does it: the
 * ETag of the serving bundle goes back in If-None-Match and 304 means unchanged.
 */
export function createUrlSource(source: string, options: { maxBytes?: number } = {}): PolicySource {
  const maxBytes = options.maxBytes ?? MAX_BUNDLE_BYTES;
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw new Error("policy source is not a valid URL");
  }
  // The policy decides everything: a bundle read over plain http could be swapped by anyone
  // on the path. Loopback is the one exception (a sidecar bundle server, tests).
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new Error(
      `policy source URL must be https (plain http only on loopback), not ${url.protocol}//${url.hostname}`,
    );
  }
  // Credentials or tokens in the URL stay out of status and logs.
  const description = `${url.origin}${url.pathname}`;

  return {
    kind: "url",
    description,
    async load(current) {
      const headers: Record<string, string> = { accept: "application/gzip, application/octet-stream" };
      if (current?.etag) headers["if-none-match"] = current.etag;
      let response: Response;
      try {
        response = await fetch(url, {
          headers,
          signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
          // A redirect could lead to plain http or anywhere else: the URL must serve the bundle itself.
          redirect: "error",
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw policyInvalid(`the bundle could not be fetched from ${description}: ${reason}`, []);
      }
      if (response.status === 304 && current) return null;
      if (response.status !== 200) {
        await response.body?.cancel();
        throw policyInvalid(`the bundle server answered ${response.status} for ${description}`, []);
      }
      const declared = Number(response.headers.get("content-length") ?? "0");
      if (declared > maxBytes) {
        await response.body?.cancel();
        throw policyInvalid("the bundle is too large", []);
      }
      const bytes = await readCapped(response, maxBytes);
      const fingerprint = contentHash(bytes);
      const etag = response.headers.get("etag") ?? undefined;
      if (current?.fingerprint === fingerprint) return null;
      const bundle = await readBundle(bytes);
      return { bundle, fingerprint, revision: bundle.revision || fingerprint, ...(etag ? { etag } : {}) };
    },
  };
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Reads the body, giving up as soon as it passes `limit` (a missing Content-Length bounds nothing). */
async function readCapped(response: Response, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw policyInvalid("the bundle is too large", []);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
