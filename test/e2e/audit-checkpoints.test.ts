// Tamper evidence beyond the hash chain (issue 11 point 11): the gateway signs the chain's
// head with a key kept out of the database, so someone who can write the database and
// recomputes every hash after an edit, or cuts the tail, is still caught by verify — and an
// outside verifier can check the exported checkpoints with nothing but Ed25519.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createPublicKey, verify } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { type AuditRow, auditHash, toAuditRecord } from "../../gateway/src/store/audit-chain.js";
import { registerAgent } from "../support/agents.js";
import { type GatewayProcess, REPO_ROOT, startGateway } from "../support/gateway-process.js";
import { writeConfig } from "../support/policies.js";

const config = () => writeConfig({ audit: { checkpointIntervalSeconds: 1 } });

/** Waits until a signed checkpoint covers the chain's current head. */
async function checkpointed(gw: GatewayProcess): Promise<number> {
  const head = (await gw.admin("GET", "/admin/audit?limit=1")).body.items[0].seq as number;
  for (;;) {
    const exported = await gw.admin("GET", "/admin/audit/checkpoints");
    if (exported.body.checkpoints.some((c: { seq: number }) => c.seq >= head)) return head;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function withGateway(run: (gw: GatewayProcess) => Promise<GatewayProcess>) {
  let gw = await startGateway({ args: ["--config", config()] });
  try {
    gw = await run(gw);
  } finally {
    await gw.stop();
    gw.cleanup();
  }
}

/** Saves the export, as an outside verifier would, and runs scripts/verify-audit.mjs against it. */
function saveExport(exported: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "agentgw-cp-export-")), "checkpoints.json");
  writeFileSync(file, JSON.stringify(exported));
  return file;
}
function verifyOffline(gw: GatewayProcess, file: string) {
  return spawnSync(process.execPath, [join(REPO_ROOT, "scripts/verify-audit.mjs"), file], {
    env: { PATH: process.env.PATH ?? "", AGENTGW_URL: gw.url, AGENTGW_ADMIN_TOKEN: gw.adminToken },
    encoding: "utf8",
  });
}

describe("signed audit checkpoints", () => {
  it("are exported with their public key and verify offline with plain Ed25519", async () => {
    await withGateway(async (gw) => {
      await registerAgent(gw, { name: "cp-1" });
      await checkpointed(gw);
      const { publicKey, checkpoints } = (await gw.admin("GET", "/admin/audit/checkpoints")).body;
      assert.ok(checkpoints.length > 0);
      const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey.x }, format: "jwk" });
      for (const c of checkpoints) {
        const text = `agentgw-audit-checkpoint\n${c.seq}\n${c.hash}\n${c.time}`;
        assert.ok(verify(null, Buffer.from(text), key, Buffer.from(c.signature, "base64url")));
      }
      const verdict = (await gw.admin("GET", "/admin/audit/verify")).body;
      assert.equal(verdict.ok, true, JSON.stringify(verdict));
      assert.ok(verdict.checkpoints.checked >= 1);
      const offline = verifyOffline(gw, saveExport({ publicKey, checkpoints }));
      assert.equal(offline.status, 0, offline.stderr);
      assert.match(offline.stdout, /^ok: /);
      return gw;
    });
  });

  it("a rewritten record is detected even when every later hash was recomputed", async () => {
    await withGateway(async (gw) => {
      for (const name of ["rw-1", "rw-2", "rw-3"]) await registerAgent(gw, { name });
      await checkpointed(gw);
      const saved = saveExport((await gw.admin("GET", "/admin/audit/checkpoints")).body);
      await gw.stop();

      // The attacker edits the first record and re-chains everything after it.
      const db = new BetterSqlite3(join(gw.dataDir, "agentgw.db"));
      const rows = db.prepare("SELECT * FROM audit ORDER BY seq").all() as AuditRow[];
      let prev = rows[0]!.prev_hash;
      const update = db.prepare("UPDATE audit SET details = ?, prev_hash = ?, hash = ? WHERE seq = ?");
      for (const [i, row] of rows.entries()) {
        const record = toAuditRecord(row);
        const details = i === 0 ? { ...record.details, note: "nothing happened" } : record.details;
        const hash = auditHash(prev, row.seq, { ...record, details });
        update.run(JSON.stringify(details), prev, hash, row.seq);
        prev = hash;
      }
      db.close();

      const restarted = await gw.restart();
      const verdict = (await restarted.admin("GET", "/admin/audit/verify")).body;
      assert.equal(verdict.ok, false, JSON.stringify(verdict));
      assert.equal(verdict.checkpoints.ok, false);
      assert.match(verdict.firstBad.reason, /rewritten/);
      // The outside verifier, with the checkpoints it saved before, sees it too.
      const offline = verifyOffline(restarted, saved);
      assert.equal(offline.status, 1, offline.stdout);
      assert.match(offline.stderr, /rewritten/);
      return restarted;
    });
  });

  it("a cut tail is detected", async () => {
    await withGateway(async (gw) => {
      for (const name of ["cut-1", "cut-2", "cut-3"]) await registerAgent(gw, { name });
      const head = await checkpointed(gw);
      await gw.stop();
      const db = new BetterSqlite3(join(gw.dataDir, "agentgw.db"));
      db.prepare("DELETE FROM audit WHERE seq > ?").run(head - 2);
      db.close();

      const restarted = await gw.restart();
      const verdict = (await restarted.admin("GET", "/admin/audit/verify")).body;
      assert.equal(verdict.ok, false, JSON.stringify(verdict));
      assert.match(verdict.checkpoints.firstBad.reason, /removed|rewritten/);
      return restarted;
    });
  });
});
