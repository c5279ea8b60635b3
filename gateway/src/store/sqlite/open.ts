import { mkdirSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import type { Store } from "../types.js";
import { createSqliteAgentStore } from "./agents.js";
import { createSqliteApprovalStore } from "./approvals.js";
import { createSqliteAuditStore } from "./audit.js";
import { createSqliteBudgetStore } from "./budgets.js";
import { createSqliteConsoleSignOutStore } from "./console-sign-outs.js";
import { createSqliteCredentialStore } from "./credentials.js";
import { createSqliteDecisionStore } from "./decisions.js";
import { createSqliteMcpStore } from "./mcp.js";
import { migrate } from "./migrations.js";
import { createSqliteRecordStore } from "./records.js";
import { createSqliteSigningKeyStore } from "./signing-keys.js";
import { createSqliteTokenStore } from "./tokens.js";

export interface SqliteStoreOptions {
  /** Folder for `agentgw.db`; `":memory:"` for tests that need no file. */
  dataDir: string;
  now?: () => Date;
}

export function openSqliteStore({ dataDir, now = () => new Date() }: SqliteStoreOptions): Store {
  let file = ":memory:";
  if (dataDir !== ":memory:") {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    file = join(dataDir, "agentgw.db");
  }
  const db = new BetterSqlite3(file);
  // WAL: readers never block the writer; synchronous=NORMAL is durable across process crashes in WAL mode.
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db);

  return {
    engine: "sqlite",
    agents: createSqliteAgentStore(db, now),
    credentials: createSqliteCredentialStore(db, now),
    tokens: createSqliteTokenStore(db),
    decisions: createSqliteDecisionStore(db),
    audit: createSqliteAuditStore(db),
    records: createSqliteRecordStore(db),
    budgets: createSqliteBudgetStore(db),
    signingKeys: createSqliteSigningKeyStore(db),
    mcp: createSqliteMcpStore(db),
    approvals: createSqliteApprovalStore(db),
    consoleSignOuts: createSqliteConsoleSignOutStore(db),
    async ping() {
      return db.open && db.prepare("SELECT 1 AS ok").get() !== undefined;
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
