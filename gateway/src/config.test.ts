import assert from "node:assert/strict";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "./config.js";

const TOKEN = "a-long-enough-admin-token";
const tmp = () => mkdtempSync(join(tmpdir(), "agentgw-config-"));

describe("loadConfig", () => {
  it("applies the contract's defaults", () => {
    const config = loadConfig({ argv: [], env: { AGENTGW_ADMIN_TOKEN: TOKEN } });
    assert.equal(config.port, 8080);
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.publicUrl, "http://localhost:8080");
    assert.deepEqual(config.authorities, ["localhost:8080"]);
    assert.equal(config.dataDir, "./data");
    assert.equal(config.policy.source, "policies");
    assert.equal(config.signature.skewSeconds, 30);
    assert.equal(config.signature.maxAgeSeconds, 60);
    assert.equal(config.tokens.maxTtlSeconds, 300);
    assert.equal(config.bodyLimitBytes, 1024 * 1024);
    assert.deepEqual(config.rateLimits.tiers.default?.perAgent, {
      points: 600,
      windowSeconds: 60,
      burst: 100,
    });
    assert.equal(config.tools.openai.baseUrl, "https://api.openai.com");
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.tools.openai));
  });

  it("refuses to start without an admin token outside dev mode, and generates one in dev mode", () => {
    assert.throws(
      () => loadConfig({ argv: [], env: {} }),
      (e: unknown) => e instanceof ConfigError && /adminToken/.test(e.message),
    );
    const dataDir = tmp();
    const dev = loadConfig({ argv: ["--dev"], env: { AGENTGW_DATA_DIR: dataDir } });
    assert.equal(dev.adminTokenGenerated, true);
    assert.ok(dev.adminToken.length >= 32);
    // Kept in the data dir (0600), so the next start uses the same token.
    assert.equal(dev.adminTokenFile, join(dataDir, "admin-token"));
    assert.equal(statSync(dev.adminTokenFile).mode & 0o777, 0o600);
    const again = loadConfig({ argv: ["--dev"], env: { AGENTGW_DATA_DIR: dataDir } });
    assert.equal(again.adminToken, dev.adminToken);
    assert.equal(again.adminTokenGenerated, false);
    // An explicit token wins and nothing is kept.
    const explicit = loadConfig({
      argv: ["--dev"],
      env: { AGENTGW_DATA_DIR: tmp(), AGENTGW_ADMIN_TOKEN: TOKEN },
    });
    assert.equal(explicit.adminTokenFile, undefined);
  });

  it("lets env win over the file, and reads YAML", () => {
    const dir = tmp();
    const file = join(dir, "gw.yaml");
    writeFileSync(file, "port: 9000\nhost: 0.0.0.0\ntools:\n  http:\n    allowHosts: [example.com]\n");
    const config = loadConfig({
      argv: ["--config", file],
      env: { AGENTGW_ADMIN_TOKEN: TOKEN, PORT: "9100" },
    });
    assert.equal(config.port, 9100);
    assert.equal(config.host, "0.0.0.0");
    assert.deepEqual(config.tools.http.allowHosts, ["example.com"]);
    const viaEnv = loadConfig({
      argv: [],
      env: { AGENTGW_ADMIN_TOKEN: TOKEN, AGENTGW_CONFIG: file, AGENTGW_HTTP_ALLOW_HOSTS: "a.test, b.test" },
    });
    assert.deepEqual(viaEnv.tools.http.allowHosts, ["a.test", "b.test"]);
  });

  it("accepts loopback aliases of a localhost public URL in dev mode only", () => {
    const dev = loadConfig({ argv: ["--dev"], env: { PORT: "9090", AGENTGW_DATA_DIR: tmp() } });
    assert.deepEqual(dev.authorities, ["localhost:9090", "127.0.0.1:9090", "[::1]:9090"]);
    const prod = loadConfig({ argv: [], env: { AGENTGW_ADMIN_TOKEN: TOKEN, PORT: "9090" } });
    assert.deepEqual(prod.authorities, ["localhost:9090"]);
    const remote = loadConfig({
      argv: ["--dev"],
      env: { AGENTGW_PUBLIC_URL: "https://gw.example.com", AGENTGW_DATA_DIR: tmp() },
    });
    assert.deepEqual(remote.authorities, ["gw.example.com"]);
  });

  it("derives the authority from AGENTGW_PUBLIC_URL (lower-case, default port dropped)", () => {
    const config = loadConfig({
      argv: [],
      env: { AGENTGW_ADMIN_TOKEN: TOKEN, AGENTGW_PUBLIC_URL: "https://GW.Example.com:443/" },
    });
    assert.deepEqual(config.authorities, ["gw.example.com"]);
    assert.equal(config.publicUrl, "https://gw.example.com");
  });

  const badCases: Array<[string, Record<string, string>, RegExp]> = [
    ["a non-numeric port", { PORT: "eighty" }, /PORT: not a number/],
    ["a port out of range", { PORT: "70000" }, /^ {2}port: /m],
    ["a public URL that is not http(s)", { AGENTGW_PUBLIC_URL: "ftp://x" }, /publicUrl/],
    ["a short admin token", { AGENTGW_ADMIN_TOKEN: "short" }, /adminToken: must be at least 16/],
    ["an unknown log level", { AGENTGW_LOG_LEVEL: "loud" }, /log\.level/],
  ];
  for (const [name, env, message] of badCases) {
    it(`names the field for ${name}`, () => {
      assert.throws(
        () => loadConfig({ argv: [], env: { AGENTGW_ADMIN_TOKEN: TOKEN, ...env } }),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
      );
    });
  }

  it("names unknown and ill-typed fields in a config file", () => {
    const dir = tmp();
    const file = join(dir, "gw.json");
    writeFileSync(file, JSON.stringify({ signature: { skewSeconds: "30" }, colour: "blue" }));
    assert.throws(
      () => loadConfig({ argv: ["--config", file], env: { AGENTGW_ADMIN_TOKEN: TOKEN } }),
      (e: unknown) =>
        e instanceof ConfigError && /signature\.skewSeconds/.test(e.message) && /colour/.test(e.message),
    );
    writeFileSync(file, "{not json");
    assert.throws(
      () => loadConfig({ argv: ["--config", file], env: { AGENTGW_ADMIN_TOKEN: TOKEN } }),
      /cannot parse config file/,
    );
    assert.throws(
      () =>
        loadConfig({ argv: ["--config", join(dir, "missing.json")], env: { AGENTGW_ADMIN_TOKEN: TOKEN } }),
      /ENOENT/,
    );
  });

  it("reads secrets from env over the secrets file, and never puts them in the error text", () => {
    const dir = tmp();
    const file = join(dir, "secrets.json");
    writeFileSync(file, JSON.stringify({ OPENAI_API_KEY: "from-file", SERPAPI_API_KEY: "serp-from-file" }));
    const config = loadConfig({
      argv: [],
      env: { AGENTGW_ADMIN_TOKEN: TOKEN, AGENTGW_SECRETS_FILE: file, OPENAI_API_KEY: "from-env" },
    });
    assert.equal(config.secrets.openaiApiKey, "from-env");
    assert.equal(config.secrets.serpapiApiKey, "serp-from-file");
    writeFileSync(file, "sk-not-json-secret");
    assert.throws(
      () => loadConfig({ argv: [], env: { AGENTGW_ADMIN_TOKEN: TOKEN, AGENTGW_SECRETS_FILE: file } }),
      (e: unknown) => e instanceof ConfigError && !e.message.includes("sk-not-json-secret"),
    );
  });
});

