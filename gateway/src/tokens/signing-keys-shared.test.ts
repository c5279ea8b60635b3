// The signing key ring on a shared store: what several gateway instances see.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { createSecretBox } from "../credentials/secret-box.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import { createSigningKeyRing } from "./signing-keys.js";

function setup() {
  const store = openSqliteStore({ dataDir: ":memory:" });
  const masterKey = randomBytes(32);
  let current = new Date("2026-01-01T00:00:00Z");
  const ring = () =>
    createSigningKeyRing({
      shared: { store: store.signingKeys, box: createSecretBox(masterKey) },
      now: () => current,
      maxTokenTtlSeconds: 300,
      skewSeconds: 30,
    });
  return {
    store,
    masterKey,
    ring,
    advance(seconds: number) {
      current = new Date(current.getTime() + seconds * 1000);
    },
  };
}

describe("signing key ring on a shared store", () => {
  it("instances starting together agree on one current key, sealed at rest", async () => {
    const { store, ring } = setup();
    const [a, b] = await Promise.all([ring(), ring()]);
    assert.equal(a.source, "store");
    assert.equal(a.current().kid, b.current().kid);
    const rows = await store.signingKeys.list();
    assert.equal(rows.filter((r) => r.retiredAt === null).length, 1);
    for (const row of rows) {
      assert.match(row.sealedPrivateKey, /^v1\./);
      assert.doesNotMatch(row.sealedPrivateKey, /"d"/);
    }
  });

  it("a rotation on one instance reaches the other on refresh; the old key stays published", async () => {
    const { ring, advance } = setup();
    const a = await ring();
    const b = await ring();
    const old = a.current().kid;
    advance(10);
    const { kid } = await a.rotate();
    assert.notEqual(kid, old);
    assert.equal(a.current().kid, kid);
    assert.equal(b.keyFor(kid), null, "b has not looked yet");
    await b.refresh({ force: true });
    assert.equal(b.current().kid, kid);
    assert.ok(b.keyFor(old), "tokens of the retired key still verify");
    assert.deepEqual(
      b.jwks().keys.map((k) => k.kid),
      [kid, old],
    );
    advance(400);
    assert.equal(b.keyFor(old), null, "gone once its last token has expired");
  });

  it("an unforced refresh right after another is skipped", async () => {
    const { ring } = setup();
    const a = await ring();
    const b = await ring();
    await b.refresh({ force: true });
    const { kid } = await a.rotate();
    await b.refresh();
    assert.equal(b.keyFor(kid), null);
    await b.refresh({ force: true });
    assert.ok(b.keyFor(kid));
  });

  it("refuses to start under another master key, naming the key but not its content", async () => {
    const { store, ring } = setup();
    await ring();
    await assert.rejects(
      createSigningKeyRing({
        shared: { store: store.signingKeys, box: createSecretBox(randomBytes(32)) },
        now: () => new Date("2026-01-01T00:00:00Z"),
        maxTokenTtlSeconds: 300,
      }),
      /signing key .* in the store: sealed under another master key/,
    );
  });
});
