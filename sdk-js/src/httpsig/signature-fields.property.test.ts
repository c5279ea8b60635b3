// Property tests (fast-check) for the Signature-Input and Signature fields (RFC 9421 §4, RFC 8941
// dictionaries): what the signer serializes, the verifier parses back to the same components and
// parameters in the same order (so both build the same @signature-params line), and a field that
// is not a well-formed dictionary of the right shape is refused with a SignatureFormatError,
// never another exception.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type BareItem, Token } from "structured-headers";
import type { ComponentIdentifier } from "./components.js";
import { SignatureFormatError } from "./errors.js";
import {
  parseSignatureField,
  parseSignatureInputField,
  type SignatureInput,
  serializeSignatureField,
  serializeSignatureInputField,
  serializeSignatureParams,
} from "./signature-fields.js";

const LC = "abcdefghijklmnopqrstuvwxyz";
const sfKey = fc
  .tuple(
    fc.constantFrom(...LC, "*"),
    fc.string({ unit: fc.constantFrom(...`${LC}0123456789_-.*`), maxLength: 12 }),
  )
  .map(([first, rest]) => first + rest);
const sfString = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});
const sfToken = fc
  .tuple(
    fc.constantFrom(..."abcdefghijABCDEFGHIJ*"),
    fc.string({ unit: fc.constantFrom(..."abcXYZ019!#$%&'*+-.^_`|~:/"), maxLength: 12 }),
  )
  .map(([first, rest]) => new Token(first + rest));
const bareItem: fc.Arbitrary<BareItem> = fc.oneof(
  fc.integer({ min: -999_999_999, max: 999_999_999 }),
  sfString,
  sfToken,
  fc.boolean(),
  fc.uint8Array({ maxLength: 24 }).map((bytes) => Uint8Array.from(bytes).buffer as ArrayBuffer),
);
const params = fc.uniqueArray(fc.tuple(sfKey, bareItem), { selector: ([k]) => k, maxLength: 5 });
const componentName = fc.oneof(
  fc.constantFrom("@method", "@authority", "@path", "@query", "@target-uri", "@scheme", "@request-target"),
  fc.string({
    unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-"),
    minLength: 1,
    maxLength: 20,
  }),
);
const component: fc.Arbitrary<ComponentIdentifier> = fc
  .tuple(
    componentName,
    fc.uniqueArray(fc.tuple(fc.constantFrom("sf", "bs", "req", "key", "name", "tr"), bareItem), {
      selector: ([k]) => k,
      maxLength: 2,
    }),
  )
  .map(([name, p]) => ({ name, params: new Map(p) }));
const signatureInput: fc.Arbitrary<SignatureInput> = fc
  .record({
    components: fc.array(component, { maxLength: 8 }),
    created: fc.integer({ min: 0, max: 4_000_000_000 }),
    expires: fc.integer({ min: 0, max: 4_000_000_000 }),
    nonce: sfString,
    keyid: sfString,
    extra: params,
  })
  .map(({ components, created, expires, nonce, keyid, extra }) => ({
    components,
    params: new Map<string, BareItem>([
      ["created", created],
      ["expires", expires],
      ["nonce", nonce],
      ["keyid", keyid],
      ...extra.filter(([k]) => !["created", "expires", "nonce", "keyid", "alg", "tag"].includes(k)),
    ]),
  }));

test("Signature-Input: parse(serialize(x)) is x, in order, for any components and parameters", () => {
  fc.assert(
    fc.property(sfKey, signatureInput, (label, input) => {
      const field = serializeSignatureInputField(label, input);
      const parsed = parseSignatureInputField(field);
      assert.deepEqual([...parsed.keys()], [label]);
      const back = parsed.get(label)!;
      // The @signature-params line both sides build is byte for byte the same.
      assert.equal(serializeSignatureParams(back), serializeSignatureParams(input));
      assert.deepEqual(
        back.components.map((c) => c.name),
        input.components.map((c) => c.name),
      );
      assert.deepEqual([...back.params.keys()], [...input.params.keys()]);
    }),
    { numRuns: 1000 },
  );
});

test("Signature: parse(serialize(bytes)) is the same bytes", () => {
  fc.assert(
    fc.property(sfKey, fc.uint8Array({ minLength: 0, maxLength: 128 }), (label, bytes) => {
      const parsed = parseSignatureField(serializeSignatureField(label, bytes));
      assert.deepEqual([...parsed.get(label)!], [...bytes]);
    }),
    { numRuns: 1000 },
  );
});

test("any text is parsed or refused with a SignatureFormatError, never another exception", () => {
  const nearlyValid = fc
    .tuple(sfKey, signatureInput, fc.nat(), fc.integer({ min: 0, max: 127 }))
    .map(([label, input, at, code]) => {
      const text = serializeSignatureInputField(label, input);
      const i = at % (text.length + 1);
      return text.slice(0, i) + String.fromCharCode(code) + text.slice(i + 1);
    });
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 200 }), nearlyValid), (text) => {
      for (const parse of [parseSignatureInputField, parseSignatureField]) {
        try {
          parse(text);
        } catch (error) {
          assert.ok(error instanceof SignatureFormatError, `${JSON.stringify(text)}: ${String(error)}`);
        }
      }
    }),
    { numRuns: 2000 },
  );
});
