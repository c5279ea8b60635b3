import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBase64Url, toBase64Url } from "./encoding.js";
import { InvalidPublicKeyError, keyId, keyPairFromJwk, parsePublicKey, thumbprintInput } from "./keys.js";

// RFC 8037 Appendix A and RFC 9421 B.1.4, as recorded in shared/reference/STANDARDS.md.
const RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const RFC9421_X = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs";

describe("keyId (RFC 7638 thumbprint)", () => {
  it("matches RFC 8037 A.3", async () => {
    const pub = fromBase64Url(RFC8037_X)!;
    assert.equal(thumbprintInput(pub), `{"crv":"Ed25519","kty":"OKP","x":"${RFC8037_X}"}`);
    assert.equal(await keyId(pub), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
  });
  it("matches the RFC 9421 test key's thumbprint", async () => {
    assert.equal(await keyId(fromBase64Url(RFC9421_X)!), "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U");
  });
  it("derives the public key from the RFC 8037 private JWK", async () => {
    const pair = await keyPairFromJwk({
      kty: "OKP",
      crv: "Ed25519",
      d: "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
      x: RFC8037_X,
    });
    assert.equal(pair.kid, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
  });
});

describe("parsePublicKey", () => {
  it("accepts base64url, a JWK object and JWK JSON text", () => {
    const expected = fromBase64Url(RFC9421_X)!;
    assert.deepEqual(parsePublicKey(RFC9421_X), expected);
    assert.deepEqual(parsePublicKey({ kty: "OKP", crv: "Ed25519", x: RFC9421_X }), expected);
    assert.deepEqual(parsePublicKey(JSON.stringify({ kty: "OKP", crv: "Ed25519", x: RFC9421_X })), expected);
  });
  const bad: Array<[string, unknown, RegExp]> = [
    ["wrong length", toBase64Url(new Uint8Array(31).fill(1)), /32 bytes, got 31/],
    ["padded base64", `${RFC9421_X}=`, /not base64url/],
    ["standard base64 alphabet", "JrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs", /not base64url/],
    ["wrong kty", { kty: "EC", crv: "Ed25519", x: RFC9421_X }, /kty/],
    ["wrong crv", { kty: "OKP", crv: "X25519", x: RFC9421_X }, /crv/],
    ["private JWK", { kty: "OKP", crv: "Ed25519", x: RFC9421_X, d: RFC9421_X }, /private/],
    ["number", 42, /base64url string or an OKP JWK/],
    ["broken JSON", "{not json", /does not parse/],
  ];
  for (const [name, input, message] of bad) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parsePublicKey(input),
        (e: unknown) => e instanceof InvalidPublicKeyError && message.test(e.message),
      );
    });
  }
  it("refuses 32 bytes that are not a curve point", () => {
    // y = 2 has no x on Ed25519 (x^2 = (y^2-1)/(d*y^2+1) is not a square), a classic off-curve encoding.
    const notOnCurve = new Uint8Array(32);
    notOnCurve[0] = 2;
    assert.throws(() => parsePublicKey(toBase64Url(notOnCurve)), /not a point on the Ed25519 curve/);
  });
});
