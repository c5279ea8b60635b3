// Pure RFC 9421 verification: rebuild the §2.5 base from the received request and the
// re-serialized Signature-Input member, then Ed25519 (§3.3.6) with Node's crypto. No
// profile, clock or replay rules here, so the RFC's own vectors verify with this alone.
import { type KeyObject, verify } from "node:crypto";
import { buildSignatureBase, type HttpRequestParts, type SignatureInput } from "@agentgw/sdk/httpsig";

/**
 * True when `signature` is a valid Ed25519 signature over the base. Throws the SDK's
 * SignatureFormatError when no base can be built (missing header, unsupported component).
 */
export function verifyMessageSignature(
  request: HttpRequestParts,
  input: SignatureInput,
  signature: Uint8Array,
  publicKey: KeyObject,
): boolean {
  const base = buildSignatureBase(request, input);
  if (signature.length !== 64) return false;
  try {
    return verify(null, Buffer.from(base, "utf8"), publicKey, signature);
  } catch {
    return false;
  }
}
