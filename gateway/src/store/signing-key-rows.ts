// The signing_keys table as both engines store it (same columns, times as ISO strings;
// the private key only ever sealed), and how a row reads back.
import type { StoredSigningKey } from "./types.js";

/** A row of the signing_keys table, the same in both engines. */
export interface SigningKeyRow {
  kid: string;
  sealed_private_key: string;
  created_at: string;
  retired_at: string | null;
  not_after: string | null;
}

export function toStoredSigningKey(row: SigningKeyRow): StoredSigningKey {
  return {
    kid: row.kid,
    sealedPrivateKey: row.sealed_private_key,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
    notAfter: row.not_after,
  };
}
