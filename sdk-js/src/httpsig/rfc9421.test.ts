// RFC 9421 Appendix B.2.6 (Ed25519, deterministic): the SDK reproduces the exact signature
// base and signature from the RFC, and parses its own headers back.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBase64Url, toBase64 } from "../encoding.js";
import { keyPairFromSecretKey } from "../keys.js";
import { requestPartsFromUrl } from "./message.js";
import { createSignature } from "./sign.js";
import { buildSignatureBase } from "./signature-base.js";
import { parseSignatureField, parseSignatureInputField } from "./signature-fields.js";

// B.1.4 test-key-ed25519 (private JWK "d") and the B.2 test-request.
const TEST_KEY_D = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU";
const B2_REQUEST = {
  method: "POST",
  url: "https://example.com/foo?param=Value&Pet=dog",
  headers: {
    Host: "example.com",
    Date: "Tue, 20 Apr 2021 02:07:55 GMT",
    "Content-Type": "application/json",
    "Content-Digest":
      "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
    "Content-Length": "18",
  },
  body: '{"hello": "world"}',
};
const B26_BASE = [
  '"date": Tue, 20 Apr 2021 02:07:55 GMT',
  '"@method": POST',
  '"@path": /foo',
  '"@authority": example.com',
  '"content-type": application/json',
  '"content-length": 18',
  '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
].join("\n");
const B26_INPUT =
  'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"';
const B26_SIGNATURE =
  "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:";

describe("RFC 9421 B.2.6 signing a request using ed25519", () => {
  it("reproduces the signature base, Signature-Input and Signature", async () => {
    const key = await keyPairFromSecretKey(fromBase64Url(TEST_KEY_D)!);
    const result = await createSignature(B2_REQUEST, key, {
      label: "sig-b26",
      components: ["date", "@method", "@path", "@authority", "content-type", "content-length"],
      created: 1618884473,
      expires: null,
      nonce: null,
      alg: null,
      keyid: "test-key-ed25519",
      digestAlgorithm: "sha-512",
    });
    assert.equal(result.signatureBase, B26_BASE);
    assert.equal(result.headers["signature-input"], B26_INPUT);
    assert.equal(result.headers.signature, B26_SIGNATURE);
    assert.equal(result.headers["content-digest"], B2_REQUEST.headers["Content-Digest"]);
  });

  it("rebuilds the same base from the parsed Signature-Input (the verifier's path)", () => {
    const input = parseSignatureInputField(B26_INPUT).get("sig-b26")!;
    const headers = Object.fromEntries(
      Object.entries(B2_REQUEST.headers).map(([k, v]) => [k.toLowerCase(), v]),
    );
    assert.equal(buildSignatureBase(requestPartsFromUrl("POST", B2_REQUEST.url, headers), input), B26_BASE);
    const signature = parseSignatureField(B26_SIGNATURE).get("sig-b26")!;
    assert.equal(toBase64(signature), B26_SIGNATURE.slice("sig-b26=:".length, -1));
  });
});
