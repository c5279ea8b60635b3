import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { StoredToolToken } from "@agentgw/sdk";
import { FileTokenStore } from "./token-file-store.js";

const dir = mkdtempSync(join(tmpdir(), "agentgw-cli-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const entry = (token: string, expiresAt: number): StoredToolToken => ({
  token: {
    token,
    tokenType: "Bearer",
    jti: `j-${token}`,
    tool: "openai",
    scopes: ["openai:chat"],
    expiresAt: new Date(expiresAt).toISOString(),
    expiresIn: 300,
  },
  refreshAt: expiresAt - 30_000,
  expiresAt,
});

describe("FileTokenStore", () => {
  it("keeps tokens per gateway in an owner-only file and prunes expired ones", async () => {
    let now = 1_000_000;
    const cache = join(dir, "cache");
    const a = new FileTokenStore(cache, "kid1", new URL("http://gw-a:8080"), () => now);
    const b = new FileTokenStore(cache, "kid1", new URL("http://gw-b:8080"), () => now);
    await a.save("k", entry("ta", now + 300_000));
    assert.equal((await a.load("k"))?.token.token, "ta");
    assert.equal(await b.load("k"), undefined, "another gateway never sees it");
    assert.equal(statSync(a.path).mode & 0o777, 0o600);
    assert.equal(statSync(cache).mode & 0o777, 0o700);

    now += 400_000;
    await b.save("k", entry("tb", now + 300_000));
    assert.equal(await a.load("k"), undefined, "expired entries are dropped on the next write");
    await b.delete("k");
    assert.deepEqual(JSON.parse(readFileSync(b.path, "utf8")), {});
  });

  it("treats a damaged file as empty", async () => {
    const store = new FileTokenStore(join(dir, "damaged"), "kid2", new URL("http://gw"));
    await store.save("k", entry("t", Date.now() + 60_000));
    writeFileSync(store.path, "{not json");
    assert.equal(await store.load("k"), undefined);
  });
});
