// The admin console in a real browser: Debian's Chromium driven headless by playwright-core
// against the real gateway and the fake tools. Sign in, register an agent with a pasted key,
// approve an approval the agent is waiting on (its call then goes through), deny another,
// verify the audit chain and see where it breaks, rotate and roll back a credential, and the
// session's defences (HttpOnly SameSite=Strict cookie, CSRF token, CSP). With
// AGENTGW_CONSOLE_SCREENSHOTS=<folder> it also saves the screenshots docs/console.md shows.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  AgentGateway,
  ApprovalDeniedError,
  ApprovalRequiredError,
  generateKeyPair,
  toBase64Url,
} from "@agentgw/sdk";
import BetterSqlite3 from "better-sqlite3";
import { type Browser, chromium, type Page } from "playwright-core";
import { findChromium } from "../../scripts/chromium.mjs";
import { type AllFakes, startAllFakes } from "../fakes/index.js";
import { type GatewayProcess, REPO_ROOT, startGateway } from "../support/gateway-process.js";

const executablePath = findChromium();
const shots = process.env.AGENTGW_CONSOLE_SCREENSHOTS
  ? join(REPO_ROOT, process.env.AGENTGW_CONSOLE_SCREENSHOTS)
  : null;
const intent = { intent: "mail a partner about the contract" };

let fakes: AllFakes;
let gw: GatewayProcess;
let browser: Browser;
let page: Page;

