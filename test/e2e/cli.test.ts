// A whole admin and agent session through the `agentgw` command (spawned as a process) against a
// real gateway and the fake upstreams: keys, agents, tokens, signed tool calls with the token
// cached between runs, refusals and their exit codes, policy, decisions and audit.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type AllFakes, startAllFakes } from "../fakes/index.js";
import { type CliResult, runCli } from "../support/cli-process.js";
import { type GatewayProcess, REPO_ROOT, startGateway } from "../support/gateway-process.js";

let fakes: AllFakes;
let gw: GatewayProcess;
let home: string;
let env: Record<string, string>;

before(async () => {
  fakes = await startAllFakes();
  gw = await startGateway({ env: fakes.env });
  home = mkdtempSync(join(tmpdir(), "agentgw-cli-e2e-"));
  env = {
    AGENTGW_URL: gw.url,
    AGENTGW_ADMIN_TOKEN: gw.adminToken,
    AGENTGW_CACHE_DIR: join(home, "cache"),
  };
});
after(async () => {
  await gw.stop();
  gw.cleanup();
  await fakes.close();
  rmSync(home, { recursive: true, force: true });
});

const agentgw = (args: string[], extra: { env?: Record<string, string>; stdin?: string } = {}) =>
  runCli(args, { cwd: home, env: { ...env, ...extra.env }, ...(extra.stdin ? { stdin: extra.stdin } : {}) });

