import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { GatewayError } from "../errors.js";
import { readBundle } from "./bundle.js";
import { buildBundle, cleanupFixtures } from "./testing/opa-fixtures.js";

after(cleanupFixtures);

const isPolicyInvalid = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof GatewayError);
  assert.equal(error.code, "policy_invalid");
  assert.match(error.detail, pattern);
  return true;
};

describe("readBundle", () => {
  test("reads policy.wasm, data.json and the manifest revision of an opa build bundle", async () => {
    const { bytes } = await buildBundle(
      { "p.rego": "package agentgw\n\ndecision := data.answer\n", "data.json": '{"answer": 42}' },
      { revision: "v7" },
    );
    const bundle = await readBundle(bytes);
    assert.equal(bundle.revision, "v7");
    assert.deepEqual(bundle.data, { answer: 42 });
    assert.deepEqual([...bundle.wasm.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]); // "\0asm"
  });

  test("a bundle without a revision reads as an empty revision", async () => {
    const { bytes } = await buildBundle({ "p.rego": "package agentgw\n\ndecision := 1\n" });
    assert.equal((await readBundle(bytes)).revision, "");
  });

  test("refuses a Rego-only bundle (no policy.wasm)", async () => {
    const { bytes } = await buildBundle(
      { "p.rego": "package agentgw\n\ndecision := 1\n" },
      { target: "rego" },
    );
    await assert.rejects(readBundle(bytes), isPolicyInvalid(/no \/policy\.wasm/));
  });

  test("refuses bytes that are not a tarball", async () => {
    await assert.rejects(readBundle(new TextEncoder().encode("not a bundle at all")), isPolicyInvalid(/./));
    await assert.rejects(readBundle(gzipSync(Buffer.alloc(1024, 7))), isPolicyInvalid(/./));
  });
});
