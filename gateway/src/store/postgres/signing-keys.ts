import type pg from "pg";
import type { SigningKeyStore, StoredSigningKey } from "../types.js";
import { query } from "./pool.js";

interface SigningKeyRow {
  kid: string;
  sealed_private_key: string;
  created_at: string;
  retired_at: string | null;
  not_after: string | null;
}

function toStored(row: SigningKeyRow): StoredSigningKey {
  return {
    kid: row.kid,
    sealedPrivateKey: row.sealed_private_key,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
    notAfter: row.not_after,
  };
}

export function createPostgresSigningKeyStore(pool: pg.Pool): SigningKeyStore {
  return {
    async list() {
      return (
        await query<SigningKeyRow>(pool, "SELECT * FROM signing_keys ORDER BY created_at, kid")
      ).rows.map(toStored);
    },
    async insert(key) {
      await query(
        pool,
        `INSERT INTO signing_keys (kid, sealed_private_key, created_at, retired_at, not_after)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kid) DO NOTHING`,
        [key.kid, key.sealedPrivateKey, key.createdAt, key.retiredAt, key.notAfter],
      );
    },
    async retireAllExcept(keepKid, retiredAt, notAfter) {
      const { rows } = await query<{ kid: string }>(
        pool,
        "UPDATE signing_keys SET retired_at = $1, not_after = $2 WHERE retired_at IS NULL AND kid <> $3 RETURNING kid",
        [retiredAt, notAfter, keepKid],
      );
      return rows.map((r) => r.kid);
    },
    async pruneRetired(now) {
      return (
        (await query(pool, "DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND not_after < $1", [now]))
          .rowCount ?? 0
      );
    },
  };
}
