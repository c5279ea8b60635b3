// Verifies the signature of an agent request, in the order of the checks' cost: the
// headers parse, one label is chosen, the profile and the clock are checked, the key is
// found, the digest matches the raw body, Ed25519 verifies, and only then the nonce is
// spent (so an unauthenticated caller cannot burn an agent's nonces).
import { createHash } from "node:crypto";
import {
  checkContentDigest,
  type HttpRequestParts,
  normalizeAuthority,
  parseSignatureField,
  parseSignatureInputField,
  requestPartsFromTarget,
  SignatureFormatError,
  type SignatureInput,
  serializeComponentIdentifier,
} from "@agentgw/sdk/httpsig";
import { GatewayError } from "../errors.js";
import { createKeyObjectCache } from "./key-objects.js";
import { type NonceCache, NonceCacheFullError } from "./nonce-cache.js";
import { checkProfile } from "./profile.js";
import { verifyMessageSignature } from "./verify-core.js";

/** The request as received, before any body parsing. */
export interface SignedRequest {
  method: string;
  /** host[:port] as received (Host, or :authority in HTTP/2). */
  authority: string;
  /** The raw request-target, e.g. "/v1/tools/x?q=a%20b". */
  pathAndQuery: string;
  /** Lower-case names; several lines of one field as an array (Node's IncomingHttpHeaders fits). */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  rawBody: Uint8Array | null;
}

export interface VerifiedSignature {
  kid: string;
  label: string;
  created: number;
  expires: number;
  nonce: string;
  tag?: string;
  /** Covered component identifiers as serialized, e.g. `"@method"`, in signed order. */
  components: string[];
}

/** The signature headers and request-target as parsed, with the request they were parsed from. */
interface ParsedSignature {
  request: Omit<SignedRequest, "rawBody">;
  parts: HttpRequestParts;
  label: string;
  input: SignatureInput;
  signature: Uint8Array;
}

/** What precheck found: the key named, and the parse the full verification reuses. */
export interface PrecheckedSignature {
  kid: string;
  readonly parsed: ParsedSignature;
}

/** What getKey finds: the raw 32-byte key, or the key with the agent that owns it. */
export type KeyLookup = Uint8Array | { publicKey: Uint8Array; owner: string } | null;

export interface SignatureVerifierOptions {
  /**
   * Raw public key of an ACTIVE key, or null when unknown or revoked; with `owner` (its agent), the nonce
   * cache counts the key's nonces against that agent's quota. Nothing is verified yet when called.
   */
  getKey(kid: string): Promise<KeyLookup> | KeyLookup;
  nonceCache: NonceCache;
  /** The host[:port] values agents sign as @authority (from the public URL). */
  authorities: readonly string[];
  /** Scheme of the public URL, used for @scheme / @target-uri and default ports; default "http". */
  scheme?: "http" | "https";
  /** Clock in milliseconds; default Date.now. */
  now?: () => number;
  skewSeconds?: number;
  maxAgeSeconds?: number;
  /** KeyObjects kept at once; default 10 000. */
  keyCacheSize?: number;
}

/** Header values past this size are refused before parsing (real ones are a few hundred bytes). */
const MAX_FIELD_LENGTH = 8192;
/** Labels past this count are refused: the profile uses one, intermediaries may add a few. */
const MAX_LABELS = 8;
const EMPTY = new Uint8Array(0);

