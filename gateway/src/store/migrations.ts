// The schema's versioned migrations, written once for both engines: one version number means
// the same tables and columns in SQLite and PostgreSQL. Only the column types the two spell
// differently come from the engine (`ColumnTypes`); each engine applies the list in its own
// migrate(). Append-only: never edit a shipped migration, add the next one.

/** The column types SQLite and PostgreSQL spell differently. */
export interface ColumnTypes {
  /** A 64-bit integer: unix times, sequence numbers. SQLite's INTEGER is 64-bit already. */
  bigint: string;
  /**
   * An auto-incrementing 64-bit primary key. In SQLite `INTEGER PRIMARY KEY` (exactly that
   * spelling) is the rowid itself; AUTOINCREMENT keeps a deleted seq from being reused.
   */
  serialKey: string;
  /** A double-precision float. */
  double: string;
}

/** The bookkeeping table both engines keep: one row per applied migration. */
export const SCHEMA_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`;

export interface Migration {
  version: number;
  name: string;
  sql: (t: ColumnTypes) => string;
}

export const MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: "agents and keys",
    sql: () => `
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
    sql: (t) => `
      CREATE TABLE tokens (
        jti TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL,
        kid TEXT NOT NULL,
        tool TEXT NOT NULL,
        scopes TEXT NOT NULL,
        issued_at ${t.bigint} NOT NULL,
        expires_at ${t.bigint} NOT NULL,
        revoked_at ${t.bigint}
      );
      CREATE INDEX tokens_agent ON tokens(agent_id, expires_at);
      CREATE INDEX tokens_expiry ON tokens(expires_at);`,
  },
  {
    version: 3,
    name: "decision log",
    sql: (t) => `
      CREATE TABLE decisions (
        seq ${t.serialKey},
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
        duration_ms ${t.double} NOT NULL,
        input TEXT NOT NULL
      );
      CREATE INDEX decisions_agent ON decisions(agent_id, seq);
      CREATE INDEX decisions_tool ON decisions(tool, seq);`,
  },
  {
    version: 4,
    name: "audit hash chain",
    sql: (t) => `
      CREATE TABLE audit (
        seq ${t.bigint} PRIMARY KEY,
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
    sql: (t) => `
      CREATE TABLE budget_usage (
        agent_id TEXT NOT NULL,
        key TEXT NOT NULL,
        period TEXT NOT NULL,
        used ${t.double} NOT NULL DEFAULT 0,
        reserved ${t.double} NOT NULL DEFAULT 0,
        PRIMARY KEY (agent_id, key, period)
      );
      CREATE TABLE budget_reservations (
        id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL,
        key TEXT NOT NULL,
        period TEXT NOT NULL,
        amount ${t.double} NOT NULL
      );`,
  },
  {
    version: 6,
    name: "signing keys",
    sql: () => `
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
    sql: () => `
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
    sql: (t) => `
      CREATE TABLE approvals (
        seq ${t.serialKey},
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
        created_ms ${t.bigint} NOT NULL,
        expires_ms ${t.bigint} NOT NULL,
        decided_ms ${t.bigint},
        decided_by TEXT,
        note TEXT,
        used_ms ${t.bigint}
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
    sql: () =>
      `CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;`,
  },
  {
    version: 10,
    name: "mcp servers and pinned tool definitions",
    sql: () => `CREATE TABLE mcp_servers (
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
  {
    version: 11,
    name: "console sign-outs",
    sql: (t) => `CREATE TABLE console_sign_outs (
        session_hash TEXT PRIMARY KEY,
        expires_ms ${t.bigint} NOT NULL
      );
      CREATE INDEX console_sign_outs_expiry ON console_sign_outs(expires_ms);`,
  },
];

/** The migrations not applied yet, in order, given the versions schema_migrations lists. */
export function pendingMigrations(applied: Iterable<number>): Migration[] {
  const done = new Set(applied);
  return MIGRATIONS.filter((migration) => !done.has(migration.version));
}
