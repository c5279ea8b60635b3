// Verifies the same signed request N times two ways, side by side: Node's crypto.verify
// on a cached KeyObject (what the gateway does) and @noble/ed25519's verifyAsync (pure JS,
// what a portable verifier would do). Each iteration parses the signature headers and
// rebuilds the RFC 9421 base, as a real request would. Needs the SDK built (npm run build).
// Usage: node bench/signature-verify.mjs [iterations=2000]
import { createPublicKey, verify } from "node:crypto";
import { generateKeyPair } from "@agentgw/sdk";
import {
  buildSignatureBase,
  parseSignatureField,
  parseSignatureInputField,
  requestPartsFromTarget,
  signRequest,
} from "@agentgw/sdk/httpsig";
import * as ed from "@noble/ed25519";

const iterations = Number(process.argv[2] ?? 2000);
if (!Number.isInteger(iterations) || iterations < 1)
  throw new RangeError("iterations must be a positive integer");

const key = await generateKeyPair();
const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] });
const headers = { authorization: "Bearer eyJhbGciOiJFZERTQSJ9.e30.c2ln", "content-type": "application/json" };
const url = "http://localhost:8080/v1/tools/openai/v1/chat/completions";
const signed = { ...headers, ...(await signRequest({ method: "POST", url, headers, body }, key)) };
const keyObject = createPublicKey({
  key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(key.publicKey).toString("base64url") },
  format: "jwk",
});
const encoder = new TextEncoder();

function prepare() {
  const input = parseSignatureInputField(signed["signature-input"]).get("sig1");
  const signature = parseSignatureField(signed.signature).get("sig1");
  const parts = requestPartsFromTarget(
    "POST",
    "http",
    "localhost:8080",
    "/v1/tools/openai/v1/chat/completions",
    signed,
  );
  return { base: encoder.encode(buildSignatureBase(parts, input)), signature };
}

const contenders = {
  "parse + base only": async () => prepare().signature.length === 64,
  "node:crypto (KeyObject)": async () => {
    const { base, signature } = prepare();
    return verify(null, base, keyObject, signature);
  },
  "@noble/ed25519 verifyAsync": async () => {
    const { base, signature } = prepare();
    return ed.verifyAsync(signature, base, key.publicKey);
  },
};

const results = {};
// Warm every contender first so the JIT state is the same for all measurements.
for (const [name, run] of Object.entries(contenders)) {
  for (let i = 0; i < 500; i++) if (!(await run())) throw new Error(`${name} rejected`);
}
for (const [name, run] of Object.entries(contenders)) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) if (!(await run())) throw new Error(`${name} rejected`);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  results[name] = ms;
  const perOp = ((ms * 1000) / iterations).toFixed(1);
  console.log(
    `${name.padEnd(28)} ${iterations} in ${ms.toFixed(1)} ms (${((iterations / ms) * 1000).toFixed(0)}/s, ${perOp} µs each)`,
  );
}
const [baseMs, nodeMs, nobleMs] = Object.values(results);
console.log(
  `ratio: node:crypto is ${(nobleMs / nodeMs).toFixed(1)}x faster than @noble/ed25519 with parsing and base`,
);
if (nodeMs > baseMs) {
  console.log(
    `       ${((nobleMs - baseMs) / (nodeMs - baseMs)).toFixed(1)}x for the Ed25519 verify alone (base time subtracted)`,
  );
}
