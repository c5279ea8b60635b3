import type { Store } from "../types.js";
import { createPostgresAgentStore } from "./agents.js";
import { createPostgresApprovalStore } from "./approvals.js";
import { createPostgresAuditStore } from "./audit.js";
import { createPostgresBudgetStore } from "./budgets.js";
import { createPostgresCredentialStore } from "./credentials.js";
import { createPostgresDecisionStore } from "./decisions.js";
import { migratePostgres } from "./migrations.js";
import { createPool, query } from "./pool.js";
import { createPostgresRecordStore } from "./records.js";
import { createPostgresSigningKeyStore } from "./signing-keys.js";
import { createPostgresTokenStore } from "./tokens.js";

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  now?: () => Date;
  /** Connections this process may hold; default 10. */
  maxConnections?: number;
}

/** Connects, applies pending migrations (serialised across instances), and returns the store. */
export async function openPostgresStore({
  url,
  now = () => new Date(),
  maxConnections,
}: PostgresStoreOptions): Promise<Store> {
  const pool = createPool({ connectionString: url, ...(maxConnections ? { max: maxConnections } : {}) });
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  let closed = false;
  return {
    engine: "postgres",
    agents: createPostgresAgentStore(pool, now),
    credentials: createPostgresCredentialStore(pool, now),
    tokens: createPostgresTokenStore(pool),
    decisions: createPostgresDecisionStore(pool),
    audit: createPostgresAuditStore(pool),
    records: createPostgresRecordStore(pool),
    budgets: createPostgresBudgetStore(pool),
    signingKeys: createPostgresSigningKeyStore(pool),
    approvals: createPostgresApprovalStore(pool),
    async ping() {
      if (closed) return false;
      return (await query(pool, "SELECT 1")).rowCount === 1;
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
