import type pg from "pg";
import { type SigningKeyRow, toStoredSigningKey } from "../signing-key-rows.js";
import { type SigningKeyStore, StoreConflictError } from "../types.js";
import { isUniqueViolation, query, transaction } from "./pool.js";

const INSERT_CURRENT = `INSERT INTO signing_keys (kid, sealed_private_key, created_at, retired_at, not_after)
  VALUES ($1, $2, $3, NULL, NULL)`;

export function createPostgresSigningKeyStore(pool: pg.Pool): SigningKeyStore {
  return {
    async list() {
      return (
        await query<SigningKeyRow>(pool, "SELECT * FROM signing_keys ORDER BY created_at, kid")
      ).rows.map(toStoredSigningKey);
    },
    async insertFirst(key) {
      // The partial unique index (migration 9) admits one current key; a second is "someone else won".
      const result = await query(pool, `${INSERT_CURRENT} ON CONFLICT DO NOTHING`, [
        key.kid,
        key.sealedPrivateKey,
        key.createdAt,
      ]);
      return (result.rowCount ?? 0) > 0;
    },
    async rotate(key, retiredAt, notAfter) {
      try {
        await transaction(pool, async (client) => {
          await query(
            client,
            "UPDATE signing_keys SET retired_at = $1, not_after = $2 WHERE retired_at IS NULL",
            [retiredAt, notAfter],
          );
          await query(client, INSERT_CURRENT, [key.kid, key.sealedPrivateKey, key.createdAt]);
        });
      } catch (error) {
        if (isUniqueViolation(error))
          throw new StoreConflictError("another rotation happened at the same time");
        throw error;
      }
    },
    async pruneRetired(now) {
      return (
        (await query(pool, "DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND not_after < $1", [now]))
          .rowCount ?? 0
      );
    },
  };
}
