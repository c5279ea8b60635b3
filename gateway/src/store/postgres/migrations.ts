// The shared migrations (../migrations.ts) in PostgreSQL's column types, applied under an
// advisory lock so instances starting together migrate once.
import type pg from "pg";
import { type ColumnTypes, pendingMigrations, SCHEMA_MIGRATIONS_TABLE } from "../migrations.js";
import { query, transaction } from "./pool.js";

const POSTGRES_TYPES: ColumnTypes = {
  bigint: "BIGINT",
  serialKey: "BIGSERIAL PRIMARY KEY",
  double: "DOUBLE PRECISION",
};

/** Advisory lock id that serialises migrations across gateway instances starting at once. */
const MIGRATION_LOCK = 0x61677477; // "agtw"

/** Applies pending migrations in order in one transaction (DDL is transactional here); returns the versions applied. */
export async function migratePostgres(pool: pg.Pool): Promise<number[]> {
  const applied: number[] = [];
  await transaction(pool, async (client) => {
    // Held until this transaction ends; a second instance waits here, then sees the work done.
    await query(client, "SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await query(client, SCHEMA_MIGRATIONS_TABLE);
    const done = await query<{ version: number }>(client, "SELECT version FROM schema_migrations");
    for (const migration of pendingMigrations(done.rows.map((r) => r.version))) {
      await query(client, migration.sql(POSTGRES_TYPES));
      await query(client, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
        migration.version,
        migration.name,
        new Date().toISOString(),
      ]);
      applied.push(migration.version);
    }
  });
  return applied;
}
