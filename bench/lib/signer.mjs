// Signs a request exactly as the SDK does (RFC 9421: the SDK's component list, base
// and field serialisation), with a fresh nonce and `created` per call, but with
// node:crypto's Ed25519 instead of the SDK's pure-JS signer, so the load process
// spends its core on load rather than on signing.
import { createPrivateKey, sign } from "node:crypto";
import {
  buildSignatureBase,
  contentDigest,
  generateNonce,
  profileComponents,
  requestPartsFromUrl,
  serializeSignatureField,
  serializeSignatureInputField,
  toComponentIdentifier,
} from "@agentgw/sdk/httpsig";

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** `secretKey`: the 32-byte seed. Returns sign(method, url, headers, body) → headers to add. */
export async function createSigner({ secretKey, kid }) {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(secretKey)]),
    format: "der",
    type: "pkcs8",
  });
  const digests = new Map();
  return async function signedHeaders(method, url, headers, body) {
    const out = { ...headers };
    if (body) {
      let digest = digests.get(body);
      if (!digest) {
        digest = await contentDigest(Buffer.from(body), "sha-256");
        digests.set(body, digest);
      }
      out["content-digest"] = digest;
    }
    const parts = requestPartsFromUrl(method, url, out);
    const components = profileComponents(parts, Boolean(body)).map(toComponentIdentifier);
    const created = Math.floor(Date.now() / 1000);
    const params = new Map([
      ["created", created],
      ["expires", created + 60],
      ["nonce", generateNonce()],
      ["keyid", kid],
      ["alg", "ed25519"],
    ]);
    const input = { components, params };
    const base = buildSignatureBase(parts, input);
    const signature = sign(null, Buffer.from(base), privateKey);
    out["signature-input"] = serializeSignatureInputField("sig1", input);
    out.signature = serializeSignatureField("sig1", new Uint8Array(signature));
    return out;
  };
}