function ok(result: CliResult): CliResult {
  assert.equal(result.code, 0, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result;
}

const chat = (model: string) => JSON.stringify({ model, messages: [{ role: "user", content: "say hello" }] });

async function tokenDecisions(agentId: string): Promise<number> {
  const page = ok(await agentgw(["decisions", "--agent", agentId, "--limit", "100", "--json"])).json();
  return page.items.filter((d: { phase: string }) => d.phase === "token").length;
}

describe("agentgw, one session", () => {
  let agentId: string;
  let kid: string;

  it("keygen writes an owner-only key file and prints kid and public key; never overwrites unasked", async () => {
    const made = ok(await agentgw(["keygen", "--json"])).json();
    assert.match(made.kid, /^[A-Za-z0-9_-]{43}$/);
    assert.match(made.publicKey, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(statSync(join(home, "agent-key.pem")).mode & 0o777, 0o600);
    kid = made.kid;

    const again = await agentgw(["keygen"]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /agent-key\.pem exists; pass --force/);
  });

  it("agents register (from the key file), list and get", async () => {
    const agent = ok(
      await agentgw([
        "agents",
        "register",
        "--name",
        "cli-bot",
        "--key",
        "agent-key.pem",
        "--scopes",
        "openai:chat,openai:models,serpapi:search",
        "--metadata",
        '{"team":"research"}',
        "--json",
      ]),
    ).json();
    agentId = agent.id;
    assert.match(agentId, /^agt_/);
    assert.equal(agent.keys[0].kid, kid);
    assert.deepEqual(agent.metadata, { team: "research" });

    const listed = ok(await agentgw(["agents", "list", "--json"])).json();
    assert.ok(listed.items.some((a: { id: string }) => a.id === agentId));

    const shown = ok(await agentgw(["agents", "get", agentId]));
    assert.match(shown.stdout, /name: +cli-bot/);
    assert.match(shown.stdout, new RegExp(`${kid} +active`));

    const duplicate = await agentgw(["agents", "register", "--name", "twin", "--key", "agent-key.pem"]);
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /refused: conflict \(409\)/);
  });

  it("call signs agent API requests", async () => {
    const whoami = ok(await agentgw(["call", "GET", "/v1/whoami", "--json"])).json();
    assert.equal(whoami.status, 200);
    assert.equal(whoami.body.agent.id, agentId);
    assert.equal(whoami.body.kid, kid);
  });

  it("token asks for a tool token with the agent's key", async () => {
    const token = ok(
      await agentgw(["token", "--tool", "openai", "--scopes", "openai:models", "--json"]),
    ).json();
    assert.equal(token.tool, "openai");
    assert.deepEqual(token.scopes, ["openai:models"]);
    assert.equal(token.tokenType, "Bearer");
  });

  it("tool calls get their token themselves and reuse it across runs", async () => {
    const before = await tokenDecisions(agentId);
    fakes.openai.reset();
    const first = ok(
      await agentgw(["call", "POST", "/v1/tools/openai/v1/chat/completions", "--data", chat("gpt-4o-mini")]),
    );
    assert.equal(JSON.parse(first.stdout).object, "chat.completion");
    const second = ok(
      await agentgw(["call", "POST", "/v1/tools/openai/v1/chat/completions", "--data", chat("gpt-4o-mini")]),
    );
    assert.equal(JSON.parse(second.stdout).object, "chat.completion");
    assert.equal(fakes.openai.received.length, 2);
    for (const seen of fakes.openai.received) {
      assert.equal(
        seen.headers.authorization,
        `Bearer ${fakes.openai.apiKey}`,
        "the gateway adds the real key",
      );
    }
    assert.equal(await tokenDecisions(agentId), before + 1, "one token for two calls in two processes");
    const cacheFiles = readdirSync(join(home, "cache"));
    assert.deepEqual(cacheFiles, [`tokens-${kid}.json`]);
    assert.equal(statSync(join(home, "cache", cacheFiles[0]!)).mode & 0o777, 0o600);

    const search = ok(
      await agentgw(["call", "GET", "/v1/tools/serpapi/search.json?q=otters", "--json"]),
    ).json();
    assert.equal(search.status, 200);
    assert.equal(search.body.search_parameters.q, "otters");
  });

  it("a revoked cached token is replaced once and the call goes through", async () => {
    const before = await tokenDecisions(agentId);
    const revoked = ok(await agentgw(["tokens", "revoke", "--agent", agentId, "--json"])).json();
    assert.ok(revoked.revoked >= 1);
    ok(
      await agentgw(["call", "POST", "/v1/tools/openai/v1/chat/completions", "--data", chat("gpt-4o-mini")]),
    );
    assert.equal(await tokenDecisions(agentId), before + 1);
  });

  it("a policy denial exits 1 with the policy's reasons; --json prints the problem on stdout", async () => {
    const denied = await agentgw([
      "call",
      "POST",
      "/v1/tools/openai/v1/chat/completions",
      "--data",
      chat("gpt-4o"),
    ]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /refused: policy_denied \(403\)/);
    assert.match(denied.stderr, /reasons: .*gpt-4o/);
    assert.match(denied.stderr, /requestId: /);

    const asJson = await agentgw([
      "call",
      "POST",
      "/v1/tools/openai/v1/chat/completions",
      "--data",
      chat("gpt-4o"),
      "--json",
    ]);
    assert.equal(asJson.code, 1);
    const problem = asJson.json();
    assert.equal(problem.code, "policy_denied");
    assert.ok(problem.reasons.length > 0);
  });

  it("a scope the agent does not hold is refused (exit 1)", async () => {
    const refused = await agentgw(["token", "--tool", "gmail", "--scopes", "gmail:read", "--json"]);
    assert.equal(refused.code, 1);
    assert.equal(refused.json().status, 403);
  });

  it("a tool's own error answer is printed and exits 1", async () => {
    fakes.openai.behave({ fail: { status: 400, message: "the fake says no" } });
    const failed = await agentgw(["call", "GET", "/v1/tools/openai/v1/models"]);
    fakes.openai.reset();
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /the fake says no/);
    assert.match(failed.stderr, /HTTP 400/);
  });

  it("keys add and revoke", async () => {
    ok(await agentgw(["keygen", "--key", "second.pem"]));
    const key = ok(await agentgw(["keys", "add", agentId, "--key", "second.pem", "--json"])).json();
    assert.equal(key.status, "active");
    const second = ok(await agentgw(["call", "GET", "/v1/whoami", "--key", "second.pem", "--json"])).json();
    assert.equal(second.body.kid, key.kid);
    ok(await agentgw(["keys", "revoke", agentId, key.kid]));
    const refused = await agentgw(["call", "GET", "/v1/whoami", "--key", "second.pem"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /unknown_key/);
  });

  it("suspend refuses the agent's calls until activate", async () => {
    assert.match(ok(await agentgw(["agents", "suspend", agentId])).stdout, /is suspended/);
    const refused = await agentgw(["call", "GET", "/v1/whoami"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /agent_suspended/);
    ok(await agentgw(["agents", "activate", agentId]));
    ok(await agentgw(["call", "GET", "/v1/whoami"]));
  });

  it("credentials: rotate (secret from stdin, never printed), roll back, set, get, delete", async () => {
    const listed = ok(await agentgw(["credentials", "list", "--json"])).json();
    const seeded = listed.items.find((c: { name: string }) => c.name === "openai");
    assert.ok(seeded, "the env seeds a credential named like the tool");
    const first = seeded.activeVersion;

    const rotated = ok(
      await agentgw(["credentials", "rotate", "openai", "--json"], { stdin: "sk-not-the-right-one\n" }),
    );
    assert.equal(rotated.json().activeVersion, first + 1);
    assert.doesNotMatch(rotated.stdout + rotated.stderr, /sk-not-the-right-one/);
    const refused = await agentgw(["call", "GET", "/v1/tools/openai/v1/models"]);
    assert.equal(refused.code, 1, "the upstream refuses the wrong key at once: no restart");

    const back = ok(await agentgw(["credentials", "activate", "openai", String(first)]));
    assert.match(back.stdout, new RegExp(`active: +v${first} `));
    ok(await agentgw(["call", "GET", "/v1/tools/openai/v1/models"]));

    const made = ok(
      await agentgw(
        ["credentials", "set", "serpapi-team", "--tool", "serpapi", "--secret-env", "TEAM_KEY", "--json"],
        { env: { TEAM_KEY: "team-serp-key" } },
      ),
    ).json();
    assert.equal(made.tool, "serpapi");
    assert.match(made.fingerprint, /\S/);
    const again = await agentgw(
      ["credentials", "set", "serpapi-team", "--tool", "serpapi", "--secret-env", "TEAM_KEY"],
      {
        env: { TEAM_KEY: "other" },
      },
    );
    assert.equal(again.code, 1);
    assert.match(again.stderr, /conflict/);
    const shown = ok(await agentgw(["credentials", "get", "serpapi-team"]));
    assert.match(shown.stdout, /tool: +serpapi/);
    assert.doesNotMatch(shown.stdout, /team-serp-key/);
    ok(await agentgw(["credentials", "delete", "serpapi-team"]));
    assert.equal((await agentgw(["credentials", "get", "serpapi-team"])).code, 1);
  });

  it("policy status, reload and test", async () => {
    const status = ok(await agentgw(["policy", "status", "--json"])).json();
    assert.match(status.revision, /\S/);
    const reloaded = ok(await agentgw(["policy", "reload", "--json"]));
    assert.match(reloaded.json().revision, /\S/);
    assert.match(reloaded.stderr, /compiling and loading the policy/);

    const tested = ok(await agentgw(["policy", "test", join(REPO_ROOT, "policies")]));
    assert.match(tested.stdout, /PASS/);
    assert.match(tested.stderr, /running opa test/);

    const broken = join(home, "broken-policy");
    mkdirSync(broken);
    writeFileSync(join(broken, "p.rego"), 'package agentgw\n\ndecision := {"allow": true}\n');
    writeFileSync(
      join(broken, "p_test.rego"),
      "package agentgw\n\ntest_denies if {\n\tnot decision.allow\n}\n",
    );
    const failing = await agentgw(["policy", "test", broken, "--json"]);
    assert.equal(failing.code, 1);
    assert.equal(failing.json().ok, false);
  });

  it("decisions and audit tail show the session; audit verify finds the chain intact", async () => {
    const decisions = ok(await agentgw(["decisions", "--agent", agentId, "--limit", "50"]));
    assert.match(decisions.stdout, /^TIME +AGENT +TOOL/m);
    assert.match(decisions.stdout, /deny/);
    const denied = ok(await agentgw(["decisions", "--agent", agentId, "--denied", "--json"])).json();
    assert.ok(denied.items.length > 0);
    assert.ok(denied.items.every((d: { allow: boolean }) => !d.allow));

    const tail = ok(await agentgw(["audit", "tail", "--limit", "50", "--json"])).json();
    const actions = tail.items.map((r: { action: string }) => r.action);
    assert.ok(actions.includes("agent.created"), actions.join(","));
    const verified = ok(await agentgw(["audit", "verify"]));
    assert.match(verified.stdout, /audit chain intact/);
  });

  it("delete ends the agent: its key is unknown from then on", async () => {
    ok(await agentgw(["agents", "delete", agentId]));
    const refused = await agentgw(["call", "GET", "/v1/whoami", "--json"]);
    assert.equal(refused.code, 1);
    assert.equal(refused.json().code, "unknown_key");
    const gone = await agentgw(["agents", "get", agentId]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /not_found \(404\)/);
  });
});

describe("agentgw approvals: a held request approved, another denied", () => {
  const raw = (to: string) =>
    Buffer.from(`To: ${to}\r\nSubject: weekly report\r\n\r\nThe numbers are in.\r\n`).toString("base64url");
  const send = (to: string) => [
    "call",
    "POST",
    "/v1/tools/gmail/gmail/v1/users/me/messages/send",
    "--key",
    "mailer.pem",
    "--intent",
    "send the weekly report to a partner",
    "--data",
    JSON.stringify({ raw: raw(to) }),
  ];

  it("approval_required names the approval; approve lets that request through, deny refuses it", async () => {
    ok(await agentgw(["keygen", "--key", "mailer.pem"]));
    const agent = ok(
      await agentgw([
        "agents",
        "register",
        "--name",
        "mailer",
        "--key",
        "mailer.pem",
        "--scopes",
        "gmail:send",
        "--json",
      ]),
    ).json();

    const held = await agentgw(send("partner@elsewhere.net"));
    assert.equal(held.code, 1);
    const approvalId = /approval: (\S+) \(an admin runs: agentgw approvals approve \1\)/.exec(
      held.stderr,
    )?.[1];
    assert.ok(approvalId, held.stderr);

    const pending = ok(
      await agentgw(["approvals", "list", "--status", "pending", "--agent", agent.id, "--json"]),
    ).json();
    assert.deepEqual(
      pending.items.map((a: { id: string }) => a.id),
      [approvalId],
    );
    assert.match(ok(await agentgw(["approvals", "get", approvalId])).stdout, /status: +pending/);
    const approved = ok(
      await agentgw(["approvals", "approve", approvalId, "--note", "partner is known", "--json"]),
    ).json();
    assert.equal(approved.status, "approved");
    assert.equal(approved.note, "partner is known");

    fakes.gmail.reset();
    const sent = ok(await agentgw([...send("partner@elsewhere.net"), "--json"])).json();
    assert.equal(sent.status, 200);
    assert.equal(fakes.gmail.received.filter((r) => r.path.endsWith("/messages/send")).length, 1);

    const second = await agentgw([...send("someone@elsewhere.net"), "--json"]);
    assert.equal(second.code, 1);
    const secondId = second.json().approvalId;
    assert.equal(second.json().code, "approval_required");
    assert.equal(ok(await agentgw(["approvals", "deny", secondId, "--json"])).json().status, "denied");
    const refused = await agentgw(send("someone@elsewhere.net"));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /approval_denied/);
  });
});

describe("agentgw usage errors (exit 2) and refusals of the admin (exit 1)", () => {
  it("names a missing AGENTGW_ADMIN_TOKEN", async () => {
    const result = await agentgw(["agents", "list"], { env: { AGENTGW_ADMIN_TOKEN: "" } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /AGENTGW_ADMIN_TOKEN is not set/);
  });

  it("unknown commands, unknown flags, missing arguments and bad values", async () => {
    for (const args of [
      ["agnets", "list"],
      ["agents", "list", "--bogus"],
      ["agents", "get"],
      ["agents", "register", "--public-key", "x"],
      ["decisions", "--limit", "zero"],
      ["call", "GET", "v1/whoami"],
      ["call", "POST", "/v1/tools/openai/v1/embeddings", "--data", "{not json"],
      ["agents"],
    ]) {
      const result = await agentgw(args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.notEqual(result.stderr, "", args.join(" "));
      assert.equal(result.stdout, "", args.join(" "));
    }
  });

  it("a missing key file is a usage error that says what to do", async () => {
    const result = await agentgw(["call", "GET", "/v1/whoami", "--key", "nope.pem"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /nope\.pem not found: run "agentgw keygen"/);
  });

  it("a wrong admin token is refused with the gateway's problem", async () => {
    const result = await agentgw(["agents", "list", "--json"], { env: { AGENTGW_ADMIN_TOKEN: "wrong" } });
    assert.equal(result.code, 1);
    assert.equal(result.json().code, "unauthorized");
  });

  it("an unreachable gateway exits 1 and says where it looked", async () => {
    const result = await agentgw(["agents", "list"], { env: { AGENTGW_URL: "http://127.0.0.1:9" } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cannot reach the gateway at http:\/\/127\.0\.0\.1:9/);
  });

  it("--help and --version exit 0", async () => {
    const help = ok(await agentgw(["--help"]));
    assert.match(help.stdout, /Usage: agentgw/);
    assert.match(ok(await agentgw(["call", "--help"])).stdout, /--json/);
    assert.match(ok(await agentgw(["--version"])).stdout, /^\d+\.\d+\.\d+/);
  });
});
