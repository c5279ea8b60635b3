// Generates the shared signature test vectors (format: briefs/vectors.md) with the JS SDK.
// Run once with `node --import tsx test/vectors/generate.ts`; the JSON output is committed
// and read by the JS SDK, gateway and Python SDK tests. Everything here is deterministic:
// fixed keys, fixed times and nonces, and Ed25519 signatures are deterministic.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type AgentKeyPair,
  fromBase64Url,
  keyId,
  keyPairFromSecretKey,
  toBase64,
  toBase64Url,
  utf8,
} from "@agentgw/sdk";
import { contentDigest, createSignature, type SignOptions } from "@agentgw/sdk/httpsig";

const outDir = dirname(fileURLToPath(import.meta.url));
const write = (file: string, data: unknown) =>
  writeFileSync(join(outDir, file), `${JSON.stringify(data, null, 2)}\n`);

// --- keys -------------------------------------------------------------------------------
// RFC 9421 B.1.4 test-key-ed25519 and RFC 8037 Appendix A; "other" is never registered.
const seeds = {
  "test-key-ed25519": "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU",
  "rfc8037-a": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
  "agent-b": toBase64Url(Uint8Array.from({ length: 32 }, (_, i) => i + 1)),
} as const;
type KeyName = keyof typeof seeds;
const keys = {} as Record<KeyName, AgentKeyPair>;
for (const [name, seed] of Object.entries(seeds) as [KeyName, string][]) {
  keys[name] = await keyPairFromSecretKey(fromBase64Url(seed)!);
}
const unregistered = await keyPairFromSecretKey(Uint8Array.from({ length: 32 }, (_, i) => 255 - i));

