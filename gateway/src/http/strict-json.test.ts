import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DuplicateKeyError, findDuplicateKey, parseStrictJson } from "./strict-json.js";

describe("parseStrictJson", () => {
  it("parses ordinary JSON like JSON.parse", () => {
    const text = '{"a":1,"b":{"a":2,"c":[{"a":3},{"a":4}]},"s":"x\\"y,{\\"a\\":1}"}';
    assert.deepEqual(parseStrictJson(text), JSON.parse(text));
    assert.deepEqual(parseStrictJson("[1,2,3]"), [1, 2, 3]);
    assert.equal(parseStrictJson('"just a string"'), "just a string");
  });

  it("refuses a duplicate member name at any depth", () => {
    assert.throws(() => parseStrictJson('{"model":"a","model":"b"}'), DuplicateKeyError);
    assert.throws(() => parseStrictJson('{"x":{"to":1,"cc":2,"to":3}}'), DuplicateKeyError);
    assert.throws(() => parseStrictJson('[{"a":1},{"b":1,"b":2}]'), DuplicateKeyError);
  });

  it("compares names after unescaping", () => {
    assert.equal(findDuplicateKey('{"a":1,"\\u0061":2}'), "a");
    assert.equal(findDuplicateKey('{"a\\"b":1,"a\\u0022b":2}'), 'a"b');
  });

  it("does not confuse equal names in sibling objects, or string values that look like keys", () => {
    assert.equal(findDuplicateKey('{"a":{"k":1},"b":{"k":2}}'), undefined);
    assert.equal(findDuplicateKey('{"a":"a","b":["a","a"]}'), undefined);
    assert.equal(findDuplicateKey('{"a":"}","b":"{\\"a\\":1,"}'), undefined);
  });

  it("keeps syntax errors as SyntaxError", () => {
    assert.throws(() => parseStrictJson("{"), SyntaxError);
  });

  it("handles deep nesting without recursion", () => {
    const depth = 100_000;
    const text = `${"[".repeat(depth)}${"]".repeat(depth)}`;
    assert.equal(findDuplicateKey(text), undefined);
  });
});
