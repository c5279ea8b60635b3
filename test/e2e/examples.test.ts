// examples/js-agent.mjs run as a newcomer would: the first run makes its own key file and prints how to
// register it; an unregistered key gets that command again and exit 1; once registered every step succeeds
// against the fake tools (exit 0); a step that fails makes the exit code 1.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type AllFakes, startAllFakes } from "../fakes/index.js";
import { type GatewayProcess, REPO_ROOT, startGateway } from "../support/gateway-process.js";

let fakes: AllFakes;
let gw: GatewayProcess;
const work = mkdtempSync(join(tmpdir(), "agentgw-js-example-"));

before(async () => {
  fakes = await startAllFakes();
  gw = await startGateway({ env: fakes.env });
});
after(async () => {
  await gw?.stop();
  gw?.cleanup();
  await fakes?.close();
});

// Asynchronous on purpose: the fakes answer from this process's event loop.
async function runExample(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, "examples/js-agent.mjs")], {
    cwd: work,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), ...env },
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (out += c.toString("utf8")));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, out };
}

describe("examples/js-agent.mjs", () => {
  it("makes its own key file, re-prints the registration for an unregistered key, then runs every step", async () => {
    // A trailing slash is ignored, as the Python example does.
    const env = { AGENTGW_URL: `${gw.url}/`, AGENTGW_FETCH_URL: `${fakes.website.url}/page` };
    const first = await runExample(env);
    assert.equal(first.code, 0, first.out);
    assert.equal(
      statSync(join(work, "js-agent-key.pem")).mode & 0o777,
      0o600,
      "its own key file, owner-only",
    );
    assert.match(first.out, /npx agentgw agents register --name js-agent --key js-agent-key.pem/);

    const unregistered = await runExample(env);
    assert.equal(unregistered.code, 1, unregistered.out);
    assert.match(unregistered.out, /✘ whoami \(a signed request\): unknown_key \(401\)/);
    assert.match(unregistered.out, /This key is not registered/);
    const body = /-d '(\{.*\})'/.exec(unregistered.out)?.[1];
    assert.ok(body, unregistered.out);
    assert.doesNotMatch(unregistered.out, new RegExp(`${gw.url}//`), "one base URL, without a double slash");

    const registered = await gw.admin("POST", "/admin/agents", JSON.parse(body));
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    const second = await runExample(env);
    assert.equal(second.code, 0, second.out);
    assert.doesNotMatch(second.out, /✘/);
    assert.match(second.out, /6 of 6 steps succeeded/);
    assert.match(second.out, /"Echo: Say hello"/);

    // A step the gateway refuses (Gmail to a domain the example policy does not allow) fails the run.
    const refused = await runExample({ ...env, AGENTGW_MAIL_TO: "mallory@evil.test" });
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.out, /✘ gmail send: (policy_denied|approval_required)/);
  });

  it("exits 2 when the gateway cannot be reached", async () => {
    const result = await runExample({ AGENTGW_URL: "http://127.0.0.1:9" });
    assert.equal(result.code, 2, result.out);
    assert.match(result.out, /cannot reach the gateway at http:\/\/127\.0\.0\.1:9/);
  });
});
