// Upstream credentials managed live: the admin API stores them sealed, a
// rotation applies to the next call without a restart, the policy's `credential`
// obligation picks another account of the same tool, and no secret ever shows up
// in an answer, a log line or the data dir.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type AllFakes, buildMessage, startAllFakes } from "../fakes/index.js";
import { assertProblemShape, type RegisteredAgent, registerAgent, signedCall } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { policyFolder } from "../support/policies.js";
import { getToken } from "../support/tokens.js";

// Team "a" uses its own OpenAI and Gmail accounts; everyone else the tools' default credentials.
const POLICY = `package agentgw

obligations := {"credential": "openai-team-a"} if {
  input.phase == "call"
  input.tool == "openai"
  input.agent.metadata.team == "a"
}

obligations := {"credential": "gmail-team-a"} if {
  input.phase == "call"
  input.tool == "gmail"
  input.agent.metadata.team == "a"
}

obligations := {"credential": "serpapi-missing"} if {
  input.phase == "call"
  input.tool == "serpapi"
  input.agent.metadata.team == "a"
}

obligations := {} if {
  not input.agent.metadata.team == "a"
}

obligations := {} if {
  input.phase != "call"
}

decision := {"allow": true, "reasons": [], "obligations": obligations}
`;

let fakes: AllFakes;
let gw: GatewayProcess;
let plain: RegisteredAgent;
let teamA: RegisteredAgent;
/** Every secret this suite hands the gateway; none may come back out. */
const secrets: string[] = [];
/** Every body the gateway answered with, admin and agent. */
const answers: string[] = [];

async function admin(method: string, path: string, body?: unknown) {
  const res = await gw.admin(method, path, body);
  answers.push(JSON.stringify(res.body ?? ""));
  return res;
}

async function chat(who: RegisteredAgent, text = "hello") {
  const { token } = await getToken(gw, who.key, { tool: "openai", scopes: ["openai:chat"] });
  const res = await signedCall(gw.url, who.key, {
    path: "/v1/tools/openai/v1/chat/completions",
    headers: { authorization: `Bearer ${token}` },
    json: { model: "gpt-4o-mini", messages: [{ role: "user", content: text }] },
  });
  answers.push(JSON.stringify(res.body ?? ""));
  return res;
}

/** The key the fake OpenAI saw on the last call. */
const lastOpenAiKey = () => fakes.openai.received.at(-1)?.headers.authorization?.replace(/^Bearer /, "");

before(async () => {
  fakes = await startAllFakes();
  secrets.push(
    fakes.openai.apiKey,
    fakes.serpapi.apiKey,
    fakes.gmail.clientSecret,
    fakes.gmail.refreshToken,
    fakes.env.AGENTGW_MASTER_KEY!,
  );
  gw = await startGateway({ env: { ...fakes.env, AGENTGW_POLICY: policyFolder(POLICY) } });
  plain = await registerAgent(gw, { name: "plain" });
  teamA = await registerAgent(gw, { name: "team-a", metadata: { team: "a" } });
});
after(async () => {
  await gw?.stop();
  gw?.cleanup();
  await fakes?.close();
});

