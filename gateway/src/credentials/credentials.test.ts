import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import type { GatewayError } from "../errors.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import { createCredentials } from "./credentials.js";
import { createSecretBox } from "./secret-box.js";
import { fingerprintOf } from "./secret-shapes.js";

const TOOLS = new Set(["openai", "gmail", "serpapi", "http"]);

function setup() {
  const store = openSqliteStore({ dataDir: ":memory:" });
  const credentials = createCredentials({
    store: store.credentials,
    box: createSecretBox(randomBytes(32)),
    isTool: (t) => TOOLS.has(t) || t.startsWith("mcp."),
  });
  return { store, credentials };
}

const code = (c: string) => (e: GatewayError) => e.code === c;

describe("credentials", () => {
  it("create → rotate → roll back → forward; resolve follows the active version at once", async () => {
    const { credentials } = setup();
    const created = await credentials.create({
      name: "openai",
      tool: "openai",
      secret: { apiKey: "sk-one-1111" },
    });
    assert.equal(created.version, 1);
    assert.equal(created.fingerprint, fingerprintOf({ apiKey: "sk-one-1111" }));
    assert.ok(!JSON.stringify(created).includes("sk-one"));
    assert.equal((await credentials.resolve<{ apiKey: string }>("openai")).secret.apiKey, "sk-one-1111");

    const rotated = await credentials.rotate("openai", { apiKey: "sk-two-2222" });
    assert.deepEqual([rotated.version, rotated.activeVersion], [2, 2]);
    assert.equal((await credentials.resolve<{ apiKey: string }>("openai")).secret.apiKey, "sk-two-2222");

    const back = await credentials.activate("openai", 1);
    assert.deepEqual([back.version, back.activeVersion], [2, 1]);
    assert.equal((await credentials.resolve<{ apiKey: string }>("openai")).secret.apiKey, "sk-one-1111");
    await assert.rejects(credentials.activate("openai", 3), code("not_found"));
    // Both opened versions stay scrubbed from upstream answers.
    assert.deepEqual(credentials.knownSecrets("openai").sort(), ["sk-one-1111", "sk-two-2222"]);
  });

  it("validates names, tools and each tool's secret shape without echoing the secret", async () => {
    const { credentials } = setup();
    await assert.rejects(
      credentials.create({ name: "Bad Name", tool: "openai", secret: { apiKey: "x" } }),
      code("invalid_request"),
    );
    await assert.rejects(
      credentials.create({ name: "x", tool: "nope", secret: {} }),
      code("invalid_request"),
    );
    await assert.rejects(
      credentials.create({ name: "h", tool: "http", secret: { apiKey: "x" } }),
      /takes no credential/,
    );
    await assert.rejects(
      credentials.create({ name: "gmail", tool: "openai", secret: { apiKey: "x" } }),
      /default credential name/,
    );
    await assert.rejects(
      credentials.create({
        name: "g",
        tool: "gmail",
        secret: { clientId: "id", clientSecret: "very-secret-value" },
      }),
      (e: GatewayError) =>
        e.code === "invalid_request" &&
        /secret\.refreshToken/.test(e.detail) &&
        !JSON.stringify(e).includes("very-secret"),
    );
    await assert.rejects(
      credentials.create({ name: "o", tool: "openai", secret: { apiKey: "k", extra: "leak-me" } }),
      (e: GatewayError) => e.code === "invalid_request" && !JSON.stringify(e.extensions).includes("leak-me"),
    );
    const mcp = await credentials.create({
      name: "search-mcp",
      tool: "mcp.search",
      secret: { headers: { authorization: "Bearer abc" } },
    });
    assert.equal(mcp.tool, "mcp.search");
    await assert.rejects(
      credentials.create({ name: "m2", tool: "mcp.x", secret: { headers: { "x-a": "a\r\nInjected: 1" } } }),
      code("invalid_request"),
    );
  });

  it("names are unique; delete forgets every version", async () => {
    const { credentials, store } = setup();
    await credentials.create({ name: "team-a", tool: "openai", secret: { apiKey: "sk-team-a" } });
    await assert.rejects(
      credentials.create({ name: "team-a", tool: "openai", secret: { apiKey: "sk-other" } }),
      code("conflict"),
    );
    assert.equal(credentials.hasAny("openai"), true);
    await credentials.delete("team-a");
    assert.equal(credentials.hasAny("openai"), false);
    assert.equal((await store.credentials.sealedVersions()).length, 0);
    await assert.rejects(credentials.get("team-a"), code("not_found"));
    await assert.rejects(credentials.resolve("openai", "team-a"), code("upstream_unavailable"));
  });

  it("a credential chosen for a call must belong to the called tool", async () => {
    const { credentials } = setup();
    await credentials.create({ name: "serp-team", tool: "serpapi", secret: { apiKey: "serp-key" } });
    await assert.rejects(credentials.resolve("openai", "serp-team"), /not a credential of the openai tool/);
    await assert.rejects(credentials.resolve("openai"), code("upstream_unavailable"));
  });

  it("concurrent rotations get distinct versions", async () => {
    const { credentials } = setup();
    await credentials.create({ name: "openai", tool: "openai", secret: { apiKey: "sk-0" } });
    const views = await Promise.all(
      Array.from({ length: 10 }, (_, i) => credentials.rotate("openai", { apiKey: `sk-${i + 1}` })),
    );
    const final = await credentials.get("openai");
    assert.equal(final.versions.length, 11);
    assert.equal(new Set(views.map((v) => v.activeVersion)).size, 10);
  });

  it("without a master key nothing can be stored", async () => {
    const store = openSqliteStore({ dataDir: ":memory:" });
    const credentials = createCredentials({ store: store.credentials, box: null, isTool: () => true });
    assert.equal(credentials.enabled, false);
    await assert.rejects(
      credentials.create({ name: "openai", tool: "openai", secret: { apiKey: "k" } }),
      (e: GatewayError) => e.code === "not_ready" && /AGENTGW_MASTER_KEY/.test(e.detail),
    );
  });
});
