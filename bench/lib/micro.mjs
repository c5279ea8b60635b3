// Micro-benchmarks of the hot path's pieces, each timed call by call (hrtime) so the
// medians are of single operations. Input: one JSON argument {policy, opaPath, seconds};
// output: one JSON line on stdout.
import { createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ed from "@noble/ed25519";
import { SignJWT } from "jose";
import { pino } from "pino";
import { createSigner } from "./signer.mjs";

const spec = JSON.parse(process.argv[2]);
const dist = new URL("../../gateway/dist/", import.meta.url);
const load = (path) => import(new URL(path, dist).href);
const budgetMs = (spec.seconds ?? 2) * 1000;

/** Runs `op` repeatedly for the time budget (after a warm-up) and returns per-call percentiles in µs. */
async function time(op, { sync = false } = {}) {
  const warmup = performance.now() + Math.min(300, budgetMs / 4);
  while (performance.now() < warmup) sync ? op() : await op();
  const samples = [];
  const deadline = performance.now() + budgetMs;
  while (performance.now() < deadline) {
    const t0 = process.hrtime.bigint();
    sync ? op() : await op();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  const at = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  return { p50Us: at(0.5), p99Us: at(0.99), calls: samples.length };
}

const results = {};

// 1. Ed25519 verify of a signature base (the unit the budget is counted in), two libraries.
{
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const base = Buffer.from(
    `"@method": POST\n"@authority": 127.0.0.1:8080\n"@path": /v1/tools/openai/v1/chat/completions\n"content-digest": sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:\n"authorization": Bearer eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIiwidHlwIjoiYXQrand0In0.e30.c2ln\n"@signature-params": ("@method" "@authority" "@path" "content-digest" "authorization");created=1700000000;expires=1700000060;nonce="q2JrS0pYcm9uZ2x5UmFuZG9tTm9uY2VWYWx1ZTEyMzQ";keyid="mJ3kQ2m1vS7d0bVxXl3qfJQ3cYy8eR3yq5c0p2w9Z1E";alg="ed25519"`,
  );
  const signature = sign(null, base, privateKey);
  const raw = publicKey.export({ format: "jwk" }).x;
  const rawBytes = Buffer.from(raw, "base64url");
  results.ed25519VerifyNode = await time(() => verify(null, base, publicKey, signature), { sync: true });
  // The same in CPU time (the unit for the servers' CPU per request): robust when the cores are shared.
  const before = process.cpuUsage();
  const n = 5000;
  for (let i = 0; i < n; i++) verify(null, base, publicKey, signature);
  const used = process.cpuUsage(before);
  results.ed25519VerifyNodeCpu = { p50Us: (used.user + used.system) / n, p99Us: null, calls: n };
  results.ed25519VerifyNoble = await time(() => ed.verifyAsync(signature, base, rawBytes));
}

// 2. The whole signature stage's verifier: parse, profile, digest, Ed25519, replay check.
{
  const { createSignatureVerifier } = await load("httpsig/verifier.js");
  const { createMemoryNonceCache } = await load("httpsig/nonce-cache.js");
  const seed = ed.utils.randomSecretKey();
  const publicKey = await ed.getPublicKeyAsync(seed);
  const kid = "bench-kid";
  const signer = await createSigner({ secretKey: seed, kid });
  const verifier = createSignatureVerifier({
    getKey: () => publicKey,
    nonceCache: createMemoryNonceCache({ maxEntries: 2_000_000 }),
    authorities: ["127.0.0.1:8080"],
  });
  const url = "http://127.0.0.1:8080/v1/tools/openai/v1/chat/completions";
  const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] });
  const rawBody = Buffer.from(body);
  const requests = [];
  for (let i = 0; i < 20_000; i++) {
    const headers = await signer(
      "POST",
      url,
      { "content-type": "application/json", authorization: "Bearer t" },
      body,
    );
    requests.push(headers);
  }
  let i = 0;
  results.signatureStage = await time(() =>
    verifier({
      method: "POST",
      authority: "127.0.0.1:8080",
      pathAndQuery: "/v1/tools/openai/v1/chat/completions",
      headers: requests[i++ % requests.length],
      rawBody,
    }).catch(() => {}),
  );
}

// 3. Tool token verification: cold (signature and claims checked) and cached (a token seen before).
{
  const { createToolTokenVerifier } = await load("tokens/verify-token.js");
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const issuer = "http://127.0.0.1:8080";
  const nowS = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ scope: "openai:chat", cnf: { jkt: "kid1" }, rev: "r1" })
    .setProtectedHeader({ alg: "EdDSA", kid: "gw1", typ: "at+jwt" })
    .setIssuer(issuer)
    .setSubject("agt_bench")
    .setAudience("openai")
    .setJti("tok_bench")
    .setIssuedAt(nowS)
    .setNotBefore(nowS)
    .setExpirationTime(nowS + 3600)
    .sign(privateKey);
  const common = {
    keyRing: { keyFor: () => publicKey },
    issuer,
    tokenStore: { revokedAt: async () => null },
    now: () => new Date(),
  };
  const cold = createToolTokenVerifier({ ...common, cacheSize: 0 });
  const cached = createToolTokenVerifier(common);
  const expected = { tool: "openai", agentId: "agt_bench", kid: "kid1" };
  results.tokenVerifyCold = await time(() => cold.verify(token, expected));
  results.tokenVerifyCached = await time(() => cached.verify(token, expected));
  void createPublicKey;
}

