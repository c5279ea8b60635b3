import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { generateKeyPair } from "./keys.js";
import {
  keyPairFromPem,
  keyPairToPem,
  publicKeyToPem,
  readKeyPairJwk,
  readKeyPairPem,
  writeKeyPairJwk,
  writeKeyPairPem,
} from "./node.js";

// RFC 9421 B.1.4 test-key-ed25519, exactly as published.
const PRIVATE_PEM =
  "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n";
const PUBLIC_PEM =
  "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n-----END PUBLIC KEY-----\n";

const dir = await mkdtemp(join(tmpdir(), "agentgw-sdk-"));
after(() => rm(dir, { recursive: true, force: true }));

describe("@agentgw/sdk/node key files", () => {
  it("reads the RFC 9421 test key from PKCS#8 PEM and writes the same PEMs back", async () => {
    const pair = await keyPairFromPem(PRIVATE_PEM);
    assert.equal(pair.kid, "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U");
    assert.equal(keyPairToPem(pair), PRIVATE_PEM);
    assert.equal(publicKeyToPem(pair.publicKey), PUBLIC_PEM);
  });

  it("round-trips PEM and JWK files, written owner-only", async () => {
    const pair = await generateKeyPair();
    const pemPath = join(dir, "agent.pem");
    const jwkPath = join(dir, "agent.jwk.json");
    await writeKeyPairPem(pemPath, pair);
    await writeKeyPairJwk(jwkPath, pair);
    assert.equal((await readKeyPairPem(pemPath)).kid, pair.kid);
    assert.equal((await readKeyPairJwk(jwkPath)).kid, pair.kid);
    assert.equal((await stat(pemPath)).mode & 0o777, 0o600);
  });

  it("refuses a public key or garbage where a private key is expected", async () => {
    await assert.rejects(keyPairFromPem(PUBLIC_PEM), TypeError);
    await assert.rejects(keyPairFromPem("not a pem"), TypeError);
  });
});