describe("loadConfig: several processes", () => {
  const MASTER = "A".repeat(43);
  const base = { AGENTGW_ADMIN_TOKEN: TOKEN, AGENTGW_MASTER_KEY: MASTER };

  it("reads the database, Redis and workers settings from env", () => {
    const config = loadConfig({
      argv: [],
      env: {
        ...base,
        AGENTGW_DATABASE_URL: "postgres://gw:pw@db:5432/agentgw",
        AGENTGW_REDIS_URL: "redis://cache:6379",
        AGENTGW_WORKERS: "4",
      },
    });
    assert.equal(config.database.url, "postgres://gw:pw@db:5432/agentgw");
    assert.equal(config.redis.url, "redis://cache:6379");
    assert.equal(config.workers, 4);
    assert.equal(config.masterKey, MASTER);
  });

  it("refuses more than one worker without Redis, and says why", () => {
    assert.throws(
      () => loadConfig({ argv: [], env: { ...base, AGENTGW_WORKERS: "2" } }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /AGENTGW_WORKERS=2 needs AGENTGW_REDIS_URL/.test(e.message) &&
        /replay/.test(e.message),
    );
    assert.equal(loadConfig({ argv: [], env: { ...base, AGENTGW_WORKERS: "1" } }).workers, 1);
  });

  it("needs a master key for a shared store, and refuses URLs of another kind", () => {
    assert.throws(
      () =>
        loadConfig({
          argv: [],
          env: { AGENTGW_ADMIN_TOKEN: TOKEN, AGENTGW_DATABASE_URL: "postgres://db/x" },
        }),
      (e: unknown) => e instanceof ConfigError && /AGENTGW_MASTER_KEY is required/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ argv: [], env: { ...base, AGENTGW_DATABASE_URL: "mysql://db/x" } }),
      (e: unknown) => e instanceof ConfigError && /database\.url/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ argv: [], env: { ...base, AGENTGW_REDIS_URL: "http://cache" } }),
      (e: unknown) => e instanceof ConfigError && /redis\.url/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ argv: [], env: { ...base, AGENTGW_MASTER_KEY: "short" } }),
      (e: unknown) => e instanceof ConfigError && /masterKey/.test(e.message),
    );
  });
});
