// RFC 9530 Content-Digest: a Dictionary of algorithm → Byte Sequence of the digest of the
// content bytes. Computed with WebCrypto so it runs in browsers, edge runtimes and Node.
import { parseDictionary, serializeDictionary } from "structured-headers";
import { isInnerList } from "./components.js";

export type DigestAlgorithm = "sha-256" | "sha-512";

const WEBCRYPTO_NAMES: Readonly<Record<DigestAlgorithm, string>> = {
  "sha-256": "SHA-256",
  "sha-512": "SHA-512",
};

function isDigestAlgorithm(name: string): name is DigestAlgorithm {
  return Object.hasOwn(WEBCRYPTO_NAMES, name);
}

async function digest(algorithm: DigestAlgorithm, body: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(WEBCRYPTO_NAMES[algorithm], body as BufferSource));
}

/** The Content-Digest field value for `body`, e.g. `sha-256=:X48E…=:`. */
export async function contentDigest(
  body: Uint8Array,
  algorithm: DigestAlgorithm = "sha-256",
): Promise<string> {
  if (!isDigestAlgorithm(algorithm))
    throw new RangeError(`unsupported digest algorithm ${String(algorithm)}`);
  return serializeDictionary(
    new Map([[algorithm, [(await digest(algorithm, body)) as BufferSource, new Map()]]]),
  );
}

export type DigestCheck =
  | { ok: true; algorithms: DigestAlgorithm[] }
  | { ok: false; reason: "malformed" | "no-supported-algorithm" | "mismatch" };

/** Computes a digest; a server may pass a synchronous one (node:crypto) to skip WebCrypto's round trip. */
export type DigestFunction = (
  algorithm: DigestAlgorithm,
  body: Uint8Array,
) => Uint8Array | Promise<Uint8Array>;

/**
 * Checks a received Content-Digest against the bytes received. Every sha-256 / sha-512
 * member must match; other (deprecated or unknown) algorithms are ignored, and at least one
 * supported member is required so a digest cannot be dodged with `md5=…` alone.
 */
export async function checkContentDigest(
  fieldValue: string,
  body: Uint8Array,
  digestOf: DigestFunction = digest,
): Promise<DigestCheck> {
  let members: ReturnType<typeof parseDictionary>;
  try {
    members = parseDictionary(fieldValue);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const checked: DigestAlgorithm[] = [];
  for (const [name, member] of members) {
    if (!isDigestAlgorithm(name)) continue;
    if (isInnerList(member) || !(member[0] instanceof ArrayBuffer)) return { ok: false, reason: "malformed" };
    if (!equalBytes(new Uint8Array(member[0]), await digestOf(name, body)))
      return { ok: false, reason: "mismatch" };
    checked.push(name);
  }
  return checked.length === 0
    ? { ok: false, reason: "no-supported-algorithm" }
    : { ok: true, algorithms: checked };
}

/** Digests are public values, so a plain comparison leaks nothing worth a timing attack. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