export function createSignatureVerifier(options: SignatureVerifierOptions) {
  const { getKey, nonceCache } = options;
  const now = options.now ?? Date.now;
  const skew = options.skewSeconds ?? 30;
  const maxAge = options.maxAgeSeconds ?? 60;
  const scheme = options.scheme ?? "http";
  if (typeof getKey !== "function") throw new TypeError("getKey must be a function");
  if (typeof nonceCache?.remember !== "function") throw new TypeError("nonceCache must implement remember()");
  if (typeof now !== "function") throw new TypeError("now must be a function returning milliseconds");
  if (!Number.isFinite(skew) || skew < 0 || skew > 600) throw new RangeError("skewSeconds must be 0 to 600");
  if (!Number.isFinite(maxAge) || maxAge <= 0 || maxAge > 3600)
    throw new RangeError("maxAgeSeconds must be 1 to 3600");
  if (scheme !== "http" && scheme !== "https") throw new RangeError('scheme must be "http" or "https"');
  if (!Array.isArray(options.authorities) || options.authorities.length === 0) {
    throw new RangeError("authorities must list at least one host[:port]");
  }
  const authorities = new Set(
    options.authorities.map((authority) => {
      if (typeof authority !== "string" || !/^[^\s/?#@]+$/.test(authority)) {
        throw new RangeError(`authority ${JSON.stringify(authority)} must be a bare host[:port]`);
      }
      return normalizeAuthority(authority, scheme);
    }),
  );
  const keyObjects = createKeyObjectCache(options.keyCacheSize);

  /** Parses the signature headers and the request-target: the only costly part before the crypto. */
  function parse(req: Omit<SignedRequest, "rawBody">): ParsedSignature {
    const inputField = singleField(req.headers["signature-input"]);
    const signatureField = singleField(req.headers.signature);
    if (inputField === undefined || signatureField === undefined) {
      throw new GatewayError("signature_missing", "the request needs Signature-Input and Signature headers");
    }
    if (inputField.length > MAX_FIELD_LENGTH || signatureField.length > MAX_FIELD_LENGTH) {
      throw new GatewayError("signature_invalid", "a signature header is too large");
    }
    const parts = asInvalid(() =>
      requestPartsFromTarget(req.method, scheme, req.authority, req.pathAndQuery, req.headers),
    );
    const { label, input, signature } = asInvalid(() => selectSignature(inputField, signatureField));
    return { request: req, parts, label, input, signature };
  }

  /**
   * Everything else that needs no body, and is cheap, so it is checked again after the body is
   * read: the profile, the authority, the clock and an active key (it may have been revoked or
   * the signature may have expired while the body arrived). `hasBody` says whether the profile
   * must demand a covered content-digest.
   */
  async function admit(parsed: ParsedSignature, hasBody: boolean) {
    const { parts, input } = parsed;
    const params = checkProfile(parts, input, hasBody);
    if (!authorities.has(normalizeAuthority(parsed.request.authority, scheme))) {
      throw new GatewayError("signature_invalid", "signed for another authority");
    }

    const nowUnix = now() / 1000;
    if (params.created > nowUnix + skew) {
      throw new GatewayError("signature_invalid", "created is in the future beyond the allowed clock skew");
    }
    if (nowUnix - params.created > maxAge) {
      throw new GatewayError("signature_expired", `the signature is older than ${maxAge} seconds`);
    }
    if (nowUnix >= params.expires + skew)
      throw new GatewayError("signature_expired", "the signature has expired");

    const found = await getKey(params.keyid);
    if (found === null || found === undefined)
      throw new GatewayError("unknown_key", "keyid is not an active key");
    const { raw, owner } =
      found instanceof Uint8Array
        ? { raw: found, owner: params.keyid }
        : {
            raw: found.publicKey,
            owner: found.owner,
          };
    return { params, raw, owner };
  }

  /**
   * The cheap part of verification, before the body is read: a stranger without a well-formed
   * signature naming an active key gets its refusal without the gateway holding its upload.
   * The full verification after the body reuses what this parsed and repeats the cheap checks.
   */
  async function precheck(
    req: Omit<SignedRequest, "rawBody"> & { declaresBody: boolean },
  ): Promise<PrecheckedSignature> {
    const parsed = parse(req);
    const { params } = await admit(parsed, req.declaresBody);
    return { kid: params.keyid, parsed };
  }

  /**
   * The whole verification. `prechecked` (what precheck returned for this same request) saves
   * parsing the headers twice; one parsed from another request is ignored and parsing starts over.
   */
  async function verifySignature(
    req: SignedRequest,
    prechecked?: PrecheckedSignature,
  ): Promise<VerifiedSignature> {
    const rawBody = req.rawBody ?? EMPTY;
    const parsed = prechecked && sameRequest(prechecked.parsed.request, req) ? prechecked.parsed : parse(req);
    const { parts, label, input, signature } = parsed;
    const { params, raw, owner } = await admit(parsed, rawBody.length > 0);
    const publicKey = keyObjects.get(params.keyid, raw);

    if (input.components.some((c) => c.name === "content-digest")) await checkDigest(parts, rawBody);
    if (!asInvalid(() => verifyMessageSignature(parts, input, signature, publicKey))) {
      throw new GatewayError("signature_invalid", "the signature does not verify");
    }

    await rememberNonce(
      params.keyid,
      params.nonce,
      Math.min(params.created + maxAge, params.expires + skew),
      owner,
    );
    return {
      kid: params.keyid,
      label,
      created: params.created,
      expires: params.expires,
      nonce: params.nonce,
      ...(params.tag === undefined ? {} : { tag: params.tag }),
      components: input.components.map(serializeComponentIdentifier),
    };
  }

  return Object.assign(verifySignature, { precheck });

  async function rememberNonce(kid: string, nonce: string, keepUntil: number, owner: string): Promise<void> {
    let fresh: boolean;
    try {
      fresh = await nonceCache.remember(kid, nonce, keepUntil, owner);
    } catch (error) {
      if (!(error instanceof NonceCacheFullError)) throw error;
      throw new GatewayError("rate_limited", "too many signed requests in flight; retry later", {
        headers: { "Retry-After": String(error.retryAfterSeconds) },
      });
    }
    if (!fresh) throw new GatewayError("replay_detected", "this nonce was already used with this key");
  }
}

export type SignatureVerifier = ReturnType<typeof createSignatureVerifier>;

/**
 * RFC 9421 §3.2 leaves the choice of signature to the verifier. Ours: exactly one label must
 * appear in both fields (labels present in only one are ignored, e.g. one added by a proxy).
 */
function selectSignature(
  inputField: string,
  signatureField: string,
): { label: string; input: SignatureInput; signature: Uint8Array } {
  const inputs = parseSignatureInputField(inputField);
  const signatures = parseSignatureField(signatureField);
  if (inputs.size > MAX_LABELS || signatures.size > MAX_LABELS) {
    throw new SignatureFormatError("too many signature labels");
  }
  const labels = [...inputs.keys()].filter((label) => signatures.has(label));
  if (labels.length !== 1) {
    throw new SignatureFormatError(
      labels.length === 0
        ? "no label appears in both Signature-Input and Signature"
        : "more than one signature label; send exactly one",
    );
  }
  const label = labels[0]!;
  return { label, input: inputs.get(label)!, signature: signatures.get(label)! };
}

/** node:crypto hashes on this thread: no WebCrypto promise resolved from the thread pool per request. */
function nodeDigest(algorithm: "sha-256" | "sha-512", body: Uint8Array): Uint8Array {
  return createHash(algorithm === "sha-256" ? "sha256" : "sha512")
    .update(body)
    .digest();
}

async function checkDigest(parts: HttpRequestParts, body: Uint8Array): Promise<void> {
  const field = singleField(parts.headers["content-digest"]);
  if (field === undefined)
    throw new GatewayError("signature_invalid", 'covered header "content-digest" is missing');
  const result = await checkContentDigest(field, body, nodeDigest);
  if (result.ok) return;
  const detail = {
    malformed: "Content-Digest is not a valid structured-field dictionary of byte sequences",
    "no-supported-algorithm": "Content-Digest needs a sha-256 or sha-512 member",
    mismatch: "Content-Digest does not match the body received",
  }[result.reason];
  throw new GatewayError("digest_mismatch", detail);
}

/** The same request: the very same header object, method and target (a parse is never carried over). */
function sameRequest(a: Omit<SignedRequest, "rawBody">, b: SignedRequest): boolean {
  return (
    a.headers === b.headers &&
    a.method === b.method &&
    a.authority === b.authority &&
    a.pathAndQuery === b.pathAndQuery
  );
}

/** Several field lines of one name are combined as RFC 9110 §5.3 says, then parsed once. */
function singleField(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : value.length === 0 ? undefined : value.join(", ");
}

function asInvalid<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof SignatureFormatError) throw new GatewayError("signature_invalid", error.message);
    throw error;
  }
}
