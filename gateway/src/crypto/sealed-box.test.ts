import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { parseMasterKey, seal, unseal } from "./sealed-box.js";

describe("sealed box", () => {
  const key = randomBytes(32);

  it("round-trips, and never holds the plaintext", () => {
    const sealed = seal(key, '{"d":"secret-private-part"}', "kid-1");
    assert.doesNotMatch(sealed, /secret/);
    assert.notEqual(seal(key, "x", "a"), seal(key, "x", "a"), "a fresh IV each time");
    assert.equal(unseal(key, sealed, "kid-1"), '{"d":"secret-private-part"}');
  });

  it("refuses another key, another label, and a tampered body", () => {
    const sealed = seal(key, "payload", "kid-1");
    assert.throws(() => unseal(randomBytes(32), sealed, "kid-1"), /does not open/);
    assert.throws(() => unseal(key, sealed, "kid-2"), /does not open/);
    const parts = sealed.split(".");
    const body = Buffer.from(parts[2]!, "base64url");
    body[0]! ^= 1;
    parts[2] = body.toString("base64url");
    assert.throws(() => unseal(key, parts.join("."), "kid-1"), /does not open/);
    assert.throws(() => unseal(key, "v2.a.b.c", "kid-1"), /known version/);
  });

  it("parses only 32-byte base64url master keys", () => {
    const text = key.toString("base64url");
    assert.deepEqual(parseMasterKey(text), key);
    assert.throws(() => parseMasterKey("short"), RangeError);
    assert.throws(() => parseMasterKey(randomBytes(31).toString("base64url")), RangeError);
  });
});
