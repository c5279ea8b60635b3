import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateKeyPair } from "@agentgw/sdk";
import { type SignOptions, signRequest } from "@agentgw/sdk/httpsig";
import { GatewayError } from "../errors.js";
import { createMemoryNonceCache } from "./nonce-cache.js";
import { createSignatureVerifier, type SignatureVerifierOptions, type SignedRequest } from "./verifier.js";

const agent = await generateKeyPair();
const T0 = 1_800_000_000;

function setup(overrides: Partial<SignatureVerifierOptions> = {}) {
  const clock = { now: T0 };
  const active = new Map([[agent.kid, agent.publicKey]]);
  const verify = createSignatureVerifier({
    getKey: async (kid) => active.get(kid) ?? null,
    nonceCache: createMemoryNonceCache({ now: () => clock.now * 1000 }),
    authorities: ["gw.example:8443"],
    scheme: "https",
    now: () => clock.now * 1000,
    ...overrides,
  });
  return { verify, clock, active };
}

async function signed(
  init: { method?: string; target?: string; headers?: Record<string, string>; body?: string } = {},
  options: SignOptions = {},
): Promise<SignedRequest> {
  const method = init.method ?? "GET";
  const target = init.target ?? "/v1/whoami";
  const headers = init.headers ?? {};
  const sig = await signRequest(
    { method, url: `https://gw.example:8443${target}`, headers, body: init.body ?? null },
    agent,
    { created: T0, ...options },
  );
  return {
    method,
    authority: "gw.example:8443",
    pathAndQuery: target,
    headers: { ...headers, ...sig },
    rawBody: init.body === undefined ? null : new TextEncoder().encode(init.body),
  };
}

async function rejectsWith(promise: Promise<unknown>, code: string, detail?: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof GatewayError, `expected GatewayError, got ${String(error)}`);
    assert.equal(error.code, code, error.detail);
    if (detail) assert.match(error.detail, detail);
    return true;
  });
}

