import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { createSecretBox, SecretBoxError } from "./secret-box.js";

describe("secret box (AES-256-GCM envelope)", () => {
  const box = createSecretBox(randomBytes(32));

  it("opens what it sealed, and the sealed text does not contain the secret", () => {
    const secret = JSON.stringify({ apiKey: "sk-live-0123456789abcdef" });
    const sealed = box.seal(secret, "openai\0openai");
    assert.ok(!sealed.includes("sk-live") && !Buffer.from(sealed).includes(Buffer.from("0123456789abcdef")));
    assert.equal(box.open(sealed, "openai\0openai"), secret);
    assert.notEqual(box.seal(secret, "openai\0openai"), sealed, "a fresh data key and IV each time");
  });

  it("refuses another credential's associated data, a changed byte and another master key", () => {
    const sealed = box.seal("secret", "a\0openai");
    assert.throws(() => box.open(sealed, "b\0openai"), SecretBoxError);
    const parts = sealed.split(".");
    const data = Buffer.from(parts[5]!, "base64url");
    data[0]! ^= 1;
    parts[5] = data.toString("base64url");
    assert.throws(() => box.open(parts.join("."), "a\0openai"), SecretBoxError);
    const other = createSecretBox(randomBytes(32));
    assert.throws(() => other.open(sealed, "a\0openai"), /another master key/);
    assert.throws(() => box.open("v2.x", "a"), SecretBoxError);
  });

  it("takes exactly 32-byte keys", () => {
    assert.throws(() => createSecretBox(randomBytes(16)), RangeError);
  });
});
