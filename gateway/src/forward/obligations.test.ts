import assert from "node:assert/strict";
import { test } from "node:test";
import type { GatewayError } from "../errors.js";
import { parsePointer } from "./json-pointer.js";
import { applyToBody, applyToJson, compileObligations } from "./obligations.js";

test("RFC 6901 pointers: escapes, and refusal of what is not a pointer", () => {
  assert.deepEqual(parsePointer(""), []);
  assert.deepEqual(parsePointer("/a~1b/m~0n/~01"), ["a/b", "m~n", "~1"]);
  assert.throws(() => parsePointer("a/b"), RangeError);
  assert.throws(() => parsePointer("/a~2"), RangeError);
});

test("redact removes members, nulls array items, and ignores pointers naming nothing", () => {
  const compiled = compileObligations({
    redact: ["/secret", "/list/1", "/deep/x/y", "/missing/z", "/list/-"],
  })!;
  const out = applyToJson(
    { secret: 1, keep: 2, list: ["a", "b", "c"], deep: { x: { y: 3, z: 4 } } },
    compiled,
  );
  assert.deepEqual(out, { keep: 2, list: ["a", null, "c"], deep: { x: { z: 4 } } });
});

test("truncate shortens strings by code point and arrays by items", () => {
  const compiled = compileObligations({ truncate: { "/text": 3, "/emoji": 2, "/items": 1, "/n": 1 } })!;
  assert.deepEqual(applyToJson({ text: "abcdef", emoji: "😀😁😂", items: [1, 2, 3], n: 12345 }, compiled), {
    text: "abc",
    emoji: "😀😁",
    items: [1],
    n: 12345,
  });
});

test("block_patterns replaces matches in every string value (not keys), (?i) is case-insensitive", () => {
  const compiled = compileObligations({ block_patterns: ["\\b4[0-9]{15}\\b", "(?i)secret"] })!;
  assert.deepEqual(applyToJson({ a: "card 4111111111111111", b: ["SeCrEt plan"], secret: 5 }, compiled), {
    a: "card [blocked]",
    b: ["[blocked] plan"],
    secret: 5,
  });
});

test("bodies: JSON gets everything, text gets patterns, binary passes, broken JSON is refused", () => {
  const compiled = compileObligations({ redact: ["/a"], block_patterns: ["x+"] })!;
  assert.equal(
    applyToBody(Buffer.from('{"a":1,"b":"xxy"}'), "application/json", compiled).toString(),
    '{"b":"[blocked]y"}',
  );
  assert.equal(applyToBody(Buffer.from("axxb"), "text/plain", compiled).toString(), "a[blocked]b");
  assert.equal(applyToBody(Buffer.from("axxb"), "application/octet-stream", compiled).toString(), "axxb");
  assert.throws(
    () => applyToBody(Buffer.from("{oops"), "application/problem+json", compiled),
    (e: GatewayError) => e.code === "upstream_error",
  );
});

test("nothing to apply compiles to null; a bad obligation fails closed", () => {
  assert.equal(compileObligations({}), null);
  assert.equal(compileObligations({ max_ttl_seconds: 30 }), null);
  assert.throws(
    () => compileObligations({ redact: ["no-slash"] }),
    (e: GatewayError) => e.code === "internal_error",
  );
  assert.throws(
    () => compileObligations({ block_patterns: ["("] }),
    (e: GatewayError) => e.code === "internal_error",
  );
});
