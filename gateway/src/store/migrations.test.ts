import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MIGRATIONS, pendingMigrations } from "./migrations.js";

describe("store migrations", () => {
  it("are numbered 1, 2, 3… without gaps or repeats, each with its own name", () => {
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      MIGRATIONS.map((_, i) => i + 1),
    );
    assert.equal(new Set(MIGRATIONS.map((m) => m.name)).size, MIGRATIONS.length);
  });

  it("take every engine-specific column type from the engine", () => {
    const marked = { bigint: "<i64>", serialKey: "<seq key>", double: "<f64>" };
    const sql = MIGRATIONS.map((m) => m.sql(marked)).join("\n");
    // Spelled differently by the two engines, so never written into a shared migration.
    assert.doesNotMatch(sql, /\b(AUTOINCREMENT|BIGSERIAL|BIGINT|REAL|DOUBLE PRECISION)\b/);
    for (const column of ["issued_at", "expires_at", "revoked_at", "created_ms", "used_ms"]) {
      assert.match(sql, new RegExp(`\\b${column} <i64>`), column);
    }
    assert.match(sql, /\bseq <seq key>/);
    assert.match(sql, /\bduration_ms <f64>/);
  });

  it("pending are the ones schema_migrations does not list, in order", () => {
    assert.deepEqual(pendingMigrations([]), MIGRATIONS);
    assert.deepEqual(
      pendingMigrations([1, 2, 4]).map((m) => m.version),
      MIGRATIONS.map((m) => m.version).filter((v) => ![1, 2, 4].includes(v)),
    );
    assert.deepEqual(pendingMigrations(MIGRATIONS.map((m) => m.version)), []);
  });
});
