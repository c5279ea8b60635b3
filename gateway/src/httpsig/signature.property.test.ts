// Property tests (fast-check) for RFC 9421 as the gateway verifies it: a request the SDK signs over
// random components (method, path, query, headers, body, parameters, label) verifies, and any
// single-byte change to what was signed — method, target, a covered header, the body, the
// Signature-Input field or the signature bytes — is refused.
import assert from "node:assert/strict";
import { test } from "node:test";
import { generateKeyPair } from "@agentgw/sdk";
import { parseSignatureField, serializeSignatureField, signRequest } from "@agentgw/sdk/httpsig";
import fc from "fast-check";
import { GatewayError } from "../errors.js";
import { createMemoryNonceCache } from "./nonce-cache.js";
import { createSignatureVerifier, type SignedRequest } from "./verifier.js";

const agent = await generateKeyPair();
const T0 = 1_800_000_000;
const AUTHORITY = "gw.example:8443";

function verifier() {
  const now = () => T0 * 1000;
  return createSignatureVerifier({
    getKey: (kid) => (kid === agent.kid ? agent.publicKey : null),
    nonceCache: createMemoryNonceCache({ now }),
    authorities: [AUTHORITY],
    scheme: "https",
    now,
  });
}

const URL_SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@";
const pathSegment = fc.oneof(
  fc.string({ unit: fc.constantFrom(...URL_SAFE.replace(/[&=]/g, "")), minLength: 1, maxLength: 12 }),
  fc
    .uint8Array({ minLength: 1, maxLength: 4 })
    .map((bytes) => [...bytes].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("")),
);
const queryPart = fc.string({ unit: fc.constantFrom(...URL_SAFE.replace(/[&=]/g, "")), maxLength: 8 });
const target = fc
  .tuple(
    fc.array(pathSegment, { minLength: 1, maxLength: 5 }),
    fc.option(fc.array(fc.tuple(queryPart, queryPart), { minLength: 1, maxLength: 4 }), { nil: undefined }),
  )
  .map(
    ([segments, query]) =>
      `/${segments.join("/")}${query ? `?${query.map(([k, v]) => `${k}=${v}`).join("&")}` : ""}`,
  );

const RESERVED_HEADERS = new Set(["signature", "signature-input", "content-digest", "host", "authorization"]);
const headerName = fc
  .string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-"), minLength: 1, maxLength: 16 })
  .filter((name) => /^[a-z]/.test(name) && !RESERVED_HEADERS.has(name));
/** Visible ASCII with inner spaces; no leading or trailing whitespace (RFC 9110 field values). */
const headerValue = fc
  .string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 })
  .map((value) => value.trim())
  .filter((value) => value.length > 0);
const headers = fc.dictionary(headerName, headerValue, { maxKeys: 4 });

const label = fc
  .tuple(
    fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz"),
    fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789_-.*"), maxLength: 10 }),
  )
  .map(([first, rest]) => first + rest);

const signedRequest = fc.record({
  method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"),
  target,
  headers,
  /** How many of the extra headers the signature covers (the first n). */
  coveredHeaders: fc.nat({ max: 4 }),
  withTargetUri: fc.boolean(),
  body: fc.option(fc.uint8Array({ minLength: 1, maxLength: 256 }), { nil: null }),
  bearer: fc.option(fc.base64String({ minLength: 4, maxLength: 40 }), { nil: undefined }),
  created: fc.integer({ min: T0 - 50, max: T0 + 20 }),
  lifetime: fc.integer({ min: 60, max: 300 }),
  nonce: fc.base64String({ minLength: 24, maxLength: 96 }).map((s) => s.replace(/=+$/, "")),
  tag: fc.option(fc.string({ unit: fc.constantFrom(..."abcdefghij-_ ."), maxLength: 16 }), {
    nil: undefined,
  }),
  label,
});

type Generated = typeof signedRequest extends fc.Arbitrary<infer T> ? T : never;