before(async () => {
  assert.ok(executablePath, "Chromium is missing: run node scripts/setup.mjs --chromium");
  fakes = await startAllFakes();
  // The overview samples every second here, so its charts have something to show.
  const config = join(mkdtempSync(join(tmpdir(), "agentgw-console-")), "config.json");
  writeFileSync(config, JSON.stringify({ metrics: { historyIntervalSeconds: 1 } }));
  gw = await startGateway({ env: { ...fakes.env, AGENTGW_CONFIG: config } });
  browser = await chromium.launch({
    executablePath,
    headless: true,
    // Root in a container has no user namespaces for Chromium's sandbox.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  if (shots) mkdirSync(shots, { recursive: true });
});
after(async () => {
  await browser?.close();
  await gw?.stop();
  gw?.cleanup();
  await fakes?.close();
});

async function shoot(name: string, target: Page = page) {
  if (!shots) return;
  await target.waitForTimeout(150);
  await target.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function open(name: string) {
  await page.click(`nav a[data-page="${name}"]`);
  await page.waitForSelector("main h1");
}

let agentKey: Awaited<ReturnType<typeof generateKeyPair>>;
let agentId: string;

describe("the console in Chromium", () => {
  it("serves a strict CSP, and signs in only with the admin token into an HttpOnly SameSite=Strict cookie", async () => {
    const response = await page.goto(`${gw.url}/console`);
    const csp = response!.headers()["content-security-policy"] ?? "";
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);

    await page.fill('input[name="token"]', "not-the-admin-token");
    await page.click('button[type="submit"]');
    await page.waitForSelector(".error");
    assert.match((await page.textContent(".error")) ?? "", /not the admin token/);

    await page.fill('input[name="token"]', gw.adminToken);
    await page.click('button[type="submit"]');
    await page.waitForSelector('.metric[data-metric="requests"]');
    const [cookie] = await page.context().cookies();
    assert.ok(cookie);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, "Strict");
    assert.ok(cookie.expires > Date.now() / 1000, "the session expires");
    assert.ok(!(await page.evaluate(() => document.cookie)).includes("agentgw"), "scripts cannot read it");
  });

  it("registers an agent from a pasted public key", async () => {
    agentKey = await generateKeyPair();
    await open("agents");
    await page.fill('input[name="name"]', "mailer");
    await page.fill('textarea[name="publicKey"]', toBase64Url(agentKey.publicKey));
    for (const scope of ["gmail:send", "openai:chat"]) await page.check(`input[value="${scope}"]`);
    await page.click('button:has-text("Register agent")');
    await page.waitForSelector('.notice:has-text("Registered mailer")');
    agentId = (await page.textContent("tr[data-agent] .mono"))!.trim();
    assert.match(agentId, /^agt_/);
    const whoami = await new AgentGateway({ baseUrl: gw.url, key: agentKey }).whoami();
    assert.equal(whoami.agent.id, agentId);
    assert.deepEqual([...whoami.agent.scopes].sort(), ["gmail:send", "openai:chat"]);

    // A bad key is refused where it was typed.
    await page.fill('input[name="name"]', "broken");
    await page.fill('textarea[name="publicKey"]', "not-a-key");
    await page.click('button:has-text("Register agent")');
    await page.waitForSelector("form .error");
    await page.fill('input[name="name"]', "");
    await page.fill('textarea[name="publicKey"]', "");
    await shoot("agents");
  });

  it("suspends and activates the agent, and shows its keys", async () => {
    const row = page.locator(`tr[data-agent="${agentId}"]`);
    await row.locator('button:has-text("Suspend")').click();
    await page.waitForSelector('.notice:has-text("mailer suspended")');
    await assert.rejects(new AgentGateway({ baseUrl: gw.url, key: agentKey }).whoami(), /agent_suspended/);
    await page.locator(`tr[data-agent="${agentId}"] button:has-text("Activate")`).click();
    await page.waitForSelector('.notice:has-text("mailer is active again")');
    assert.equal(
      (await new AgentGateway({ baseUrl: gw.url, key: agentKey }).whoami()).agent.status,
      "active",
    );
    await page.locator(`tr[data-agent="${agentId}"] button:has-text("Keys")`).click();
    assert.ok(await page.isVisible(`td.mono:has-text("${agentKey.kid}")`));
  });

  it("approves an approval the agent is waiting on: the agent's call then goes through once", async () => {
    const sdk = new AgentGateway({
      baseUrl: gw.url,
      key: agentKey,
      waitForApproval: { timeoutMs: 30_000, pollIntervalMs: 100 },
    });
    const sentBefore = fakes.gmail.sent.length;
    const sending = sdk.gmail.send({ to: "pat@partner.test", subject: "Contract", text: "Draft." }, intent);
    await open("approvals");
    const card = page.locator("article.approval").first();
    await card.waitFor();
    assert.match((await card.textContent()) ?? "", /partner\.test is outside the agent's allowed domains/);
    assert.match((await card.textContent()) ?? "", /pat@partner\.test/);
    await shoot("approvals");
    await card.locator('input[name="note"]').fill("known partner");
    await card.locator('button:has-text("Approve")').click();
    const sent = await sending;
    assert.equal(typeof sent.id, "string");
    assert.equal(fakes.gmail.sent.length, sentBefore + 1);
    await page.waitForSelector('td:has-text("known partner")');
    const decided = await gw.admin("GET", `/admin/approvals?agentId=${agentId}&status=approved`);
    assert.match(decided.body.items[0].decidedBy, /^console:/, "who decided: the console session");
    assert.ok(decided.body.items[0].usedAt);
  });

  it("denies another: the agent gets approval_denied with the note", async () => {
    const sdk = new AgentGateway({ baseUrl: gw.url, key: agentKey });
    const mail = { to: "eve@evil.test", subject: "Secrets", text: "x" };
    const held = await sdk.gmail.send(mail, intent).catch((e: unknown) => e);
    assert.ok(held instanceof ApprovalRequiredError);
    const card = page.locator(`article[data-approval="${held.approvalId}"]`);
    await card.waitFor();
    await card.locator('input[name="note"]').fill("not a customer");
    await card.locator('button:has-text("Deny")').click();
    await card.waitFor({ state: "detached" });
    await assert.rejects(
      sdk.gmail.send(mail, intent),
      (e: unknown) => e instanceof ApprovalDeniedError && e.note === "not a customer",
    );
    await page.waitForSelector('.empty:has-text("Nothing is waiting")');
  });

  it("refuses a change without the CSRF token, or from another site, even with the session cookie", async () => {
    const pending = await new AgentGateway({ baseUrl: gw.url, key: agentKey }).gmail
      .send({ to: "kim@partner.test", subject: "Hi", text: "x" }, intent)
      .catch((e: unknown) => e);
    assert.ok(pending instanceof ApprovalRequiredError);
    const forged = await page.evaluate(async (id) => {
      const r = await fetch(`/admin/approvals/${id}/approve`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      return r.status;
    }, pending.approvalId);
    assert.equal(forged, 401);
    const crossSite = await page.request.post(`${gw.url}/admin/approvals/${pending.approvalId}/approve`, {
      headers: { "content-type": "application/json", "sec-fetch-site": "cross-site", "x-csrf-token": "x" },
      data: {},
    });
    assert.equal(crossSite.status(), 401);
    const read = await page.evaluate(async () => (await fetch("/admin/agents")).status);
    assert.equal(read, 200, "reads need only the session");
    assert.equal((await gw.admin("GET", `/admin/approvals/${pending.approvalId}`)).body.status, "pending");
  });

  it("filters decisions and opens one to show its input and reasons", async () => {
    await open("decisions");
    await page.selectOption('select[name="allow"]', "false");
    await page.click('button:has-text("Filter")');
    const row = page.locator("tr.clickable").first();
    await row.waitFor();
    await row.click();
    await page.waitForSelector('h3:has-text("Input the policy saw")');
    const input = (await page.textContent("section pre")) ?? "";
    assert.match(input, /"phase": "(token|call)"/);
    await shoot("decisions");
  });

  it("verifies the audit chain, and shows where it breaks", async () => {
    await open("audit");
    await page.click('button:has-text("Verify the chain")');
    await page.waitForSelector('.notice:has-text("The chain is intact")');
    await shoot("audit");
    const records = await gw.admin("GET", "/admin/audit?action=approval.denied");
    const target = records.body.items[0].seq as number;
    const db = new BetterSqlite3(join(gw.dataDir, "agentgw.db"));
    try {
      db.prepare("UPDATE audit SET details = ? WHERE seq = ?").run(
        JSON.stringify({ note: "approved" }),
        target,
      );
    } finally {
      db.close();
    }
    await page.click('button:has-text("Verify the chain")');
    await page.waitForSelector(`.error:has-text("breaks at record ${target}")`);
    assert.equal(await page.getAttribute(`tr[data-seq="${target}"]`, "class"), "broken");
  });

  it("sets, rotates and rolls back a credential without ever showing the secret", async () => {
    await open("credentials");
    await page.fill('input[name="name"]', "serpapi");
    await page.selectOption('select[name="tool"]', "serpapi");
    await page.fill('input[name="apiKey"]', "serp-secret-one");
    await page.click('button:has-text("Save credential")');
    await page.waitForSelector('section[data-credential="serpapi"]');
    const card = page.locator('section[data-credential="serpapi"]');
    await card.locator('input[data-secret="apiKey"]').fill("serp-secret-two");
    await card.locator('button:has-text("Rotate")').click();
    await page.waitForSelector('.notice:has-text("serpapi rotated: version 2")');
    assert.match((await page.locator('section[data-credential="serpapi"]').textContent()) ?? "", /active v2/);
    await shoot("credentials");
    const search = await new AgentGateway({ baseUrl: gw.url, key: agentKey }).request("GET", "/v1/whoami");
    assert.ok(search);
    await page.locator('section[data-credential="serpapi"] button:has-text("Roll back to this")').click();
    await page.waitForSelector('.notice:has-text("serpapi now uses version 1")');
    assert.match((await page.locator('section[data-credential="serpapi"]').textContent()) ?? "", /active v1/);
    const html = await page.content();
    assert.ok(!html.includes("serp-secret-one") && !html.includes("serp-secret-two"), "secrets never shown");
  });

  it("shows the policy's revision and reloads it", async () => {
    await open("policy");
    await page.waitForSelector('dt:has-text("Revision")');
    await page.click('button:has-text("Reload now")');
    await page.waitForSelector('.notice:has-text("Loaded revision")');
    await shoot("policy");
  });

  it("shows the key metrics as small charts", async () => {
    await open("overview");
    await page.waitForSelector('.metric[data-metric="denials"] svg polyline');
    const denials = Number(
      (await page.textContent('.metric[data-metric="denials"] .value'))?.replace(/\D/g, ""),
    );
    assert.ok(denials >= 3, "the held and denied requests count as policy denials");
    await shoot("overview");
  });

  it("fits a phone's width", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      await phone.context().addCookies(await page.context().cookies());
      await phone.goto(`${gw.url}/console/approvals`);
      await phone.waitForSelector("main h1");
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
      await shoot("approvals-phone", phone);
    } finally {
      await phone.close();
    }
  });

  it("signs out: the cookie no longer opens the admin API", async () => {
    const cookies = await page.context().cookies();
    await page.click('button:has-text("Sign out")');
    await page.waitForSelector('.notice:has-text("Signed out")');
    const again = await fetch(`${gw.url}/admin/agents`, {
      headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; ") },
    });
    assert.equal(again.status, 401);
  });
});
