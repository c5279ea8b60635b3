// `npm start -- --fakes`: the dev gateway with the local fake upstreams wired in, so a newcomer can call
// every tool with no real credential; the dev admin token is kept in the data dir and survives restarts.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { registerAgent, signedCall } from "../support/agents.js";
import { freePort, REPO_ROOT } from "../support/gateway-process.js";
import { getToken } from "../support/tokens.js";

interface DevGateway {
  url: string;
  child: ChildProcess;
  output(): string;
}

const dataDir = mkdtempSync(join(tmpdir(), "agentgw-dev-start-"));
const running: ChildProcess[] = [];
after(async () => {
  for (const child of running) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

async function startDev(port: number): Promise<DevGateway> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.mjs", "--fakes"], {
    cwd: REPO_ROOT,
    // No AGENTGW_ADMIN_TOKEN and no master key: dev mode makes and keeps both.
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? tmpdir(),
      PORT: String(port),
      AGENTGW_DATA_DIR: dataDir,
      AGENTGW_POLICY: join(REPO_ROOT, "policies"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString("utf8")));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString("utf8")));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dev start exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok && /Admin token/.test(output)) break;
    if (Date.now() > deadline) throw new Error(`dev start not ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 150));
  }
  return { url, child, output: () => output };
}

async function stop(gw: DevGateway): Promise<number | null> {
  gw.child.kill("SIGTERM");
  const [code] = (await once(gw.child, "exit")) as [number | null];
  return code;
}

describe("npm start -- --fakes", () => {
  it("every tool answers through the fakes, and the admin token survives a restart", async () => {
    const port = await freePort();
    let gw = await startDev(port);
    const tokenFile = join(dataDir, "admin-token");
    const adminToken = readFileSync(tokenFile, "utf8").trim();
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    assert.equal(statSync(join(dataDir, "master.key")).mode & 0o777, 0o600);
    assert.ok(gw.output().includes(`kept in ${tokenFile}`), "the banner says where the token is kept");
    assert.ok(gw.output().includes(adminToken));
    for (const tool of ["openai", "gmail", "serpapi", "http"])
      assert.match(
        gw.output(),
        new RegExp(`"tool":"${tool}","available":true`),
        `${tool} available at start`,
      );

    const admin = {
      url: gw.url,
      async admin(method: string, path: string, body?: unknown) {
        const res = await fetch(gw.url + path, {
          method,
          headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.status, body: await res.json().catch(() => undefined), headers: res.headers };
      },
    };
    const agent = await registerAgent(admin, { name: "newcomer" });
    const call = async (tool: string, scopes: string[], path: string, json?: unknown) => {
      const { token } = await getToken(gw, agent.key, { tool, scopes });
      return signedCall(gw.url, agent.key, {
        path,
        headers: { authorization: `Bearer ${token}` },
        ...(json === undefined ? {} : { json }),
      });
    };
    const chat = await call("openai", ["openai:chat"], "/v1/tools/openai/v1/chat/completions", {
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hello" }],
    });
    assert.equal(chat.status, 200, JSON.stringify(chat.body));
    assert.equal(chat.body.choices[0].message.content, "Echo: hello");
    const search = await call("serpapi", ["serpapi:search"], "/v1/tools/serpapi/search.json?q=gateways");
    assert.equal(search.status, 200, JSON.stringify(search.body));
    const mail = await call("gmail", ["gmail:read"], "/v1/tools/gmail/gmail/v1/users/me/messages");
    assert.equal(mail.status, 200, JSON.stringify(mail.body));
    const website = /http {5}(\S+)/.exec(gw.output())?.[1];
    assert.ok(website, "the banner names the fake website");
    const fetched = await call("http", ["http:fetch"], "/v1/tools/http/fetch", { url: `${website}/` });
    assert.equal(fetched.status, 200, JSON.stringify(fetched.body));

    assert.equal(await stop(gw), 0);
    gw = await startDev(port);
    assert.equal(readFileSync(tokenFile, "utf8").trim(), adminToken, "the same token after a restart");
    assert.equal((await admin.admin("GET", `/admin/agents/${agent.id}`)).status, 200);
    const credentials = await admin.admin("GET", "/admin/credentials");
    assert.ok(
      credentials.body.items.every((c: { versions: unknown[] }) => c.versions.length === 1),
      "the fakes' fixed credentials add no version on restart",
    );
    assert.equal(await stop(gw), 0);
  });
});