// 4. Policy decisions with the example policies, on the inputs the gateway builds.
{
  const { loadPolicyEngine } = await load("policy/policy-engine.js");
  const engine = await loadPolicyEngine({
    source: spec.policy,
    opaPath: spec.opaPath,
    logger: pino({ level: "silent" }),
    watch: false,
  });
  const unix = Math.floor(Date.now() / 1000);
  const common = {
    agent: {
      id: "agt_01JBENCH0000000000000000",
      name: "bench",
      tier: "default",
      scopes: ["openai:chat"],
      metadata: { role: "assistant" },
    },
    kid: "mJ3kQ2m1vS7d0bVxXl3qfJQ3cYy8eR3yq5c0p2w9Z1E",
    budgets: [],
    approval: null,
    time: { now: new Date(unix * 1000).toISOString(), unix },
    source: { ip: "127.0.0.1" },
  };
  const tokenInput = {
    ...common,
    phase: "token",
    tool: "openai",
    action: null,
    scopes: ["openai:chat"],
    intent: null,
    request: {
      method: "POST",
      path: "/v1/tokens",
      query: {},
      headers: { "content-type": "application/json", "content-length": "45", host: "127.0.0.1:8080" },
      size: 45,
      body: { tool: "openai", scopes: ["openai:chat"], intent: null, ttlSeconds: null },
    },
    token: null,
  };
  const callInput = {
    ...common,
    phase: "call",
    tool: "openai",
    action: "chat.completions.create",
    scopes: ["openai:chat"],
    intent: null,
    request: {
      method: "POST",
      path: "/v1/chat/completions",
      query: {},
      headers: { "content-type": "application/json", "content-length": "72", host: "127.0.0.1:8080" },
      size: 72,
      body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] },
    },
    token: { jti: "tok_bench", scopes: ["openai:chat"], iat: unix - 10, exp: unix + 290 },
  };
  for (const [name, input] of [
    ["policyTokenDecision", tokenInput],
    ["policyCallDecision", callInput],
  ]) {
    const decision = engine.decide(input);
    if (!decision.allow)
      throw new Error(`${name}: the example policy denied: ${decision.reasons.join("; ")}`);
    results[name] = await time(() => engine.decide(input), { sync: true });
  }
  await engine.close();
}

// 5. A rate-limit check (agent and agent+tool buckets).
{
  const { createRateLimits } = await load("limits/rate-limits.js");
  const { loadConfig } = await load("config.js");
  const config = loadConfig({
    argv: ["--config", spec.configFile],
    env: { AGENTGW_ADMIN_TOKEN: "bench-admin-token-0123456789" },
  });
  const limits = createRateLimits(config);
  const agent = { id: "agt_bench", tier: "default" };
  results.rateLimitCheck = await time(() => limits.checkAgent(agent, "openai"));
}

// 6. Writing a decision and its audit link: alone (one commit each), and 64 per transaction (group commit).
{
  const { openSqliteStore } = await load("store/sqlite/open.js");
  const { createRecordWriter } = await load("audit/record-writer.js");
  const dir = mkdtempSync(join(tmpdir(), "agentgw-bench-records-"));
  const store = openSqliteStore({ dataDir: dir });
  const writer = createRecordWriter(store.records);
  let n = 0;
  const entry = () => {
    const id = `d${n++}`;
    return {
      decision: {
        decisionId: id,
        time: new Date().toISOString(),
        requestId: `r${id}`,
        traceId: null,
        agentId: "agt_bench",
        kid: "kid",
        tool: "openai",
        action: "chat.completions.create",
        phase: "call",
        allow: true,
        reasons: [],
        obligations: {},
        policyRevision: "rev",
        durationMs: 0.01,
        input: { phase: "call", tool: "openai", request: { method: "POST", path: "/v1/chat/completions" } },
      },
      audit: [
        {
          time: new Date().toISOString(),
          actor: "agent:agt_bench",
          action: "decision.call",
          target: "openai:chat.completions.create",
          requestId: `r${id}`,
          traceId: null,
          details: { decisionId: id, allow: true },
        },
      ],
    };
  };
  results.recordWriteAlone = await time(() => writer.write(entry()));
  const batch = await time(() => Promise.all(Array.from({ length: 64 }, () => writer.write(entry()))));
  results.recordWritePerRecordIn64 = {
    p50Us: batch.p50Us / 64,
    p99Us: batch.p99Us / 64,
    calls: batch.calls * 64,
  };
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

process.stdout.write(`${JSON.stringify(results)}\n`);