describe("upstream credentials", () => {
  it("env variables seed one credential per tool, and start-up says so per tool", async () => {
    const list = await admin("GET", "/admin/credentials");
    assert.equal(list.status, 200);
    const byName = new Map<string, any>(list.body.items.map((c: any) => [c.name, c]));
    assert.deepEqual([...byName.keys()].sort(), ["gmail", "openai", "serpapi"]);
    const openai = byName.get("openai");
    assert.equal(openai.tool, "openai");
    assert.deepEqual([openai.version, openai.activeVersion], [1, 1]);
    assert.match(openai.fingerprint, /^[A-Za-z0-9_-]{8}$/);
    assert.equal(openai.versions[0].fingerprint, openai.fingerprint);
    assert.equal("secret" in openai, false);

    const toolLines = gw.logs().filter((l) => l.component === "tools" && typeof l.tool === "string");
    for (const tool of ["openai", "gmail", "serpapi", "http"]) {
      const line = toolLines.find((l) => l.tool === tool);
      assert.ok(line, `a start-up line for ${tool}`);
      assert.equal(line.available, true, tool);
    }
    assert.equal(toolLines.find((l) => l.tool === "openai")?.credential, "openai");
  });

  it("a rotation applies to the very next call, without a restart", async () => {
    const before = await chat(plain);
    assert.equal(before.status, 200);
    assert.equal(lastOpenAiKey(), fakes.openai.apiKey);

    const fresh = fakes.openai.issueApiKey();
    secrets.push(fresh);
    const rotated = await admin("PUT", "/admin/credentials/openai", { secret: { apiKey: fresh } });
    assert.equal(rotated.status, 200);
    assert.deepEqual([rotated.body.version, rotated.body.activeVersion], [2, 2]);
    // The provider revokes the old key: a call still using it would fail.
    fakes.openai.revokeApiKey(fakes.openai.apiKey);

    const after = await chat(plain);
    assert.equal(after.status, 200, JSON.stringify(after.body));
    assert.equal(lastOpenAiKey(), fresh);
  });

  it("activate rolls back and forward; unknown versions and names are 404", async () => {
    const back = await admin("POST", "/admin/credentials/openai/activate", { version: 1 });
    assert.equal(back.status, 200);
    assert.deepEqual([back.body.version, back.body.activeVersion], [2, 1]);
    const refused = await chat(plain);
    assert.equal(refused.status, 401, "the rolled-back key is the one the provider revoked");
    assert.equal(lastOpenAiKey(), fakes.openai.apiKey);

    const forward = await admin("POST", "/admin/credentials/openai/activate", { version: 2 });
    assert.equal(forward.status, 200);
    assert.equal((await chat(plain)).status, 200);

    const missing = await admin("POST", "/admin/credentials/openai/activate", { version: 9 });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, "not_found");
    assert.equal((await admin("GET", "/admin/credentials/nope")).status, 404);
    assert.equal((await admin("PUT", "/admin/credentials/nope", { secret: { apiKey: "x" } })).status, 404);
  });

  it("the policy's credential obligation picks another account of the same tool", async () => {
    const teamKey = fakes.openai.issueApiKey();
    secrets.push(teamKey);
    const created = await admin("POST", "/admin/credentials", {
      name: "openai-team-a",
      tool: "openai",
      secret: { apiKey: teamKey },
      description: "team a's own OpenAI account",
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get("location"), "/admin/credentials/openai-team-a");

    assert.equal((await chat(teamA)).status, 200);
    assert.equal(lastOpenAiKey(), teamKey);
    assert.equal((await chat(plain)).status, 200);
    assert.notEqual(lastOpenAiKey(), teamKey);
  });

  it("a credential the policy names that does not exist fails the call closed", async () => {
    const { token } = await getToken(gw, teamA.key, { tool: "serpapi", scopes: ["serpapi:search"] });
    const before = fakes.serpapi.received.length;
    const res = await signedCall(gw.url, teamA.key, {
      path: "/v1/tools/serpapi/search.json?q=cats",
      headers: { authorization: `Bearer ${token}` },
    });
    assertProblemShape(res, 503, "upstream_unavailable");
    assert.match(res.body.detail, /serpapi-missing/);
    assert.equal(fakes.serpapi.received.length, before, "nothing reached the upstream");
  });

  it("Gmail access tokens are refreshed per credential", async () => {
    const teamRefresh = fakes.gmail.issueRefreshToken();
    secrets.push(teamRefresh);
    const created = await admin("POST", "/admin/credentials", {
      name: "gmail-team-a",
      tool: "gmail",
      secret: {
        clientId: fakes.gmail.clientId,
        clientSecret: fakes.gmail.clientSecret,
        refreshToken: teamRefresh,
      },
    });
    assert.equal(created.status, 201);
    const send = async (who: RegisteredAgent) => {
      const { token } = await getToken(gw, who.key, { tool: "gmail", scopes: ["gmail:send"] });
      return signedCall(gw.url, who.key, {
        path: "/v1/tools/gmail/gmail/v1/users/me/messages/send",
        headers: { authorization: `Bearer ${token}` },
        json: {
          raw: Buffer.from(
            buildMessage({ from: "agent@example.com", to: "bob@example.com", subject: "hi", text: "hello" }),
          ).toString("base64url"),
        },
      });
    };
    const refreshTokensSeen = () =>
      fakes.gmail.received
        .filter((r) => r.path === "/token")
        .map((r) => new URLSearchParams(r.body).get("refresh_token"));
    assert.equal((await send(plain)).status, 200);
    assert.equal((await send(teamA)).status, 200);
    const seen = refreshTokensSeen();
    assert.ok(seen.includes(fakes.gmail.refreshToken), "the default credential refreshed with its token");
    assert.ok(seen.includes(teamRefresh), "team a's credential refreshed with its own token");

    // Rotating team a's refresh token: the next call refreshes with the new one.
    const rotatedRefresh = fakes.gmail.issueRefreshToken();
    secrets.push(rotatedRefresh);
    fakes.gmail.revokeRefreshToken(teamRefresh);
    const put = await admin("PUT", "/admin/credentials/gmail-team-a", {
      secret: {
        clientId: fakes.gmail.clientId,
        clientSecret: fakes.gmail.clientSecret,
        refreshToken: rotatedRefresh,
      },
    });
    assert.equal(put.status, 200);
    assert.equal((await send(teamA)).status, 200);
    assert.equal(refreshTokensSeen().at(-1), rotatedRefresh);
  });

  it("refuses bad input with problem+json and never echoes a secret", async () => {
    const leaky = "sk-should-never-echo-0123456789";
    secrets.push(leaky);
    const cases: Array<[unknown, number, string]> = [
      [{ name: "openai", tool: "openai", secret: { apiKey: leaky } }, 409, "conflict"],
      [{ name: "Bad Name", tool: "openai", secret: { apiKey: leaky } }, 400, "invalid_request"],
      [{ name: "x1", tool: "openai", secret: { apiKey: leaky, extra: leaky } }, 400, "invalid_request"],
      [{ name: "x2", tool: "gmail", secret: { clientId: leaky } }, 400, "invalid_request"],
      [{ name: "x3", tool: "http", secret: { apiKey: leaky } }, 400, "invalid_request"],
      [{ name: "x4", tool: "nope", secret: { apiKey: leaky } }, 400, "invalid_request"],
      [{ name: "x5", tool: "openai", secret: { apiKey: 42 } }, 400, "invalid_request"],
      [{ name: "x6", tool: "openai", secret: leaky }, 400, "invalid_request"],
    ];
    for (const [body, status, code] of cases) {
      const res = await admin("POST", "/admin/credentials", body);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(res.body.code, code);
      assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
      assert.ok(!JSON.stringify(res.body).includes(leaky), JSON.stringify(res.body));
    }
    const anonymous = await fetch(`${gw.url}/admin/credentials`);
    assert.equal(anonymous.status, 401);
  });

  it("changes are in the audit trail with fingerprints only; delete removes the credential", async () => {
    const deleted = await admin("DELETE", "/admin/credentials/openai-team-a");
    assert.equal(deleted.status, 204);
    assert.equal((await admin("GET", "/admin/credentials/openai-team-a")).status, 404);
    assert.equal((await chat(teamA)).status, 503, "the policy still names the deleted credential");

    const audit = await admin("GET", "/admin/audit?limit=200");
    assert.equal(audit.status, 200);
    const actions = audit.body.items.filter((r: any) => String(r.action).startsWith("credential."));
    for (const action of [
      "credential.created",
      "credential.rotated",
      "credential.activated",
      "credential.deleted",
    ])
      assert.ok(
        actions.some((r: any) => r.action === action),
        `${action} audited`,
      );
    const rotated = actions.find((r: any) => r.action === "credential.rotated" && r.target === "openai");
    assert.match(rotated.details.fingerprint, /^[A-Za-z0-9_-]{8}$/);
    assert.equal((await admin("GET", "/admin/audit/verify")).body.ok, true);
  });

  it("a restart keeps the rotated version even though the env still holds the old key", async () => {
    gw = await gw.restart();
    assert.equal((await chat(plain)).status, 200);
    assert.notEqual(lastOpenAiKey(), fakes.openai.apiKey);
    assert.ok(
      gw.logs().some((l) => l.component === "credentials" && /older version/.test(String(l.msg))),
      "the start-up log says the env holds an older version",
    );
  });

  it("no secret appears in any answer, log line or file of the data dir", () => {
    const output = gw.output();
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk(gw.dataDir);
    assert.ok(files.some((f) => f.endsWith("agentgw.db")));
    for (const secret of secrets) {
      const needle = Buffer.from(secret);
      assert.ok(!output.includes(secret), "a secret in the gateway's output");
      for (const answer of answers) assert.ok(!answer.includes(secret), "a secret in an answer");
      for (const file of files) assert.ok(!readFileSync(file).includes(needle), `a secret in ${file}`);
    }
  });
});

describe("master key", () => {
  it("outside dev mode the gateway refuses to start without one once credentials exist", async () => {
    await gw.stop();
    const { AGENTGW_MASTER_KEY: _dropped, ...withoutKey } = fakes.env;
    await assert.rejects(
      startGateway({ env: withoutKey, dataDir: gw.dataDir }),
      /AGENTGW_MASTER_KEY is required/,
    );
    const otherKey = Buffer.alloc(32, 7).toString("base64url");
    await assert.rejects(
      startGateway({ env: { ...fakes.env, AGENTGW_MASTER_KEY: otherKey }, dataDir: gw.dataDir }),
      /sealed under another master key/,
    );
  });
});
