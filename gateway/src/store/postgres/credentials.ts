// Named upstream credentials and their versions in PostgreSQL. Only sealed (encrypted)
// secrets and fingerprints are stored; sealing and opening happen in credentials/.
import type pg from "pg";
import {
  type CredentialRow,
  SEALED_COLUMNS,
  type SealedRow,
  toCredential,
  toSealed,
  type VersionRow,
} from "../credential-rows.js";
import { type CredentialStore, StoreConflictError, type StoredCredential } from "../types.js";
import { isUniqueViolation, type Queryable, query, transaction } from "./pool.js";

async function hydrate(db: Queryable, rows: CredentialRow[]): Promise<StoredCredential[]> {
  if (rows.length === 0) return [];
  const { rows: versions } = await query<VersionRow>(
    db,
    "SELECT name, version, fingerprint, created_at FROM credential_versions WHERE name = ANY($1) ORDER BY name, version",
    [rows.map((r) => r.name)],
  );
  const versionsOf = (name: string) => versions.filter((v) => v.name === name);
  return rows.map((row) => toCredential(row, versionsOf(row.name)));
}

async function load(db: Queryable, name: string): Promise<StoredCredential | null> {
  const { rows } = await query<CredentialRow>(db, "SELECT * FROM credentials WHERE name = $1", [name]);
  return (await hydrate(db, rows))[0] ?? null;
}

export function createPostgresCredentialStore(pool: pg.Pool, now: () => Date): CredentialStore {
  return {
    async create(input) {
      try {
        return await transaction(pool, async (client) => {
          const stamp = now().toISOString();
          await query(
            client,
            `INSERT INTO credentials (name, tool, description, active_version, created_at, updated_at)
             VALUES ($1, $2, $3, 1, $4, $4)`,
            [input.name, input.tool, input.description, stamp],
          );
          await query(
            client,
            `INSERT INTO credential_versions (name, version, fingerprint, sealed, created_at)
             VALUES ($1, 1, $2, $3, $4)`,
            [input.name, input.fingerprint, input.sealed, stamp],
          );
          return (await load(client, input.name))!;
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreConflictError(`credential ${input.name} exists`);
        throw error;
      }
    },

    async list() {
      const { rows } = await query<CredentialRow>(pool, "SELECT * FROM credentials ORDER BY name");
      return hydrate(pool, rows);
    },

    async get(name) {
      return load(pool, name);
    },

    async addVersion(name, input) {
      return transaction(pool, async (client) => {
        // The row lock serialises rotations of one credential across instances: distinct versions, last wins.
        const locked = await query(client, "SELECT 1 FROM credentials WHERE name = $1 FOR UPDATE", [name]);
        if (locked.rowCount === 0) return null;
        const { rows } = await query<{ next: number }>(
          client,
          "SELECT COALESCE(MAX(version), 0) + 1 AS next FROM credential_versions WHERE name = $1",
          [name],
        );
        const next = rows[0]!.next;
        const stamp = now().toISOString();
        await query(
          client,
          `INSERT INTO credential_versions (name, version, fingerprint, sealed, created_at)
           VALUES ($1, $2, $3, $4, $5)`,
          [name, next, input.fingerprint, input.sealed, stamp],
        );
        await query(client, "UPDATE credentials SET active_version = $1, updated_at = $2 WHERE name = $3", [
          next,
          stamp,
          name,
        ]);
        return load(client, name);
      });
    },

    async activate(name, version) {
      return transaction(pool, async (client) => {
        const exists = await query(
          client,
          "SELECT 1 FROM credential_versions WHERE name = $1 AND version = $2 FOR SHARE",
          [name, version],
        );
        if (exists.rowCount === 0) return null;
        await query(client, "UPDATE credentials SET active_version = $1, updated_at = $2 WHERE name = $3", [
          version,
          now().toISOString(),
          name,
        ]);
        return load(client, name);
      });
    },

    async delete(name) {
      return ((await query(pool, "DELETE FROM credentials WHERE name = $1", [name])).rowCount ?? 0) > 0;
    },

    async active(name) {
      const { rows } = await query<SealedRow>(
        pool,
        `SELECT ${SEALED_COLUMNS} FROM credentials c
           JOIN credential_versions v ON v.name = c.name AND v.version = c.active_version
          WHERE c.name = $1`,
        [name],
      );
      return rows[0] ? toSealed(rows[0]) : null;
    },

    async sealedVersions() {
      const { rows } = await query<SealedRow>(
        pool,
        `SELECT ${SEALED_COLUMNS} FROM credentials c JOIN credential_versions v ON v.name = c.name
          ORDER BY c.name, v.version`,
      );
      return rows.map(toSealed);
    },
  };
}
