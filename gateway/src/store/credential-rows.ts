// The credentials and credential_versions tables as both engines store them (same columns,
// times as ISO strings, secrets only sealed), and how rows read back.
import type { SealedVersion, StoredCredential } from "./types.js";

/** A row of the credentials table, the same in both engines. */
export interface CredentialRow {
  name: string;
  tool: string;
  description: string | null;
  active_version: number;
  created_at: string;
  updated_at: string;
}

/** A credential_versions row without its sealed secret: what listing a credential shows. */
export interface VersionRow {
  name: string;
  version: number;
  fingerprint: string;
  created_at: string;
}

/** What `SELECT ${SEALED_COLUMNS} FROM credentials c JOIN credential_versions v …` returns. */
export type SealedRow = SealedVersion;
export const SEALED_COLUMNS = "c.name, c.tool, v.version, v.fingerprint, v.sealed";

/** `versions` are this credential's version rows, oldest first. */
export function toCredential(row: CredentialRow, versions: VersionRow[]): StoredCredential {
  return {
    name: row.name,
    tool: row.tool,
    description: row.description,
    activeVersion: row.active_version,
    versions: versions.map((v) => ({
      version: v.version,
      fingerprint: v.fingerprint,
      createdAt: v.created_at,
    })),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toSealed(row: SealedRow): SealedVersion {
  return {
    name: row.name,
    tool: row.tool,
    version: row.version,
    fingerprint: row.fingerprint,
    sealed: row.sealed,
  };
}