// --- thumbprints.json -----------------------------------------------------------------------
const thumbprints = [
  { name: "rfc8037-a3", publicKey: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" },
  { name: "rfc9421-test-key-ed25519", publicKey: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs" },
  { name: "agent-b", publicKey: toBase64Url(keys["agent-b"].publicKey) },
  { name: "unregistered", publicKey: toBase64Url(unregistered.publicKey) },
];
write(
  "thumbprints.json",
  await Promise.all(thumbprints.map(async (t) => ({ ...t, kid: await keyId(fromBase64Url(t.publicKey)!) }))),
);

// --- content-digests.json -------------------------------------------------------------------
const digestInputs: [string, Uint8Array][] = [
  ["rfc9530-hello-world", utf8('{"hello": "world"}')],
  ["rfc9530-hello-world-newline", utf8('{"hello": "world"}\n')],
  ["empty", new Uint8Array(0)],
  ["all-byte-values", Uint8Array.from({ length: 256 }, (_, i) => i)],
  ["utf8-text", utf8('{"text":"héllo ✓ 日本"}')],
];
write(
  "content-digests.json",
  await Promise.all(
    digestInputs.map(async ([name, body]) => ({
      name,
      bodyBase64: toBase64(body),
      "sha-256": await contentDigest(body, "sha-256"),
      "sha-512": await contentDigest(body, "sha-512"),
    })),
  ),
);

// --- signatures.json ------------------------------------------------------------------------
interface VectorRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

const CREATED = 1767225600; // 2026-01-01T00:00:00Z
// 32 fixed bytes as base64url (43 characters), as the SDK makes a fresh one per request.
const NONCE = toBase64Url(Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i));
const bodyBase64 = (body: VectorRequest["body"]) =>
  body === undefined ? null : toBase64(typeof body === "string" ? utf8(body) : body);

async function sign(keyName: KeyName | "unregistered", request: VectorRequest, options: SignOptions = {}) {
  const key = keyName === "unregistered" ? unregistered : keys[keyName];
  return createSignature({ ...request, body: request.body ?? null }, key, {
    created: CREATED,
    nonce: NONCE,
    ...options,
  });
}

async function valid(
  name: string,
  keyName: KeyName,
  request: VectorRequest,
  options: SignOptions = {},
  profile: "agentgw" | "rfc9421-only" = "agentgw",
) {
  const result = await sign(keyName, request, options);
  return {
    name,
    key: keyName,
    request: {
      method: request.method,
      url: request.url,
      headers: request.headers,
      bodyBase64: bodyBase64(request.body),
    },
    label: result.label,
    components: result.components.map((c) => c.name),
    params: Object.fromEntries(result.params),
    signatureInput: result.headers["signature-input"],
    signatureBase: result.signatureBase,
    signature: result.headers.signature,
    contentDigest: result.headers["content-digest"] ?? null,
    profile,
  };
}

const B2_BODY = '{"hello": "world"}';
const CHAT_BODY = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hi"}]}';
const validVectors = [
  await valid(
    "rfc9421-b26-ed25519",
    "test-key-ed25519",
    {
      method: "POST",
      url: "https://example.com/foo?param=Value&Pet=dog",
      headers: {
        host: "example.com",
        date: "Tue, 20 Apr 2021 02:07:55 GMT",
        "content-type": "application/json",
        "content-digest":
          "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
        "content-length": "18",
      },
      body: B2_BODY,
    },
    {
      label: "sig-b26",
      components: ["date", "@method", "@path", "@authority", "content-type", "content-length"],
      created: 1618884473,
      expires: null,
      nonce: null,
      alg: null,
      keyid: "test-key-ed25519",
      digestAlgorithm: "sha-512",
    },
    "rfc9421-only",
  ),
  await valid("get-without-query", "rfc8037-a", {
    method: "GET",
    url: "http://localhost:8080/v1/whoami",
    headers: {},
  }),
  await valid("get-query-percent-encoded", "rfc8037-a", {
    method: "GET",
    url: "http://localhost:8080/v1/tools/serpapi/search.json?q=agent%20gateway&hl=en%2Dus&x=%C3%A9&empty=",
    headers: { accept: "application/json" },
  }),
  await valid("post-json-body", "agent-b", {
    method: "POST",
    url: "http://localhost:8080/v1/tokens",
    headers: { "content-type": "application/json" },
    body: '{"tool":"openai","scopes":["openai:chat"],"intent":"summarize the inbox"}',
  }),
  await valid("post-with-authorization", "agent-b", {
    method: "POST",
    url: "http://localhost:8080/v1/tools/openai/v1/chat/completions",
    headers: {
      authorization: "Bearer eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIiwidHlwIjoiYXQrand0In0.e30.c2ln",
      "content-type": "application/json",
    },
    body: CHAT_BODY,
  }),
  await valid(
    "https-default-port-and-tag",
    "rfc8037-a",
    { method: "GET", url: "https://Gateway.Example:443/v1/tools", headers: {} },
    { tag: "agentgw-sdk" },
  ),
];

// Invalid vectors: the request as received (signature headers included) and the code the
// gateway must answer with: keys registered, skew 30 s, max age 60 s, authority = URL host.
async function received(
  keyName: KeyName | "unregistered",
  request: VectorRequest,
  options: SignOptions = {},
  tamper: Partial<{ method: string; url: string; body: string; headers: Record<string, string> }> = {},
) {
  const result = await sign(keyName, request, options);
  const body = tamper.body ?? request.body;
  return {
    method: tamper.method ?? request.method,
    url: tamper.url ?? request.url,
    headers: { ...request.headers, ...result.headers, ...tamper.headers },
    bodyBase64: bodyBase64(body),
  };
}

const WHOAMI: VectorRequest = { method: "GET", url: "http://localhost:8080/v1/whoami", headers: {} };
const SEARCH: VectorRequest = {
  method: "GET",
  url: "http://localhost:8080/v1/tools/serpapi/search.json?q=cats",
  headers: {},
};
const TOKENS: VectorRequest = {
  method: "POST",
  url: "http://localhost:8080/v1/tokens",
  headers: { "content-type": "application/json" },
  body: '{"tool":"openai","scopes":["openai:chat"]}',
};
const AT = CREATED + 1;
const invalid = (name: string, request: unknown, expectedCode: string, reason: string, now = AT) => ({
  name,
  request,
  now,
  expectedCode,
  reason,
});
const whoamiSignature = await sign("rfc8037-a", WHOAMI);

const invalidVectors = [
  invalid(
    "wrong-digest",
    await received("agent-b", TOKENS, {}, { body: '{"tool":"openai","scopes":["openai:admin"]}' }),
    "digest_mismatch",
    "the body differs from the one the signed Content-Digest was computed over",
  ),
  invalid(
    "tampered-method",
    await received("rfc8037-a", WHOAMI, {}, { method: "DELETE" }),
    "signature_invalid",
    "@method changed after signing",
  ),
  invalid(
    "tampered-path",
    await received("rfc8037-a", WHOAMI, {}, { url: "http://localhost:8080/v1/tools" }),
    "signature_invalid",
    "@path changed after signing",
  ),
  invalid(
    "tampered-query",
    await received(
      "rfc8037-a",
      SEARCH,
      {},
      { url: "http://localhost:8080/v1/tools/serpapi/search.json?q=dogs" },
    ),
    "signature_invalid",
    "@query changed after signing",
  ),
  invalid(
    "signed-for-another-authority",
    await received(
      "rfc8037-a",
      { ...WHOAMI, url: "http://evil.example:8080/v1/whoami" },
      {},
      { url: WHOAMI.url },
    ),
    "signature_invalid",
    "the signature covers another @authority than the one the request was sent to",
  ),
  invalid(
    "missing-authority-component",
    await received("rfc8037-a", WHOAMI, { components: ["@method", "@path"] }),
    "signature_invalid",
    'the profile requires "@authority" to be covered',
  ),
  invalid(
    "query-not-covered",
    await received("rfc8037-a", SEARCH, { components: ["@method", "@authority", "@path"] }),
    "signature_invalid",
    'the URL has a query, so "@query" must be covered',
  ),
  invalid(
    "body-digest-not-covered",
    await received("agent-b", TOKENS, { components: ["@method", "@authority", "@path"] }),
    "signature_invalid",
    'there is a body, so "content-digest" must be covered',
  ),
  invalid(
    "authorization-not-covered",
    await received(
      "agent-b",
      { ...WHOAMI, headers: { authorization: "Bearer abc.def.ghi" } },
      { components: ["@method", "@authority", "@path"] },
    ),
    "signature_invalid",
    'an Authorization header is sent, so "authorization" must be covered',
  ),
  invalid(
    "missing-nonce",
    await received("rfc8037-a", WHOAMI, { nonce: null }),
    "signature_invalid",
    "the profile requires a nonce",
  ),
  invalid(
    "short-nonce",
    await received("rfc8037-a", WHOAMI, { nonce: "abc123" }),
    "signature_invalid",
    "the nonce is shorter than 22 characters",
  ),
  invalid(
    "lifetime-over-300",
    await received("rfc8037-a", WHOAMI, { expires: CREATED + 301 }),
    "signature_invalid",
    "expires - created is 301 seconds, more than 300",
  ),
  invalid(
    "alg-not-ed25519",
    await received("rfc8037-a", WHOAMI, { alg: "rsa-pss-sha512" }),
    "signature_invalid",
    'alg is present and is not "ed25519"',
  ),
  invalid(
    "older-than-max-age",
    await received("rfc8037-a", WHOAMI),
    "signature_expired",
    "verified 61 s after created with a max age of 60 s",
    CREATED + 61,
  ),
  invalid(
    "past-expires-plus-skew",
    await received("rfc8037-a", WHOAMI, { expires: CREATED + 5 }),
    "signature_expired",
    "verified at expires + skew (35 s after created)",
    CREATED + 35,
  ),
  invalid(
    "created-in-future-beyond-skew",
    await received("rfc8037-a", WHOAMI),
    "signature_invalid",
    "created is 31 s ahead of the verifier's clock, more than the 30 s skew",
    CREATED - 31,
  ),
  invalid(
    "unknown-keyid",
    await received("unregistered", WHOAMI),
    "unknown_key",
    "signed by a key that is not registered",
  ),
  invalid(
    "bad-signature-bytes",
    await received(
      "rfc8037-a",
      WHOAMI,
      {},
      { headers: { signature: `sig1=:${toBase64(new Uint8Array(64))}:` } },
    ),
    "signature_invalid",
    "the Signature value is 64 zero bytes",
  ),
  invalid(
    "malformed-signature-input",
    await received(
      "rfc8037-a",
      WHOAMI,
      {},
      { headers: { "signature-input": 'sig1=("@method" "@authority" "@path"' } },
    ),
    "signature_invalid",
    "Signature-Input is not a valid structured-field dictionary (unclosed inner list)",
  ),
  invalid(
    "label-only-in-signature-input",
    await received(
      "rfc8037-a",
      WHOAMI,
      {},
      { headers: { signature: whoamiSignature.headers.signature.replace(/^sig1=/, "sig2=") } },
    ),
    "signature_invalid",
    "Signature-Input has label sig1, Signature only sig2",
  ),
  invalid(
    "two-labels",
    await received(
      "rfc8037-a",
      WHOAMI,
      {},
      {
        headers: {
          "signature-input": `${whoamiSignature.headers["signature-input"]}, ${whoamiSignature.headers["signature-input"].replace(/^sig1=/, "sig2=")}`,
          signature: `${whoamiSignature.headers.signature}, ${whoamiSignature.headers.signature.replace(/^sig1=/, "sig2=")}`,
        },
      },
    ),
    "signature_invalid",
    "two labels appear in both fields; the profile needs exactly one",
  ),
  invalid(
    "no-signature-headers",
    { ...WHOAMI, bodyBase64: null },
    "signature_missing",
    "no Signature-Input or Signature",
  ),
];

write("signatures.json", {
  keys: Object.fromEntries(
    Object.entries(keys).map(([name, key]) => [
      name,
      { secretKey: toBase64Url(key.secretKey), publicKey: toBase64Url(key.publicKey), kid: key.kid },
    ]),
  ),
  valid: validVectors,
  invalid: invalidVectors,
});
console.log(
  `wrote ${validVectors.length} valid and ${invalidVectors.length} invalid signature vectors to ${outDir}`,
);
