import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadMasterKey, MASTER_KEY_PATTERN, parseMasterKey } from "./master-key.js";

describe("master key", () => {
  it("dev mode generates a 0600 key file once and reuses it", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "agentgw-kek-"));
    const first = loadMasterKey({ configured: undefined, dataDir, dev: true })!;
    assert.equal(first.source, "generated");
    assert.equal(statSync(first.file!).mode & 0o777, 0o600);
    const again = loadMasterKey({ configured: undefined, dataDir, dev: true })!;
    assert.equal(again.source, "data dir");
    assert.deepEqual(again.key, first.key);
    assert.match(readFileSync(first.file!, "utf8").trim(), MASTER_KEY_PATTERN);
  });

  it("outside dev mode nothing is generated", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "agentgw-kek-"));
    assert.equal(loadMasterKey({ configured: undefined, dataDir, dev: false }), null);
  });

  it("a configured key wins; a malformed one is refused without echoing it", () => {
    const key = randomBytes(32);
    const loaded = loadMasterKey({
      configured: key.toString("base64url"),
      dataDir: "/nonexistent",
      dev: true,
    })!;
    assert.deepEqual(loaded.key, key);
    assert.throws(
      () => parseMasterKey("not-a-key-but-secretish", "AGENTGW_MASTER_KEY"),
      (e: Error) => /AGENTGW_MASTER_KEY/.test(e.message) && !e.message.includes("secretish"),
    );
    assert.throws(() => parseMasterKey(randomBytes(31).toString("base64url"), "x"));
  });
});
