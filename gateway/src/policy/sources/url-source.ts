import { MAX_BUNDLE_BYTES, readBundle } from "../bundle.js";
import { policyInvalid } from "../policy-invalid.js";
import { contentHash } from "./fingerprint.js";
import type { PolicySource } from "./types.js";

const FETCH_TIMEOUT_MS = 30_000;

/**
 * A bundle served over HTTP(S), as OPA's bundle service protocol does it: the
 * ETag of the serving bundle goes back in If-None-Match and 304 means unchanged.
 */
export function createUrlSource(source: string): PolicySource {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw new Error("policy source is not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`policy source URL must be http or https, not ${url.protocol}`);
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
          redirect: "follow",
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
      if (declared > MAX_BUNDLE_BYTES) {
        await response.body?.cancel();
        throw policyInvalid("the bundle is too large", []);
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      const fingerprint = contentHash(bytes);
      const etag = response.headers.get("etag") ?? undefined;
      if (current?.fingerprint === fingerprint) return null;
      const bundle = await readBundle(bytes);
      return { bundle, fingerprint, revision: bundle.revision || fingerprint, ...(etag ? { etag } : {}) };
    },
  };
}
