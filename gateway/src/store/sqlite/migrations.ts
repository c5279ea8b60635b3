import type { Database } from "better-sqlite3";

// Versioned, append-only: never edit a shipped migration, add the next one.
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: "agents and keys",
    sql: `
      CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active','suspended')),
        scopes TEXT NOT NULL,
        tier TEXT NOT NULL,
        metadata TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX agents_status ON agents(status, id);
      CREATE TABLE agent_keys (
        kid TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        public_key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active','revoked')),
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE INDEX agent_keys_agent ON agent_keys(agent_id);`,
  },
  {
    version: 2,
    name: "issued tokens and revocations",
    sql: `
      CREATE TABLE tokens (
        jti TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL,
        kid TEXT NOT NULL,
        tool TEXT NOT NULL,
        scopes TEXT NOT NULL,
        issued_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE INDEX tokens_agent ON tokens(agent_id, expires_at);
      CREATE INDEX tokens_expiry ON tokens(expires_at);`,
  },
  {
    version: 3,
    name: "decision log",
    sql: `
      CREATE TABLE decisions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        decision_id TEXT NOT NULL UNIQUE,
        time TEXT NOT NULL,
        request_id TEXT NOT NULL,
        trace_id TEXT,
        agent_id TEXT,
        kid TEXT,
        tool TEXT,
        action TEXT,
        phase TEXT NOT NULL,
        allow INTEGER NOT NULL,
        reasons TEXT NOT NULL,
        obligations TEXT NOT NULL,
        policy_revision TEXT,
        duration_ms REAL NOT NULL,
        input TEXT NOT NULL
      );
      CREATE INDEX decisions_agent ON decisions(agent_id, seq);
      CREATE INDEX decisions_tool ON decisions(tool, seq);`,
  },
  {
    version: 4,
    name: "audit hash chain",
    sql: `
      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        request_id TEXT,
        trace_id TEXT,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_action ON audit(action, seq);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  },
  {
    version: 5,
    name: "budgets",
    sql: `
      CREATE TABLE budget_usage (
        agent_id TEXT NOT NULL,
        key TEXT NOT NULL,
        period TEXT NOT NULL,
        used REAL NOT NULL DEFAULT 0,
        reserved REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (agent_id, key, period)
      );
      CREATE TABLE budget_reservations (
        id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL,
        key TEXT NOT NULL,
        period TEXT NOT NULL,
        amount REAL NOT NULL
      );`,
  },
  {
    version: 6,
    name: "signing keys",
    sql: `
      CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        sealed_private_key TEXT NOT NULL,
        created_at TEXT NOT NULL,
        retired_at TEXT,
        not_after TEXT
      );`,
  },
  {
    version: 7,
    name: "upstream credentials",
    sql: `
      CREATE TABLE credentials (
        name TEXT PRIMARY KEY,
        tool TEXT NOT NULL,
        description TEXT,
        active_version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX credentials_tool ON credentials(tool, name);
      CREATE TABLE credential_versions (
        name TEXT NOT NULL REFERENCES credentials(name) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        sealed TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (name, version)
      );`,
  },
  {
    version: 8,
    name: "approvals",
    sql: `
      CREATE TABLE approvals (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL CHECK (status IN ('pending','approved','denied','expired')),
        agent_id TEXT NOT NULL,
        kid TEXT NOT NULL,
        phase TEXT NOT NULL CHECK (phase IN ('token','call')),
        tool TEXT NOT NULL,
        action TEXT,
        scopes TEXT NOT NULL,
        intent TEXT,
        reason TEXT NOT NULL,
        request TEXT NOT NULL,
        binding TEXT NOT NULL,
        ttl_seconds INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL,
        decided_ms INTEGER,
        decided_by TEXT,
        note TEXT,
        used_ms INTEGER
      );
      -- At most one pending approval per exact request: a repeat finds it instead of opening another.
      CREATE UNIQUE INDEX approvals_one_pending ON approvals(binding) WHERE status = 'pending';
      CREATE INDEX approvals_binding ON approvals(binding, seq);
      CREATE INDEX approvals_status ON approvals(status, seq);
      CREATE INDEX approvals_pending_expiry ON approvals(expires_ms) WHERE status = 'pending';`,
  },
  {
    version: 9,
    name: "one current signing key",
    sql: `CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;`,
  },
  {
    version: 10,
    name: "mcp servers and pinned tool definitions",
    sql: `CREATE TABLE mcp_servers (
        name TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        credential TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE mcp_tool_pins (
        server TEXT NOT NULL,
        tool TEXT NOT NULL,
        pinned_digest TEXT NOT NULL,
        seen_digest TEXT NOT NULL,
        seen TEXT NOT NULL,
        pinned_at TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (server, tool)
      );`,
  },
];

/** Applies pending migrations in order, each in its own transaction; returns the versions applied. */
export function migrate(db: Database): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const done = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as Array<{ version: number }>).map(
      (r) => r.version,
    ),
  );
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (done.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    })();
    applied.push(migration.version);
  }
  return applied;
}