describe("createSignatureVerifier", () => {
  it("accepts an SDK-signed GET and POST and reports what was verified", async () => {
    const { verify } = setup();
    const get = await verify(await signed({ target: "/v1/tools?x=1%202" }));
    assert.equal(get.kid, agent.kid);
    assert.equal(get.label, "sig1");
    assert.deepEqual(get.components, ['"@method"', '"@authority"', '"@path"', '"@query"']);
    assert.equal(get.expires, T0 + 60);
    const post = await verify(
      await signed({
        method: "POST",
        target: "/v1/tokens",
        body: '{"tool":"openai"}',
        headers: { authorization: "Bearer t" },
      }),
    );
    assert.deepEqual(post.components, [
      '"@method"',
      '"@authority"',
      '"@path"',
      '"content-digest"',
      '"authorization"',
    ]);
  });

  it("detects a replayed nonce for the same key", async () => {
    const { verify } = setup();
    const request = await signed();
    await verify(request);
    await rejectsWith(verify(request), "replay_detected");
  });

  it("does not spend a nonce on a request that fails verification", async () => {
    const { verify } = setup();
    const request = await signed();
    await rejectsWith(verify({ ...request, method: "DELETE" }), "signature_invalid");
    await verify(request);
  });

  it("applies the clock skew and maximum age at their edges", async () => {
    const { verify, clock } = setup({ skewSeconds: 30, maxAgeSeconds: 60 });
    clock.now = T0 - 30; // created exactly skew ahead: accepted
    await verify(await signed());
    clock.now = T0 - 30.001;
    await rejectsWith(verify(await signed()), "signature_invalid", /future/);
    clock.now = T0 + 60; // exactly max age: accepted
    await verify(await signed());
    clock.now = T0 + 60.001;
    await rejectsWith(verify(await signed()), "signature_expired");
    clock.now = T0 + 34.999; // expires + skew = T0 + 35
    await verify(await signed({}, { expires: T0 + 5 }));
    clock.now = T0 + 35;
    await rejectsWith(verify(await signed({}, { expires: T0 + 5 })), "signature_expired");
  });

  it("refuses a request sent to another authority", async () => {
    const { verify } = setup();
    const request = await signed();
    await rejectsWith(
      verify({ ...request, authority: "other.example" }),
      "signature_invalid",
      /another authority/,
    );
  });

  it("normalizes the configured and received authority (case, default port)", async () => {
    const { verify } = setup({ authorities: ["GW.example"], scheme: "https" });
    const sig = await signRequest({ method: "GET", url: "https://gw.example/v1/whoami" }, agent, {
      created: T0,
    });
    await verify({
      method: "GET",
      authority: "Gw.Example:443",
      pathAndQuery: "/v1/whoami",
      headers: sig,
      rawBody: null,
    });
  });

  it("answers unknown_key for a revoked or unknown key", async () => {
    const { verify, active } = setup();
    active.clear();
    await rejectsWith(verify(await signed()), "unknown_key");
  });

  it("checks the digest against the raw bytes, and requires it when there is a body", async () => {
    const { verify } = setup();
    const request = await signed({ method: "POST", target: "/v1/tokens", body: '{"a":1}' });
    await rejectsWith(
      verify({ ...request, rawBody: new TextEncoder().encode('{"a": 1}') }),
      "digest_mismatch",
    );
    const unsigned = await signed({ method: "POST", target: "/v1/tokens" });
    await rejectsWith(
      verify({ ...unsigned, rawBody: new TextEncoder().encode("sneaked in") }),
      "signature_invalid",
      /content-digest/,
    );
  });

  it("answers signature_missing without both headers", async () => {
    const { verify } = setup();
    const request = await signed();
    await rejectsWith(verify({ ...request, headers: {} }), "signature_missing");
    await rejectsWith(
      verify({ ...request, headers: { signature: String(request.headers.signature) } }),
      "signature_missing",
    );
  });

  it("ignores a label present in only one field (e.g. added by a proxy)", async () => {
    const { verify } = setup();
    const request = await signed();
    const headers = { ...request.headers, signature: `${request.headers.signature}, proxy=:AAAA:` };
    await verify({ ...request, headers });
  });

  it("maps a full replay cache to rate_limited with Retry-After", async () => {
    const { verify } = setup({
      nonceCache: createMemoryNonceCache({ maxEntries: 1, now: () => T0 * 1000 }),
    });
    await verify(await signed());
    await assert.rejects(verify(await signed()), (error: unknown) => {
      assert.ok(error instanceof GatewayError);
      assert.equal(error.code, "rate_limited");
      assert.ok(Number(error.headers["Retry-After"]) > 0);
      return true;
    });
  });

  it("precheck: refuses without a body what needs none, accepts a well-formed signature of an active key", async () => {
    const { verify, active } = setup();
    const post = await signed({ method: "POST", target: "/v1/tokens", body: '{"a":1}' });
    const { rawBody: _unread, ...withoutBody } = post;
    assert.equal((await verify.precheck({ ...withoutBody, declaresBody: true })).kid, agent.kid);
    // The precheck spends no nonce: the full verification still accepts the request.
    assert.equal((await verify(post)).kid, agent.kid);
    await rejectsWith(
      verify.precheck({ ...withoutBody, headers: {}, declaresBody: true }),
      "signature_missing",
    );
    const bare = await signed({ target: "/v1/whoami" });
    const { rawBody: _none, ...bareWithoutBody } = bare;
    // A declared body needs a covered content-digest, known from the headers alone.
    await rejectsWith(verify.precheck({ ...bareWithoutBody, declaresBody: true }), "signature_invalid");
    active.clear();
    await rejectsWith(verify.precheck({ ...bareWithoutBody, declaresBody: false }), "unknown_key");
  });

  it("reuses the precheck's parse for the same request, and only for it", async () => {
    const { verify, active, clock } = setup();
    const post = await signed({ method: "POST", target: "/v1/tokens", body: '{"a":1}' });
    const prechecked = await verify.precheck({ ...post, declaresBody: true });
    assert.equal((await verify(post, prechecked)).kid, agent.kid);

    // A parse carried over to another request is ignored: that request is parsed and judged alone
    // (reusing it would accept these headers, whose Signature belongs to another request).
    const fresh = await signed({ method: "POST", target: "/v1/tokens", body: '{"a":1}' });
    const precheckedFresh = await verify.precheck({ ...fresh, declaresBody: true });
    const forged = { ...fresh, headers: { ...fresh.headers, signature: post.headers.signature as string } };
    await rejectsWith(verify(forged, precheckedFresh), "signature_invalid", /does not verify/);
    // Same headers object, another target: parsed again, so the signed @path no longer matches.
    await rejectsWith(
      verify({ ...fresh, pathAndQuery: "/v1/tools/x" }, precheckedFresh),
      "signature_invalid",
      /does not verify/,
    );

    // The cheap checks run again after the body: a key revoked, or a signature expired, meanwhile.
    const late = await signed({ method: "POST", target: "/v1/tokens", body: '{"a":3}' });
    const precheckedLate = await verify.precheck({ ...late, declaresBody: true });
    clock.now += 61;
    await rejectsWith(verify(late, precheckedLate), "signature_expired");
    clock.now -= 61;
    const revoked = await signed({ method: "POST", target: "/v1/tokens", body: '{"a":4}' });
    const precheckedRevoked = await verify.precheck({ ...revoked, declaresBody: true });
    active.clear();
    await rejectsWith(verify(revoked, precheckedRevoked), "unknown_key");
  });

  it("a body that was not declared (chunked) still needs a covered content-digest after the precheck", async () => {
    const { verify } = setup();
    const bare = await signed({ method: "POST", target: "/v1/tokens" });
    const prechecked = await verify.precheck({ ...bare, declaresBody: false });
    await rejectsWith(
      verify({ ...bare, rawBody: new TextEncoder().encode('{"a":1}') }, prechecked),
      "signature_invalid",
      /content-digest/,
    );
  });

  it("validates its options when created", () => {
    const base = { getKey: () => null, nonceCache: createMemoryNonceCache(), authorities: ["h"] };
    assert.throws(() => createSignatureVerifier({ ...base, authorities: [] }), RangeError);
    assert.throws(() => createSignatureVerifier({ ...base, authorities: ["https://h"] }), RangeError);
    assert.throws(() => createSignatureVerifier({ ...base, skewSeconds: -1 }), RangeError);
    assert.throws(() => createSignatureVerifier({ ...base, maxAgeSeconds: 0 }), RangeError);
    assert.throws(() => createSignatureVerifier({ ...base, getKey: undefined as never }), TypeError);
  });
});

