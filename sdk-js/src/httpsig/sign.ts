// Signing a request with the contract profile (CONTRACT.md §3): label sig1, the covered
// components the gateway requires, then created, expires, nonce, keyid, alg in that order.
import * as ed from "@noble/ed25519";
import type { BareItem } from "structured-headers";
import { randomBytes, toBase64Url, utf8 } from "../encoding.js";
import type { AgentKeyPair } from "../keys.js";
import { type ComponentIdentifier, type ComponentInput, toComponentIdentifier } from "./components.js";
import { contentDigest, type DigestAlgorithm } from "./content-digest.js";
import {
  type HeaderFields,
  type HttpRequestParts,
  hasQuery,
  requestPartsFromUrl,
  toHeaderFields,
} from "./message.js";
import { buildSignatureBase } from "./signature-base.js";
import {
  type SignatureInput,
  serializeSignatureField,
  serializeSignatureInputField,
} from "./signature-fields.js";

/** What to sign: the request as it will go on the wire. */
export interface SignableRequest {
  method: string;
  /** Absolute URL (scheme, host, path and query as sent). */
  url: string | URL;
  headers?: Headers | Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The exact body bytes (a string is sent as UTF-8); null or absent for no body. */
  body?: Uint8Array | string | null;
}

/** The key that signs: only the seed and its kid are needed. */
export type SigningKey = Pick<AgentKeyPair, "secretKey" | "kid">;

export interface SignOptions {
  /** Signature label; default "sig1". */
  label?: string;
  /** Covered components in order; default {@link profileComponents}. */
  components?: readonly ComponentInput[];
  /** Unix seconds; default now. */
  created?: number;
  /** Unix seconds, null to omit; default created + 60. */
  expires?: number | null;
  /** Null to omit; default 32 fresh random bytes as base64url. Fix it only for test vectors. */
  nonce?: string | null;
  /** Default the key's RFC 7638 thumbprint. */
  keyid?: string;
  /** Null to omit; default "ed25519". */
  alg?: string | null;
  tag?: string;
  /** Algorithm of the Content-Digest added when there is a body; default sha-256. */
  digestAlgorithm?: DigestAlgorithm;
}

// A type alias (not an interface) so it is assignable to Record<string, string>.
export type SignatureHeaders = {
  "content-digest"?: string;
  "signature-input": string;
  signature: string;
};

export interface SignatureResult {
  /** The headers to add to the request. */
  headers: SignatureHeaders;
  label: string;
  components: ComponentIdentifier[];
  params: Map<string, BareItem>;
  /** The exact RFC 9421 §2.5 base that was signed (for tests and debugging). */
  signatureBase: string;
  signature: Uint8Array;
}

export const DEFAULT_LABEL = "sig1";
export const DEFAULT_LIFETIME_SECONDS = 60;

/** The contract's covered components for this request, in the order the SDK signs them. */
export function profileComponents(request: HttpRequestParts, hasBody: boolean): string[] {
  const components = ["@method", "@authority", "@path"];
  if (hasQuery(request)) components.push("@query");
  if (hasBody) components.push("content-digest");
  if (request.headers.authorization !== undefined) components.push("authorization");
  return components;
}

/** A fresh nonce: 32 random bytes (256 bits), base64url, 43 characters. */
export function generateNonce(): string {
  return toBase64Url(randomBytes(32));
}

export async function createSignature(
  request: SignableRequest,
  key: SigningKey,
  options: SignOptions = {},
): Promise<SignatureResult> {
  const body = typeof request.body === "string" ? utf8(request.body) : (request.body ?? null);
  const headers: Record<string, string | string[]> = toHeaderFields(request.headers);
  const added: Partial<SignatureHeaders> = {};
  if (body !== null) {
    added["content-digest"] = await contentDigest(body, options.digestAlgorithm ?? "sha-256");
    headers["content-digest"] = added["content-digest"];
  }
  const parts = requestPartsFromUrl(request.method, request.url, headers as HeaderFields);
  const components = (options.components ?? profileComponents(parts, body !== null)).map(
    toComponentIdentifier,
  );

  const created = options.created ?? Math.floor(Date.now() / 1000);
  const params = new Map<string, BareItem>([["created", created]]);
  const expires = options.expires === undefined ? created + DEFAULT_LIFETIME_SECONDS : options.expires;
  if (expires !== null) params.set("expires", expires);
  const nonce = options.nonce === undefined ? generateNonce() : options.nonce;
  if (nonce !== null) params.set("nonce", nonce);
  params.set("keyid", options.keyid ?? key.kid);
  const alg = options.alg === undefined ? "ed25519" : options.alg;
  if (alg !== null) params.set("alg", alg);
  if (options.tag !== undefined) params.set("tag", options.tag);

  const label = options.label ?? DEFAULT_LABEL;
  const input: SignatureInput = { components, params };
  const signatureBase = buildSignatureBase(parts, input);
  // §3.3.6: Ed25519 over the base bytes, no pre-hash.
  const signature = await ed.signAsync(utf8(signatureBase), key.secretKey);
  return {
    headers: {
      ...added,
      "signature-input": serializeSignatureInputField(label, input),
      signature: serializeSignatureField(label, signature),
    },
    label,
    components,
    params,
    signatureBase,
    signature,
  };
}

/** Signs `request` and returns the headers to add: Content-Digest (with a body), Signature-Input, Signature. */
export async function signRequest(
  request: SignableRequest,
  key: SigningKey,
  options?: SignOptions,
): Promise<SignatureHeaders> {
  return (await createSignature(request, key, options)).headers;
}