async function sign(g: Generated): Promise<SignedRequest> {
  const headerFields: Record<string, string> = {
    ...g.headers,
    ...(g.bearer ? { authorization: `Bearer ${g.bearer}` } : {}),
  };
  const components = ["@method", "@authority", "@path"];
  if (g.target.includes("?")) components.push("@query");
  if (g.body) components.push("content-digest");
  if (g.bearer) components.push("authorization");
  if (g.withTargetUri) components.push("@target-uri");
  components.push(...Object.keys(g.headers).slice(0, g.coveredHeaders));
  const signature = await signRequest(
    { method: g.method, url: `https://${AUTHORITY}${g.target}`, headers: headerFields, body: g.body },
    agent,
    {
      components,
      created: g.created,
      expires: g.created + g.lifetime,
      nonce: g.nonce,
      label: g.label,
      ...(g.tag === undefined ? {} : { tag: g.tag }),
    },
  );
  // What goes on the wire is the URL as WHATWG parsing serializes it (e.g. ' in a query becomes %27).
  const sent = new URL(`https://${AUTHORITY}${g.target}`);
  return {
    method: g.method,
    authority: AUTHORITY,
    pathAndQuery: sent.pathname + sent.search,
    headers: { ...headerFields, ...signature },
    rawBody: g.body,
  };
}

/** Changes one byte of a string (never to the same byte). */
function changeByte(text: string, at: number, xor: number): string {
  const bytes = Buffer.from(text, "latin1");
  const i = at % bytes.length;
  bytes[i] = bytes[i]! ^ xor;
  return bytes.toString("latin1");
}

async function refused(request: SignedRequest): Promise<boolean> {
  try {
    await verifier()(request);
    return false;
  } catch (error) {
    assert.ok(
      error instanceof GatewayError,
      `a tampered request must be a 4xx problem, got ${String(error)}`,
    );
    assert.ok(error.status >= 400 && error.status < 500, `${error.code} is not a 4xx`);
    return true;
  }
}

test("whatever the components, an SDK-signed request verifies", async () => {
  await fc.assert(
    fc.asyncProperty(signedRequest, async (g) => {
      const verified = await verifier()(await sign(g));
      assert.equal(verified.kid, agent.kid);
      assert.equal(verified.label, g.label);
      assert.equal(verified.nonce, g.nonce);
    }),
    { numRuns: 300 },
  );
});

const TAMPERED_PARTS = ["method", "target", "header", "body", "signature-input", "signature"] as const;

test("any single-byte change to what was signed fails verification", async () => {
  await fc.assert(
    fc.asyncProperty(
      signedRequest,
      fc.constantFrom(...TAMPERED_PARTS),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      async (g, part, at, xor) => {
        const request = await sign(g);
        const headersOut = { ...request.headers } as Record<string, string>;
        let tampered: SignedRequest;
        switch (part) {
          case "method":
            tampered = { ...request, method: changeByte(request.method, at, xor) };
            break;
          case "target":
            tampered = { ...request, pathAndQuery: changeByte(request.pathAndQuery, at, xor) };
            break;
          case "header": {
            const covered = [
              ...Object.keys(g.headers).slice(0, g.coveredHeaders),
              ...(g.bearer ? ["authorization"] : []),
              ...(g.body ? ["content-digest"] : []),
            ];
            if (covered.length === 0) return; // nothing of this kind was signed
            const name = covered[at % covered.length]!;
            headersOut[name] = changeByte(headersOut[name]!, Math.floor(at / covered.length), xor);
            tampered = { ...request, headers: headersOut };
            break;
          }
          case "body":
            if (!g.body) return;
            tampered = {
              ...request,
              rawBody: Buffer.from(changeByte(Buffer.from(g.body).toString("latin1"), at, xor), "latin1"),
            };
            break;
          case "signature-input":
            headersOut["signature-input"] = changeByte(headersOut["signature-input"]!, at, xor);
            tampered = { ...request, headers: headersOut };
            break;
          case "signature": {
            // The signature's bytes: a base64 character can differ only in padding bits, which is
            // the same signature, so the change is made to the decoded value.
            const [[signedLabel, bytes]] = [...parseSignatureField(headersOut.signature!)] as [
              [string, Uint8Array],
            ];
            const changed = Uint8Array.from(bytes);
            changed[at % changed.length]! ^= xor;
            headersOut.signature = serializeSignatureField(signedLabel, changed);
            tampered = { ...request, headers: headersOut };
            break;
          }
        }
        assert.ok(await refused(tampered), `a change to the ${part} verified`);
      },
    ),
    { numRuns: 1500 },
  );
});
