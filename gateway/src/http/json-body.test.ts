import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatewayError } from "../errors.js";
import { MAX_JSON_DEPTH, parseJsonDocument } from "./json-body.js";

const invalid = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof GatewayError);
  assert.equal(error.code, "invalid_request");
  assert.match(error.detail, pattern);
  return true;
};

describe("parseJsonDocument", () => {
  it("parses ordinary documents, paired surrogates (emoji) included", () => {
    assert.deepEqual(parseJsonDocument('{"a":[1,{"b":"\\ud83d\\ude00"}]}'), { a: [1, { b: "😀" }] });
    assert.equal(parseJsonDocument(Buffer.from("null")), null);
  });

  it("accepts nesting up to the limit and refuses one level more", () => {
    const nested = (levels: number) => "[".repeat(levels) + "]".repeat(levels);
    assert.doesNotThrow(() => parseJsonDocument(nested(MAX_JSON_DEPTH)));
    assert.throws(() => parseJsonDocument(nested(MAX_JSON_DEPTH + 1)), invalid(/nests deeper/));
    assert.throws(() => parseJsonDocument(`${'{"a":'.repeat(4000)}1${"}".repeat(4000)}`), invalid(/nests/));
    assert.throws(() => parseJsonDocument(nested(100_000)), invalid(/nests/));
  });

  it("refuses lone surrogates in values and member names", () => {
    for (const text of ['"\\ud800"', '["x\\udfff"]', '{"\\udc00":1}', '{"a":"\\ude00\\ud83d"}']) {
      assert.throws(() => parseJsonDocument(text), invalid(/lone UTF-16 surrogate/), text);
    }
  });

  it("refuses text that is not JSON", () => {
    assert.throws(() => parseJsonDocument("{nope"), invalid(/not valid JSON/));
  });
});
