import { type Store, StoreUnavailableError } from "../types.js";
import { createPostgresAgentStore } from "./agents.js";
import { createPostgresApprovalStore } from "./approvals.js";
import { createPostgresAuditStore } from "./audit.js";
import { createPostgresBudgetStore } from "./budgets.js";
import { createPostgresConsoleSignOutStore } from "./console-sign-outs.js";
import { createPostgresCredentialStore } from "./credentials.js";
import { createPostgresDecisionStore } from "./decisions.js";
import { createPostgresMcpStore } from "./mcp.js";
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
  /** Told after each call whether the server answered (true) or could not be reached (false). */
  onAvailability?: (up: boolean) => void;
}

/** Connects, applies pending migrations (serialised across instances), and returns the store. */
export async function openPostgresStore({
  url,
  now = () => new Date(),
  maxConnections,
  onAvailability,
}: PostgresStoreOptions): Promise<Store> {
  const pool = createPool({ connectionString: url, ...(maxConnections ? { max: maxConnections } : {}) });
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  let closed = false;
  const watch = <T extends object>(part: T): T => (onAvailability ? observed(part, onAvailability) : part);
  return {
    engine: "postgres",
    agents: watch(createPostgresAgentStore(pool, now)),
    credentials: watch(createPostgresCredentialStore(pool, now)),
    tokens: watch(createPostgresTokenStore(pool)),
    decisions: watch(createPostgresDecisionStore(pool)),
    audit: watch(createPostgresAuditStore(pool)),
    records: watch(createPostgresRecordStore(pool)),
    budgets: watch(createPostgresBudgetStore(pool)),
    signingKeys: watch(createPostgresSigningKeyStore(pool)),
    mcp: watch(createPostgresMcpStore(pool)),
    approvals: watch(createPostgresApprovalStore(pool)),
    consoleSignOuts: watch(createPostgresConsoleSignOutStore(pool)),
    async ping() {
      if (closed) return false;
      // Through the same availability report as every call, so /readyz probes also mark recovery.
      const probe = { ping: async () => (await query(pool, "SELECT 1")).rowCount === 1 };
      return (onAvailability ? observed(probe, onAvailability) : probe).ping();
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/** The same methods, each reporting whether the server could be reached. */
function observed<T extends object>(part: T, onAvailability: (up: boolean) => void): T {
  const out: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(part)) {
    if (typeof method !== "function") continue;
    out[name] = async (...args: unknown[]) => {
      try {
        const result = await (method as (...a: unknown[]) => Promise<unknown>).apply(part, args);
        onAvailability(true);
        return result;
      } catch (error) {
        if (error instanceof StoreUnavailableError) onAvailability(false);
        throw error;
      }
    };
  }
  return out as T;
}
