import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serializeItem } from "structured-headers";
import { component, componentValue, serializeComponentIdentifier } from "./components.js";
import { SignatureFormatError } from "./errors.js";
import { normalizeAuthority, requestPartsFromTarget, requestPartsFromUrl } from "./message.js";
import { buildSignatureBase } from "./signature-base.js";

const target = requestPartsFromTarget("GET", "https", "API.Example.com:443", "/a%2Fb/c?x=%20y&z", {
  "example-dict": " a=1, b=2;x=1;y=2, c=(a   b    c), d",
  "x-multi": ["  one ", "two"],
  "x-empty": "",
});

describe("derived components (RFC 9421 §2.2)", () => {
  it("derives each value from the raw target without decoding", () => {
    const value = (name: string) => componentValue(target, component(name));
    assert.equal(value("@method"), "GET");
    assert.equal(value("@authority"), "api.example.com");
    assert.equal(value("@scheme"), "https");
    assert.equal(value("@path"), "/a%2Fb/c");
    assert.equal(value("@query"), "?x=%20y&z");
    assert.equal(value("@request-target"), "/a%2Fb/c?x=%20y&z");
    assert.equal(value("@target-uri"), "https://api.example.com/a%2Fb/c?x=%20y&z");
  });

  it("signs an absent query as '?' (§2.2.7) and keeps the method's case (§2.2.1)", () => {
    const parts = requestPartsFromUrl("post", "http://localhost:8080/v1/whoami", {});
    assert.equal(componentValue(parts, component("@query")), "?");
    assert.equal(componentValue(parts, component("@method")), "post");
    assert.equal(componentValue(parts, component("@authority")), "localhost:8080");
  });

  it("normalizes the authority per RFC 9110 §4.2.3", () => {
    assert.equal(normalizeAuthority("Example.COM:80", "http"), "example.com");
    assert.equal(normalizeAuthority("example.com:443", "http"), "example.com:443");
    assert.equal(normalizeAuthority("[::1]:443", "https"), "[::1]");
  });

  it("refuses unknown derived components and non-origin-form targets", () => {
    assert.throws(() => componentValue(target, component("@status")), SignatureFormatError);
    assert.throws(() => requestPartsFromTarget("GET", "http", "h", "http://h/x", {}), SignatureFormatError);
  });
});

describe("header field components (RFC 9421 §2.1)", () => {
  it("trims and joins several field lines, and signs an empty field as empty", () => {
    assert.equal(componentValue(target, component("x-multi")), "one, two");
    assert.equal(componentValue(target, component("x-empty")), "");
  });

  it("re-serializes one dictionary member for ;key (§2.1.2 examples)", () => {
    const member = (key: string) => componentValue(target, component("example-dict", { key }));
    assert.equal(member("a"), "1");
    assert.equal(member("d"), "?1");
    assert.equal(member("b"), "2;x=1;y=2");
    assert.equal(member("c"), "(a b c)");
    assert.throws(() => member("zz"), SignatureFormatError);
  });

  it("reads a covered field named like an Object.prototype member as absent when not sent", () => {
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      assert.throws(() => componentValue(target, component(name)), SignatureFormatError, name);
    }
  });

  it("refuses missing fields, unsupported parameters and control characters", () => {
    assert.throws(() => componentValue(target, component("date")), SignatureFormatError);
    assert.throws(() => componentValue(target, component("x-multi", { sf: true })), SignatureFormatError);
    const bad = requestPartsFromTarget("GET", "http", "h", "/", { "x-bad": "a\u0001b" });
    assert.throws(() => componentValue(bad, component("x-bad")), SignatureFormatError);
  });
});

describe("buildSignatureBase (RFC 9421 §2.5)", () => {
  it("refuses a component covered twice and a covered @signature-params", () => {
    const params = new Map();
    assert.throws(
      () => buildSignatureBase(target, { components: [component("@method"), component("@method")], params }),
      SignatureFormatError,
    );
    assert.throws(
      () =>
        buildSignatureBase(target, {
          components: [component("example-dict", { key: "a" }), component("example-dict", { key: "a" })],
          params,
        }),
      SignatureFormatError,
    );
    assert.throws(
      () => buildSignatureBase(target, { components: [component("@signature-params")], params }),
      SignatureFormatError,
    );
  });

  it("ends with the @signature-params line and no trailing newline", () => {
    const base = buildSignatureBase(target, {
      components: [component("@method"), component("example-dict", { key: "b" })],
      params: new Map<string, number | string>([
        ["created", 1],
        ["keyid", "k"],
      ]),
    });
    assert.equal(
      base,
      '"@method": GET\n"example-dict";key="b": 2;x=1;y=2\n"@signature-params": ("@method" "example-dict";key="b");created=1;keyid="k"',
    );
  });
});

describe("serializeComponentIdentifier", () => {
  it("writes exactly what structured-headers writes, with and without parameters", () => {
    const names = ["@method", "content-digest", "x-a_b.c~!#$%&'*+^`|", " spaced ", "", "@query-param"];
    for (let code = 0x20; code <= 0x7e; code++) names.push(`a${String.fromCharCode(code)}b`);
    for (const name of names) {
      assert.equal(serializeComponentIdentifier(component(name)), serializeItem(name), name);
      assert.equal(
        serializeComponentIdentifier(component(name, { key: "a", sf: true })),
        serializeItem(
          name,
          new Map<string, string | boolean>([
            ["key", "a"],
            ["sf", true],
          ]),
        ),
      );
    }
    // Outside printable ASCII the library refuses, as before.
    assert.throws(() => serializeComponentIdentifier(component("a\nb")));
  });
});
