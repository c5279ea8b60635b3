import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { utf8 } from "../encoding.js";
import { checkContentDigest, contentDigest } from "./content-digest.js";

// RFC 9530 Appendix D and §2 / B.1 examples, as recorded in STANDARDS.md §2.
const HELLO = utf8('{"hello": "world"}');
const HELLO_256 = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:";
const HELLO_512 =
  "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";

describe("contentDigest (RFC 9530)", () => {
  it("computes the RFC's sha-256 and sha-512 values", async () => {
    assert.equal(await contentDigest(HELLO), HELLO_256);
    assert.equal(await contentDigest(HELLO, "sha-512"), HELLO_512);
    assert.equal(
      await contentDigest(utf8('{"hello": "world"}\n')),
      "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:",
    );
    assert.equal(
      await contentDigest(new Uint8Array(0)),
      "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:",
    );
  });

  it("refuses an algorithm it does not implement", async () => {
    await assert.rejects(contentDigest(HELLO, "md5" as "sha-256"), RangeError);
  });
});

describe("checkContentDigest", () => {
  it("accepts sha-256, sha-512 and both together", async () => {
    assert.deepEqual(await checkContentDigest(HELLO_256, HELLO), { ok: true, algorithms: ["sha-256"] });
    assert.deepEqual(await checkContentDigest(HELLO_512, HELLO), { ok: true, algorithms: ["sha-512"] });
    assert.deepEqual(await checkContentDigest(`${HELLO_512}, ${HELLO_256}`, HELLO), {
      ok: true,
      algorithms: ["sha-512", "sha-256"],
    });
  });

  it("reports a mismatch when one byte differs or any supported member is wrong", async () => {
    assert.deepEqual(await checkContentDigest(HELLO_256, utf8('{"hello": "world!"}')), {
      ok: false,
      reason: "mismatch",
    });
    const wrong512 = "sha-512=:AAAA:";
    assert.deepEqual(await checkContentDigest(`${HELLO_256}, ${wrong512}`, HELLO), {
      ok: false,
      reason: "mismatch",
    });
  });

  it("ignores deprecated algorithms but needs a supported one", async () => {
    assert.deepEqual(await checkContentDigest("md5=:AAAA:", HELLO), {
      ok: false,
      reason: "no-supported-algorithm",
    });
    assert.deepEqual(await checkContentDigest(`md5=:AAAA:, ${HELLO_256}`, HELLO), {
      ok: true,
      algorithms: ["sha-256"],
    });
  });

  it("reports malformed fields instead of throwing", async () => {
    for (const value of ["sha-256=X48E", "sha-256=(:AAAA:)", "sha-256=:not base64:", "\u0000", "=:"]) {
      assert.deepEqual(await checkContentDigest(value, HELLO), { ok: false, reason: "malformed" }, value);
    }
  });
});
