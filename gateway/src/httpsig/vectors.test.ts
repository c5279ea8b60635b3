// The shared vectors (test/vectors/signatures.json): every valid one verifies, every invalid
// one fails with its contract code. B.2.6 (no nonce, no expires) goes through the RFC core only.
import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import { describe, it } from "node:test";
import { parseSignatureField, parseSignatureInputField, requestPartsFromTarget } from "@agentgw/sdk/httpsig";
import { GatewayError } from "../errors.js";
import { createMemoryNonceCache } from "./nonce-cache.js";
import { loadSignatureVectors, splitUrl, toSignedRequest } from "./testing/vectors.js";
import { createSignatureVerifier } from "./verifier.js";
import { verifyMessageSignature } from "./verify-core.js";

const vectors = loadSignatureVectors();
const publicKeys = new Map(
  Object.values(vectors.keys).map((k) => [k.kid, new Uint8Array(Buffer.from(k.publicKey, "base64url"))]),
);

function verifierFor(url: string, nowSeconds: number) {
  const { scheme, authority } = splitUrl(url);
  return createSignatureVerifier({
    getKey: (kid) => publicKeys.get(kid) ?? null,
    nonceCache: createMemoryNonceCache({ now: () => nowSeconds * 1000 }),
    authorities: [authority],
    scheme,
    now: () => nowSeconds * 1000,
    skewSeconds: 30,
    maxAgeSeconds: 60,
  });
}

describe("signature vectors: valid", () => {
  for (const vector of vectors.valid.filter((v) => v.profile === "agentgw")) {
    it(`${vector.name} verifies with the contract profile`, async () => {
      const created = Number(vector.params.created);
      const headers: Record<string, string> = {
        "signature-input": vector.signatureInput,
        signature: vector.signature,
      };
      if (vector.contentDigest !== null) headers["content-digest"] = vector.contentDigest;
      const verified = await verifierFor(
        vector.request.url,
        created + 1,
      )(toSignedRequest(vector.request, headers));
      assert.equal(verified.kid, vectors.keys[vector.key]!.kid);
      assert.equal(verified.label, vector.label);
      assert.equal(verified.nonce, vector.params.nonce);
      assert.deepEqual(
        verified.components,
        vector.components.map((c) => JSON.stringify(c)),
      );
    });
  }

  for (const vector of vectors.valid.filter((v) => v.profile === "rfc9421-only")) {
    it(`${vector.name} verifies with the RFC 9421 core (no profile)`, () => {
      const { scheme, authority, target } = splitUrl(vector.request.url);
      const parts = requestPartsFromTarget(
        vector.request.method,
        scheme,
        authority,
        target,
        vector.request.headers,
      );
      const input = parseSignatureInputField(vector.signatureInput).get(vector.label)!;
      const signature = parseSignatureField(vector.signature).get(vector.label)!;
      const key = createPublicKey({
        key: { kty: "OKP", crv: "Ed25519", x: vectors.keys[vector.key]!.publicKey },
        format: "jwk",
      });
      assert.equal(verifyMessageSignature(parts, input, signature, key), true);
      const tampered = { ...parts, method: "PUT" };
      assert.equal(verifyMessageSignature(tampered, input, signature, key), false);
    });
  }
});

describe("signature vectors: invalid", () => {
  for (const vector of vectors.invalid) {
    it(`${vector.name} → ${vector.expectedCode}`, async () => {
      const verify = verifierFor(vector.request.url, vector.now);
      await assert.rejects(verify(toSignedRequest(vector.request)), (error: unknown) => {
        assert.ok(error instanceof GatewayError, `expected a GatewayError, got ${String(error)}`);
        assert.equal(error.code, vector.expectedCode, error.detail);
        return true;
      });
    });
  }
});
