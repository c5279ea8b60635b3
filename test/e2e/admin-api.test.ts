// The admin API against a real gateway process (CONTRACT.md §2, §7).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateKeyPair, publicKeyToJwk, toBase64Url } from "@agentgw/sdk";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";

let gw: GatewayProcess;

before(async () => {
  gw = await startGateway({ env: { AGENTGW_BODY_LIMIT_BYTES: "65536" } });
});
after(async () => {
  await gw.stop();
  gw.cleanup();
});

async function newPublicKey() {
  const pair = await generateKeyPair();
  return { pair, publicKey: toBase64Url(pair.publicKey) };
}

function assertProblem(res: { status: number; body: any; headers: Headers }, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
  assert.equal(res.body.code, code);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.title, "string");
  assert.equal(typeof res.body.detail, "string");
  assert.equal(res.body.requestId, res.headers.get("x-request-id"));
  assert.doesNotMatch(JSON.stringify(res.body), /at .*\.(js|ts):\d+/, "no stack trace");
}

describe("agent lifecycle", () => {
  it("creates, reads, lists, patches, adds and revokes keys, deletes", async () => {
    const { pair, publicKey } = await newPublicKey();
    const created = await gw.admin("POST", "/admin/agents", {
      name: "research-bot",
      publicKey,
      scopes: ["openai:chat", "serpapi:search"],
      metadata: { role: "researcher" },
    });
    assert.equal(created.status, 201);
    const agent = created.body;
    assert.match(agent.id, /^agt_[0-9A-Z]{26}$/);
    assert.equal(agent.status, "active");
    assert.equal(agent.tier, "default");
    assert.deepEqual(agent.scopes, ["openai:chat", "serpapi:search"]);
    assert.deepEqual(agent.metadata, { role: "researcher" });
    assert.equal(agent.keys.length, 1);
    assert.equal(agent.keys[0].kid, pair.kid, "kid is the RFC 7638 thumbprint");
    assert.equal(created.headers.get("location"), `/admin/agents/${agent.id}`);

    const got = await gw.admin("GET", `/admin/agents/${agent.id}`);
    assert.deepEqual(got.body, agent);

    const patched = await gw.admin("PATCH", `/admin/agents/${agent.id}`, {
      tier: "trusted",
      status: "suspended",
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.tier, "trusted");
    assert.equal(patched.body.status, "suspended");

    const suspended = await gw.admin("GET", "/admin/agents?status=suspended&limit=200");
    assert.ok(suspended.body.items.some((a: { id: string }) => a.id === agent.id));
    const active = await gw.admin("GET", "/admin/agents?status=active&limit=200");
    assert.ok(!active.body.items.some((a: { id: string }) => a.id === agent.id));

    // A second key given as an OKP JWK.
    const second = await generateKeyPair();
    const added = await gw.admin("POST", `/admin/agents/${agent.id}/keys`, {
      publicKey: publicKeyToJwk(second.publicKey),
    });
    assert.equal(added.status, 201);
    assert.equal(added.body.kid, second.kid);
    assert.equal(added.body.status, "active");

    assert.equal((await gw.admin("DELETE", `/admin/agents/${agent.id}/keys/${second.kid}`)).status, 204);
    const afterRevoke = await gw.admin("GET", `/admin/agents/${agent.id}`);
    assert.equal(afterRevoke.body.keys.find((k: { kid: string }) => k.kid === second.kid).status, "revoked");
    assertProblem(await gw.admin("DELETE", `/admin/agents/${agent.id}/keys/${second.kid}`), 404, "not_found");

    assert.equal((await gw.admin("DELETE", `/admin/agents/${agent.id}`)).status, 204);
    assertProblem(await gw.admin("GET", `/admin/agents/${agent.id}`), 404, "not_found");
  });

  it("refuses a key registered already with 409 conflict", async () => {
    const { publicKey } = await newPublicKey();
    assert.equal((await gw.admin("POST", "/admin/agents", { name: "one", publicKey })).status, 201);
    assertProblem(await gw.admin("POST", "/admin/agents", { name: "two", publicKey }), 409, "conflict");
  });

  it("pages through agents with a cursor, without gaps or repeats", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { publicKey } = await newPublicKey();
      ids.push((await gw.admin("POST", "/admin/agents", { name: `page-${i}`, publicKey })).body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: any } = await gw.admin(
        "GET",
        `/admin/agents?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      assert.ok(res.body.items.length <= 2);
      seen.push(...res.body.items.map((a: { id: string }) => a.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length, "no agent listed twice");
    for (const id of ids) assert.ok(seen.includes(id), `${id} listed`);
  });
});

describe("admin authentication", () => {
  for (const [name, header] of [
    ["no header", undefined],
    ["wrong token", "Bearer not-the-admin-token-at-all"],
    ["wrong scheme", "Basic abc"],
    ["empty bearer", "Bearer "],
  ] as const) {
    it(`refuses ${name} with 401 unauthorized`, async () => {
      const res = await fetch(`${gw.url}/admin/agents`, { headers: header ? { authorization: header } : {} });
      const body = await res.json();
      assertProblem({ status: res.status, body, headers: res.headers }, 401, "unauthorized");
      assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
    });
  }
});

describe("bad input never gets a 500", () => {
  const raw = async (method: string, path: string, body: string, contentType = "application/json") => {
    const res = await fetch(gw.url + path, {
      method,
      headers: { authorization: `Bearer ${gw.adminToken}`, "content-type": contentType },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text), headers: res.headers };
  };
  const valid = async () => ({ name: "x", publicKey: (await newPublicKey()).publicKey });

  it("malformed JSON → 400 invalid_request", async () => {
    assertProblem(await raw("POST", "/admin/agents", '{"name": '), 400, "invalid_request");
  });
  it("non-JSON content type → 400", async () => {
    assertProblem(
      await raw("POST", "/admin/agents", "name=x", "application/x-www-form-urlencoded"),
      400,
      "invalid_request",
    );
  });
  it("wrong types → 400 naming the field", async () => {
    const res = await gw.admin("POST", "/admin/agents", { ...(await valid()), scopes: "openai:chat" });
    assertProblem(res, 400, "invalid_request");
    assert.match(res.body.detail, /body\.scopes/);
  });
  it("unknown fields → 400", async () => {
    const res = await gw.admin("POST", "/admin/agents", { ...(await valid()), admin: true });
    assertProblem(res, 400, "invalid_request");
    assert.match(res.body.detail, /admin/);
  });
  it("unknown scope → 400", async () => {
    assertProblem(
      await gw.admin("POST", "/admin/agents", { ...(await valid()), scopes: ["root:all"] }),
      400,
      "invalid_request",
    );
  });
  it("metadata over 8 KiB → 400", async () => {
    const res = await gw.admin("POST", "/admin/agents", {
      ...(await valid()),
      metadata: { blob: "x".repeat(9000) },
    });
    assertProblem(res, 400, "invalid_request");
  });
  it("oversized body → 413 payload_too_large", async () => {
    const huge = JSON.stringify({ name: "x", publicKey: "a".repeat(70_000) });
    assertProblem(await raw("POST", "/admin/agents", huge), 413, "payload_too_large");
  });
  const badKeys: Array<[string, unknown]> = [
    ["31-byte key", toBase64Url(new Uint8Array(31).fill(7))],
    ["off-curve key", toBase64Url(Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 2 : 0)))],
    ["not base64url", "!!!!"],
    ["JWK with wrong kty", { kty: "RSA", crv: "Ed25519", x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs" }],
    ["JWK with wrong crv", { kty: "OKP", crv: "X25519", x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs" }],
    ["a number", 12345],
  ];
  for (const [name, publicKey] of badKeys) {
    it(`public key: ${name} → 400 with a clear detail`, async () => {
      const res = await gw.admin("POST", "/admin/agents", { name: "k", publicKey });
      assertProblem(res, 400, "invalid_request");
      assert.match(res.body.detail, /publicKey/);
    });
  }
  it("bad ids and cursors → 400, unknown ids → 404", async () => {
    assertProblem(await gw.admin("GET", "/admin/agents/not-an-id"), 400, "invalid_request");
    assertProblem(await gw.admin("GET", "/admin/agents/agt_00000000000000000000000000"), 404, "not_found");
    assertProblem(await gw.admin("GET", "/admin/agents?limit=0"), 400, "invalid_request");
    assertProblem(await gw.admin("GET", "/admin/agents?limit=abc"), 400, "invalid_request");
    assertProblem(await gw.admin("GET", "/admin/agents?cursor=%ZZ"), 400, "invalid_request");
  });
  it("empty PATCH → 400; unknown route → 404 problem", async () => {
    const { publicKey } = await newPublicKey();
    const id = (await gw.admin("POST", "/admin/agents", { name: "p", publicKey })).body.id;
    assertProblem(await gw.admin("PATCH", `/admin/agents/${id}`, {}), 400, "invalid_request");
    assertProblem(await gw.admin("GET", "/admin/nothing-here"), 404, "not_found");
  });
  it("keeps the caller's X-Request-Id", async () => {
    const res = await fetch(`${gw.url}/healthz`, { headers: { "x-request-id": "trace-me-123" } });
    assert.equal(res.headers.get("x-request-id"), "trace-me-123");
  });
});

describe("persistence", () => {
  it("agents survive a restart of the process", async () => {
    const { publicKey } = await newPublicKey();
    const id = (await gw.admin("POST", "/admin/agents", { name: "durable", publicKey })).body.id;
    gw = await gw.restart();
    const res = await gw.admin("GET", `/admin/agents/${id}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.name, "durable");
  });
});
