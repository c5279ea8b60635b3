// The contract's signature profile (CONTRACT.md §3) on top of RFC 9421: which components
// must be covered and which parameters must be present, checked before any crypto.
import {
  type HttpRequestParts,
  hasQuery,
  type SignatureInput,
  signatureParameters,
} from "@agentgw/sdk/httpsig";
import { GatewayError } from "../errors.js";

export const MAX_LIFETIME_SECONDS = 300;
const NONCE_PATTERN = /^[A-Za-z0-9+/_-]{22,256}$|^(?=.{22,256}$)[A-Za-z0-9+/]+={1,2}$/;
const MAX_KEYID_LENGTH = 256;

/** The parameters the profile guarantees, typed. */
export interface ProfileParameters {
  created: number;
  expires: number;
  nonce: string;
  keyid: string;
  tag?: string;
}

export function checkProfile(
  request: HttpRequestParts,
  input: SignatureInput,
  hasBody: boolean,
): ProfileParameters {
  const covered = new Set(input.components.filter((c) => c.params.size === 0).map((c) => c.name));
  const required = ["@method", "@authority", "@path"];
  if (hasQuery(request)) required.push("@query");
  if (hasBody) required.push("content-digest");
  if (request.headers.authorization !== undefined) required.push("authorization");
  for (const name of required) {
    if (!covered.has(name)) invalid(`the signature must cover "${name}"`);
  }

  const params = signatureParameters(input);
  const { created, expires, nonce, keyid, alg, tag } = params;
  if (created === undefined) invalid("the signature must have a created parameter");
  if (expires === undefined) invalid("the signature must have an expires parameter");
  if (expires <= created) invalid("expires must be after created");
  if (expires - created > MAX_LIFETIME_SECONDS) {
    invalid(`expires - created must be at most ${MAX_LIFETIME_SECONDS} seconds`);
  }
  if (nonce === undefined) invalid("the signature must have a nonce parameter");
  if (!NONCE_PATTERN.test(nonce)) invalid("nonce must be 22 to 256 characters of base64 or base64url");
  if (keyid === undefined || keyid === "") invalid("the signature must have a keyid parameter");
  if (keyid.length > MAX_KEYID_LENGTH) invalid("keyid is too long");
  if (alg !== undefined && alg !== "ed25519") invalid('alg must be "ed25519" when present');
  return tag === undefined ? { created, expires, nonce, keyid } : { created, expires, nonce, keyid, tag };
}

function invalid(detail: string): never {
  throw new GatewayError("signature_invalid", detail);
}
