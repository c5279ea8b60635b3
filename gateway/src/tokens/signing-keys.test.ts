import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from "jose";
import { GatewayError } from "../errors.js";
import { createSigningKeyRing } from "./signing-keys.js";

const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function tempDataDir(): string {
  const folder = mkdtempSync(join(tmpdir(), "agentgw-keys-"));
  folders.push(folder);
  return folder;
}

function clock(start = "2026-01-01T00:00:00Z") {
  let current = new Date(start);
  return {
    now: () => current,
    advance(seconds: number) {
      current = new Date(current.getTime() + seconds * 1000);
    },
  };
}

function keyFiles(dataDir: string): string[] {
  return readdirSync(join(dataDir, "signing-keys")).sort();
}

async function privateJwk() {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  return exportJWK(privateKey);
}

describe("createSigningKeyRing with a data folder", () => {
  it("generates one key on first start, stored 0600 in a 0700 folder", async () => {
    const dataDir = tempDataDir();
    const ring = await createSigningKeyRing({ dataDir, now: clock().now, maxTokenTtlSeconds: 300 });
    const key = ring.current();
    assert.equal(ring.source, "files");
    assert.match(key.kid, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(keyFiles(dataDir), [`${key.kid}.json`]);
    assert.equal(statSync(join(dataDir, "signing-keys")).mode & 0o777, 0o700);
    assert.equal(statSync(join(dataDir, "signing-keys", `${key.kid}.json`)).mode & 0o777, 0o600);

    const file = JSON.parse(readFileSync(join(dataDir, "signing-keys", `${key.kid}.json`), "utf8"));
    assert.equal(file.kid, key.kid);
    assert.equal(file.createdAt, "2026-01-01T00:00:00.000Z");
    assert.equal(file.retiredAt, null);
    assert.equal(file.notAfter, null);
    assert.equal(file.privateJwk.kty, "OKP");
    assert.equal(typeof file.privateJwk.d, "string");
    // kid is the RFC 7638 thumbprint of the public key.
    assert.equal(await calculateJwkThumbprint({ kty: "OKP", crv: "Ed25519", x: file.privateJwk.x }), key.kid);
  });

  it("tightens a folder and key files that were left too open", async () => {
    const dataDir = tempDataDir();
    const clk = clock();
    const first = await createSigningKeyRing({ dataDir, now: clk.now, maxTokenTtlSeconds: 300 });
    const keyPath = join(dataDir, "signing-keys", `${first.current().kid}.json`);
    const { chmodSync } = await import("node:fs");
    chmodSync(join(dataDir, "signing-keys"), 0o755);
    chmodSync(keyPath, 0o644);
    await createSigningKeyRing({ dataDir, now: clk.now, maxTokenTtlSeconds: 300 });
    assert.equal(statSync(join(dataDir, "signing-keys")).mode & 0o777, 0o700);
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
  });

  it("reads the same keys back after a restart", async () => {
    const dataDir = tempDataDir();
    const clk = clock();
    const first = await createSigningKeyRing({ dataDir, now: clk.now, maxTokenTtlSeconds: 300 });
    const before = first.current().kid;
    clk.advance(10);
    await first.rotate();
    const jwksBefore = first.jwks();

    const second = await createSigningKeyRing({ dataDir, now: clk.now, maxTokenTtlSeconds: 300 });
    assert.equal(second.current().kid, first.current().kid);
    assert.deepEqual(second.jwks(), jwksBefore);
    assert.notEqual(second.keyFor(before), null);
    assert.equal(second.current().retiredAt, null);
  });

  it("never exposes the private key: non-extractable, absent from the JWKS", async () => {
    const ring = await createSigningKeyRing({ now: clock().now, maxTokenTtlSeconds: 300 });
    const key = ring.current();
    assert.equal(key.privateKey.extractable, false);
    assert.equal(key.privateKey.type, "private");
    const served = JSON.stringify(ring.jwks());
    assert.doesNotMatch(served, /"d"/);
    assert.doesNotMatch(JSON.stringify(key), /"d"/);
  });

  it("rotates: the old key stays published until its last token expired (+ skew), then it and its file go", async () => {
    const dataDir = tempDataDir();
    const clk = clock();
    const ring = await createSigningKeyRing({
      dataDir,
      now: clk.now,
      maxTokenTtlSeconds: 300,
      skewSeconds: 30,
    });
    const oldKid = ring.current().kid;
    clk.advance(100);

    const { kid: newKid } = await ring.rotate();
    assert.notEqual(newKid, oldKid);
    assert.equal(ring.current().kid, newKid);
    assert.deepEqual(
      ring.jwks().keys.map((key) => key.kid),
      [newKid, oldKid],
    );
    const retired = JSON.parse(readFileSync(join(dataDir, "signing-keys", `${oldKid}.json`), "utf8"));
    assert.equal(retired.retiredAt, "2026-01-01T00:01:40.000Z");
    assert.equal(retired.notAfter, "2026-01-01T00:07:10.000Z"); // retiredAt + 300 + 30

    clk.advance(329);
    assert.notEqual(ring.keyFor(oldKid), null);
    assert.equal(ring.jwks().keys.length, 2);

    clk.advance(1);
    assert.deepEqual(
      ring.jwks().keys.map((key) => key.kid),
      [newKid],
    );
    assert.equal(ring.keyFor(oldKid), null);
    assert.deepEqual(keyFiles(dataDir), [`${newKid}.json`]);
  });

  it("serves public JWKs with kid, alg EdDSA and use sig", async () => {
    const ring = await createSigningKeyRing({ now: clock().now, maxTokenTtlSeconds: 300 });
    const [jwk] = ring.jwks().keys;
    assert.ok(jwk);
    assert.deepEqual(Object.keys(jwk).sort(), ["alg", "crv", "kid", "kty", "use", "x"]);
    assert.equal(jwk.alg, "EdDSA");
    assert.equal(jwk.use, "sig");
    assert.equal(jwk.kid, ring.current().kid);
  });

  it("finishes a rotation cut short by a crash: the newest unretired key signs, the other is retired", async () => {
    const dataDir = tempDataDir();
    const clk = clock();
    const ring = await createSigningKeyRing({ dataDir, now: clk.now, maxTokenTtlSeconds: 300 });
    const olderKid = ring.current().kid;
    // Simulate the crash: a second unretired key file written later, the old one never retired.
    const jwk = await privateJwk();
    const newerKid = await calculateJwkThumbprint({ kty: "OKP", crv: "Ed25519", x: String(jwk.x) });
    writeFileSync(
      join(dataDir, "signing-keys", `${newerKid}.json`),
      JSON.stringify({
        kid: newerKid,
        privateJwk: jwk,
        createdAt: "2026-01-01T00:00:05.000Z",
        retiredAt: null,
        notAfter: null,
      }),
      { mode: 0o600 },
    );
    writeFileSync(join(dataDir, "signing-keys", `${newerKid}.json.tmp-leftover`), "{");
    clk.advance(10);

    const restarted = await createSigningKeyRing({ dataDir, now: clk.now, maxTokenTtlSeconds: 300 });
    assert.equal(restarted.current().kid, newerKid);
    assert.equal(restarted.jwks().keys.length, 2);
    const older = JSON.parse(readFileSync(join(dataDir, "signing-keys", `${olderKid}.json`), "utf8"));
    assert.equal(older.retiredAt, "2026-01-01T00:00:10.000Z");
    assert.deepEqual(keyFiles(dataDir), [`${newerKid}.json`, `${olderKid}.json`].sort());
  });

  it("refuses to start over a corrupt or mismatched key file, naming the file only", async () => {
    const dataDir = tempDataDir();
    const clk = clock();
    const ring = await createSigningKeyRing({ dataDir, now: clk.now, maxTokenTtlSeconds: 300 });
    const path = join(dataDir, "signing-keys", `${ring.current().kid}.json`);
    const good = readFileSync(path, "utf8");

    writeFileSync(path, "{not json");
    await assert.rejects(
      createSigningKeyRing({ dataDir, now: clk.now, maxTokenTtlSeconds: 300 }),
      /not valid JSON/,
    );

    const parsed = JSON.parse(good);
    const other = await privateJwk();
    writeFileSync(path, JSON.stringify({ ...parsed, privateJwk: { ...parsed.privateJwk, x: other.x } }));
    await assert.rejects(
      createSigningKeyRing({ dataDir, now: clk.now, maxTokenTtlSeconds: 300 }),
      (error: Error) => {
        assert.match(error.message, /x must be the public key of d/);
        assert.doesNotMatch(error.message, new RegExp(parsed.privateJwk.d));
        return true;
      },
    );
  });

  it("concurrent rotations leave one current key and retire every other", async () => {
    const clk = clock();
    const ring = await createSigningKeyRing({ now: clk.now, maxTokenTtlSeconds: 300 });
    const first = ring.current().kid;
    const rotated = (await Promise.all([ring.rotate(), ring.rotate()])).map((result) => result.kid);
    // Whichever new key was ready last signs; the first one and the original are retired.
    const current = ring.current().kid;
    assert.ok(rotated.includes(current));
    assert.equal(new Set([first, ...rotated]).size, 3);
    assert.equal(ring.jwks().keys.length, 3);
    assert.equal(ring.current().retiredAt, null);
    clk.advance(331);
    assert.deepEqual(
      ring.jwks().keys.map((key) => key.kid),
      [current],
    );
  });
});

describe("createSigningKeyRing with configured keys", () => {
  it("signs with the first configured key and publishes the others", async () => {
    const first = await privateJwk();
    const second = await privateJwk();
    const ring = await createSigningKeyRing({
      configuredKeys: [JSON.stringify(first), second as Record<string, unknown>],
      now: clock().now,
      maxTokenTtlSeconds: 300,
    });
    assert.equal(ring.source, "config");
    const firstKid = await calculateJwkThumbprint({ kty: "OKP", crv: "Ed25519", x: String(first.x) });
    const secondKid = await calculateJwkThumbprint({ kty: "OKP", crv: "Ed25519", x: String(second.x) });
    assert.equal(ring.current().kid, firstKid);
    assert.deepEqual(
      ring.jwks().keys.map((key) => key.kid),
      [firstKid, secondKid],
    );
    await assert.rejects(
      ring.rotate(),
      (error: unknown) => error instanceof GatewayError && error.code === "conflict",
    );
  });

  it("writes nothing to the data folder when keys are configured", async () => {
    const dataDir = tempDataDir();
    await createSigningKeyRing({
      dataDir,
      configuredKeys: [await privateJwk()],
      now: clock().now,
      maxTokenTtlSeconds: 60,
    });
    assert.deepEqual(readdirSync(dataDir), []);
  });

  it("refuses bad configured keys without echoing them", async () => {
    const good = await privateJwk();
    const other = await privateJwk();
    const cases: Array<[unknown, RegExp]> = [
      ["{oops", /#0 is not JSON/],
      [JSON.stringify([good]), /#0 must be a private OKP JWK object/],
      [{ kty: "OKP", crv: "Ed25519", x: good.x }, /both d and x/],
      [{ ...good, crv: "X25519" }, /crv "Ed25519"/],
      [{ ...good, x: other.x }, /x must be the public key of d/],
      [{ ...good, kid: "not-the-thumbprint" }, /kid is not the RFC 7638 thumbprint/],
    ];
    for (const [configured, message] of cases) {
      await assert.rejects(
        createSigningKeyRing({
          configuredKeys: [configured as string],
          now: clock().now,
          maxTokenTtlSeconds: 300,
        }),
        (error: Error) => {
          assert.match(error.message, message);
          assert.ok(!error.message.includes(String(good.d)), "the private key must not appear in the error");
          return true;
        },
      );
    }
    await assert.rejects(
      createSigningKeyRing({
        configuredKeys: [good as Record<string, unknown>, good as Record<string, unknown>],
        now: clock().now,
        maxTokenTtlSeconds: 300,
      }),
      /listed twice/,
    );
  });
});

describe("createSigningKeyRing options", () => {
  it("validates them when created", async () => {
    const now = clock().now;
    await assert.rejects(createSigningKeyRing({ now, maxTokenTtlSeconds: 0 }), RangeError);
    await assert.rejects(createSigningKeyRing({ now, maxTokenTtlSeconds: 300, skewSeconds: -1 }), RangeError);
    await assert.rejects(createSigningKeyRing({ now, maxTokenTtlSeconds: 300, dataDir: "" }), TypeError);
    await assert.rejects(
      createSigningKeyRing({ now, maxTokenTtlSeconds: 300, configuredKeys: [] }),
      TypeError,
    );
    await assert.rejects(
      createSigningKeyRing({ now: undefined as unknown as () => Date, maxTokenTtlSeconds: 300 }),
      TypeError,
    );
  });
});
