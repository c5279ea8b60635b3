import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { run } from "./program.js";
import { memoryIo, problemResponse } from "./testing/memory-io.js";

const ADMIN = { AGENTGW_URL: "http://gw.test:8080", AGENTGW_ADMIN_TOKEN: "admin-secret" };

describe("agentgw exit codes", () => {
  it("0 with the result on stdout; the admin token goes in the Authorization header only", async () => {
    const io = memoryIo(ADMIN, () => Response.json({ revision: "r1", loadedAt: "t", source: "policies/" }));
    assert.equal(await run(["policy", "status", "--json"], io), 0);
    assert.deepEqual(JSON.parse(io.out), { revision: "r1", loadedAt: "t", source: "policies/" });
    assert.equal(io.requests[0]!.url, "http://gw.test:8080/admin/policy");
    assert.equal(io.requests[0]!.headers.get("authorization"), "Bearer admin-secret");
    assert.match(io.err, /without TLS/, "warns about the token over plain http to another host");
  });

  it("1 when the gateway refuses: the problem on stdout with --json, described on stderr", async () => {
    const io = memoryIo(ADMIN, () => problemResponse(404, "not_found", { requestId: "req-1" }));
    assert.equal(await run(["agents", "get", "agt_x", "--json"], io), 1);
    assert.equal(JSON.parse(io.out).code, "not_found");
    assert.match(io.err, /refused: not_found \(404\): not_found here/);
    assert.match(io.err, /requestId: req-1/);
  });

  it("1 for an answer that is not a problem document (e.g. a proxy's page)", async () => {
    const io = memoryIo(ADMIN, () => new Response("<html>bad gateway</html>", { status: 502 }));
    assert.equal(await run(["audit", "verify"], io), 1);
    assert.match(io.err, /502.*bad gateway/);
  });

  it("1 when the audit chain does not verify", async () => {
    const io = memoryIo(ADMIN, () =>
      Response.json({ ok: false, checked: 7, firstBad: { seq: 4, reason: "hash mismatch" } }),
    );
    assert.equal(await run(["audit", "verify"], io), 1);
    assert.match(io.out, /BROKEN at record 4: hash mismatch/);
  });

  it("2 for usage errors, with nothing on stdout and nothing sent", async () => {
    for (const args of [
      [],
      ["nope"],
      ["agents", "list", "--limit", "-3"],
      ["agents", "list", "--limit", "0"],
      ["agents", "register", "--name", "x"],
      ["agents", "register", "--name", "x", "--public-key", "not-a-key"],
      ["agents", "register", "--name", "x", "--public-key", "AAAA", "--metadata", "[1]"],
      ["tokens", "revoke"],
      ["credentials", "activate", "openai", "first"],
      ["call", "TRACE /", "/v1/whoami"],
      ["call", "GET", "/v1/tools/OpenAI/v1/models"],
      ["call", "GET", "/v1/tools/openai/v1/files"],
    ]) {
      const io = memoryIo(ADMIN);
      assert.equal(await run(args, io), 2, `${args.join(" ")} → ${io.err}`);
      assert.equal(io.out, "", args.join(" "));
      assert.equal(io.requests.length, 0, args.join(" "));
      assert.notEqual(io.err, "", args.join(" "));
    }
  });

  it("2 naming the variable when AGENTGW_ADMIN_TOKEN is missing", async () => {
    const io = memoryIo({ AGENTGW_URL: "http://localhost:8080" });
    assert.equal(await run(["agents", "list"], io), 2);
    assert.match(io.err, /AGENTGW_ADMIN_TOKEN is not set/);
  });

  it("2 for an AGENTGW_URL that is not an http(s) URL, naming it", async () => {
    const io = memoryIo({ ...ADMIN, AGENTGW_URL: "ftp://gw" });
    assert.equal(await run(["agents", "list"], io), 2);
    assert.match(io.err, /AGENTGW_URL must be an http\(s\) URL/);
  });
});

describe("agentgw credentials", () => {
  it("reads the secret from the named variable, sends it as {apiKey}, never prints it", async () => {
    const io = memoryIo({ ...ADMIN, MY_KEY: "sk-very-secret" }, async (request) => {
      const body = (await request.json()) as Record<string, unknown>;
      return Response.json(
        {
          name: body.name,
          tool: body.tool,
          version: 1,
          activeVersion: 1,
          fingerprint: "abcd1234",
          versions: [{ version: 1, fingerprint: "abcd1234", createdAt: "t" }],
          createdAt: "t",
          updatedAt: "t",
        },
        { status: 201 },
      );
    });
    assert.equal(
      await run(["credentials", "set", "openai", "--tool", "openai", "--secret-env", "MY_KEY"], io),
      0,
    );
    assert.deepEqual(await io.requests[0]!.json(), {
      name: "openai",
      tool: "openai",
      secret: { apiKey: "sk-very-secret" },
    });
    assert.doesNotMatch(io.out + io.err, /sk-very-secret/);
    assert.match(io.out, /v1 \(abcd1234\)/);
  });

  it("refuses to read a secret from a terminal (it would echo) and names the ways to pass one", async () => {
    const io = memoryIo(ADMIN);
    assert.equal(await run(["credentials", "rotate", "openai"], io), 2);
    assert.match(io.err, /--secret-env VAR, --secret-file FILE or stdin/);
  });

  it("a malformed JSON secret is refused without echoing it", async () => {
    const io = memoryIo({ ...ADMIN, GMAIL: '{"clientId": "id", "clientSecret": "hush' });
    assert.equal(await run(["credentials", "rotate", "gmail", "--secret-env", "GMAIL"], io), 2);
    assert.doesNotMatch(io.err, /hush/);
  });
});
