// Shared set-up for the token tests: a hand-driven clock, agent key ids and a store.
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from "jose";

export const ISSUER = "http://127.0.0.1:8080";

export interface TestClock {
  now: () => Date;
  advance(seconds: number): void;
  unix(): number;
}

export function testClock(start = "2026-01-01T00:00:00Z"): TestClock {
  let current = new Date(start);
  return {
    now: () => current,
    advance(seconds) {
      current = new Date(current.getTime() + seconds * 1000);
    },
    unix: () => Math.floor(current.getTime() / 1000),
  };
}

/** The RFC 7638 thumbprint of a fresh Ed25519 key: what an agent's signature keyid would be. */
export async function agentKid(): Promise<string> {
  const { publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  return calculateJwkThumbprint(await exportJWK(publicKey));
}
