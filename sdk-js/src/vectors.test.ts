// The shared vectors in test/vectors (also read by the gateway and the Python SDK): the SDK
// computes the same thumbprints and digests and reproduces every valid signature exactly.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fromBase64, fromBase64Url } from "./encoding.js";
import { contentDigest } from "./httpsig/content-digest.js";
import { createSignature } from "./httpsig/sign.js";
import { keyId, keyPairFromSecretKey } from "./keys.js";

const read = (file: string) =>
  JSON.parse(readFileSync(new URL(`../../test/vectors/${file}`, import.meta.url), "utf8"));

describe("vectors: thumbprints.json", () => {
  for (const v of read("thumbprints.json") as { name: string; publicKey: string; kid: string }[]) {
    it(v.name, async () => assert.equal(await keyId(fromBase64Url(v.publicKey)!), v.kid));
  }
});

describe("vectors: content-digests.json", () => {
  for (const v of read("content-digests.json") as Record<string, string>[]) {
    it(v.name!, async () => {
      const body = fromBase64(v.bodyBase64!)!;
      assert.equal(await contentDigest(body, "sha-256"), v["sha-256"]);
      assert.equal(await contentDigest(body, "sha-512"), v["sha-512"]);
    });
  }
});

describe("vectors: signatures.json (valid)", () => {
  const { keys, valid } = read("signatures.json");
  for (const v of valid) {
    it(`${v.name} (${v.profile})`, async () => {
      const pair = await keyPairFromSecretKey(fromBase64Url(keys[v.key].secretKey)!);
      assert.equal(pair.kid, keys[v.key].kid);
      const { created, expires, nonce, keyid, alg, tag } = v.params;
      const digestAlgorithm = v.contentDigest?.startsWith("sha-512") ? "sha-512" : "sha-256";
      const result = await createSignature(
        { ...v.request, body: v.request.bodyBase64 === null ? null : fromBase64(v.request.bodyBase64) },
        pair,
        {
          label: v.label,
          components: v.components,
          created,
          expires: expires ?? null,
          nonce: nonce ?? null,
          keyid,
          alg: alg ?? null,
          ...(tag === undefined ? {} : { tag }),
          digestAlgorithm,
        },
      );
      assert.deepEqual(
        Object.keys(Object.fromEntries(result.params)),
        Object.keys(v.params),
        "parameter order",
      );
      assert.equal(result.signatureBase, v.signatureBase);
      assert.equal(result.headers["signature-input"], v.signatureInput);
      assert.equal(result.headers.signature, v.signature);
      assert.equal(result.headers["content-digest"] ?? null, v.contentDigest);
    });
  }
});