describe("malformed input never throws anything but GatewayError", () => {
  const seeded = (seed: number) => () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };

  it("survives random bytes, huge values and many labels in the signature headers", async () => {
    const { verify } = setup();
    const good = await signed({ method: "POST", target: "/v1/tokens?x=1", body: "{}" });
    const random = seeded(42);
    const randomText = (length: number) =>
      String.fromCharCode(...Array.from({ length }, () => Math.floor(random() * 256)));
    const many = (n: number, value: string) =>
      Array.from({ length: n }, (_, i) => `l${i}=${value}`).join(", ");
    const candidates: Record<string, string>[] = [
      { "signature-input": "x".repeat(100_000), signature: "y".repeat(100_000) },
      {
        "signature-input": many(100, String(good.headers["signature-input"]).slice(5)),
        signature: many(100, String(good.headers.signature).slice(5)),
      },
      { "signature-input": 'sig1=("@method");created=1e400', signature: "sig1=:AAAA:" },
      { "signature-input": "sig1=(1 2 3);created=1", signature: "sig1=:AAAA:" },
      { "signature-input": 'sig1=("@method");created="x"', signature: "sig1=:AAAA:" },
      {
        "signature-input": 'sig1=("@status" "@method" "@authority" "@path" "@query" "content-digest")',
        signature: "sig1=?1",
      },
      { "signature-input": String(good.headers["signature-input"]), signature: "sig1=:AAAA:" },
      { "signature-input": String(good.headers["signature-input"]), signature: "sig1=(:AAAA:)" },
      { "content-digest": "sha-256=:%%%:" },
      { "content-digest": "sha-256=(1 2)" },
      { "content-digest": "md5=:AAAA:" },
    ];
    for (let i = 0; i < 200; i++) {
      candidates.push({ "signature-input": randomText(1 + (i % 300)), signature: randomText(1 + (i % 97)) });
      candidates.push({
        "signature-input": `sig1=${randomText(i % 50)}`,
        signature: String(good.headers.signature),
      });
    }
    for (const headers of candidates) {
      const request = { ...good, headers: { ...good.headers, ...headers } };
      await assert.rejects(verify(request), GatewayError, JSON.stringify(headers).slice(0, 200));
    }
    const targets = ["", "*", "http://gw.example:8443/v1/x", "/\u0000", "/v1/é", `/${"a".repeat(100_000)}`];
    for (const pathAndQuery of targets) {
      await assert.rejects(verify({ ...good, pathAndQuery }), GatewayError, pathAndQuery.slice(0, 50));
    }
    await assert.rejects(verify({ ...good, method: "G\nET" }), GatewayError);
    await assert.rejects(verify({ ...good, authority: "" }), GatewayError);
  });
});
