// Reads the shared signature vectors (test/vectors/signatures.json) and turns a vector's
// request into what the HTTP layer hands the verifier: raw authority and request-target.
import { readFileSync } from "node:fs";
import type { SignedRequest } from "../verifier.js";

export interface VectorRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyBase64: string | null;
}

export interface SignatureVectors {
  keys: Record<string, { secretKey: string; publicKey: string; kid: string }>;
  valid: {
    name: string;
    key: string;
    request: VectorRequest;
    label: string;
    components: string[];
    params: Record<string, string | number>;
    signatureInput: string;
    signatureBase: string;
    signature: string;
    contentDigest: string | null;
    profile: "agentgw" | "rfc9421-only";
  }[];
  invalid: { name: string; request: VectorRequest; now: number; expectedCode: string; reason: string }[];
}

export function loadSignatureVectors(): SignatureVectors {
  const url = new URL("../../../../test/vectors/signatures.json", import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as SignatureVectors;
}

/** Splits the URL text without normalizing it, as a server sees Host and the request line. */
export function splitUrl(url: string): { scheme: "http" | "https"; authority: string; target: string } {
  const match = /^(https?):\/\/([^/?#]+)(.*)$/i.exec(url);
  if (!match) throw new Error(`vector URL ${url} is not absolute http(s)`);
  return {
    scheme: match[1]!.toLowerCase() as "http" | "https",
    authority: match[2]!,
    target: match[3] || "/",
  };
}

export function toSignedRequest(
  request: VectorRequest,
  extraHeaders: Record<string, string> = {},
): SignedRequest {
  const { authority, target } = splitUrl(request.url);
  return {
    method: request.method,
    authority,
    pathAndQuery: target,
    headers: { ...request.headers, ...extraHeaders },
    rawBody: request.bodyBase64 === null ? null : new Uint8Array(Buffer.from(request.bodyBase64, "base64")),
  };
}
