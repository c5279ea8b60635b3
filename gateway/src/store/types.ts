// The store's public surface. Callers see only these interfaces; the SQLite
// implementation lives in ./sqlite, the PostgreSQL one in ./postgres, and
// ./open.ts picks one from config. Every method is async so a networked store
// fits without touching callers. A new table means both implementations and a
// case in the shared suite (./testing/store-suite.ts), which runs on both engines.

export type AgentStatus = "active" | "suspended";
export type KeyStatus = "active" | "revoked";

export interface AgentKey {
  kid: string;
  /** base64url of the raw 32-byte Ed25519 public key */
  publicKey: string;
  status: KeyStatus;
  createdAt: string;
}

export interface Agent {
  id: string;
  name: string;
  status: AgentStatus;
  scopes: string[];
  tier: string;
  metadata: Record<string, unknown>;
  keys: AgentKey[];
  createdAt: string;
  updatedAt: string;
}

export interface NewAgent {
  name: string;
  scopes: string[];
  tier: string;
  metadata: Record<string, unknown>;
  key: { kid: string; publicKey: string };
}

export interface AgentPatch {
  name?: string;
  scopes?: string[];
  tier?: string;
  metadata?: Record<string, unknown>;
  status?: AgentStatus;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface AgentStore {
  /** Throws StoreConflictError when the key is registered already. */
  create(agent: NewAgent): Promise<Agent>;
  list(query: { status?: AgentStatus; limit: number; cursor?: string }): Promise<Page<Agent>>;
  get(id: string): Promise<Agent | null>;
  update(id: string, patch: AgentPatch): Promise<Agent | null>;
  delete(id: string): Promise<boolean>;
  /** Throws StoreConflictError when the key is registered already (to any agent). */
  addKey(agentId: string, key: { kid: string; publicKey: string }): Promise<AgentKey | null>;
  revokeKey(agentId: string, kid: string): Promise<boolean>;
  /** The key with this kid and its agent, whatever their status (callers decide). */
  findByKid(kid: string): Promise<{ agent: Agent; key: AgentKey } | null>;
}

export interface IssuedToken {
  jti: string;
  agentId: string;
  kid: string;
  tool: string;
  scopes: string[];
  issuedAt: number;
  expiresAt: number;
}

export interface TokenStore {
  recordIssued(token: IssuedToken): Promise<void>;
  /** Unix seconds the token was revoked at, or null when it is not revoked (or unknown). */
  revokedAt(jti: string): Promise<number | null>;
  revokeByJti(jti: string, at: number): Promise<number>;
  /** Revokes the agent's tokens (optionally only those bound to one key); resolves to how many were still live. */
  revokeByAgent(agentId: string, at: number, kid?: string): Promise<number>;
  /** Forgets tokens that expired before `now` (they can no longer be used anyway). */
  purgeExpired(now: number): Promise<number>;
}

/**
 * Console sessions signed out before they expired, shared by every gateway on the store. Only a
 * hash of the session id is kept, and only until the session would have expired anyway.
 */
export interface ConsoleSignOutStore {
  signOut(sessionHash: string, expiresAtMs: number): Promise<void>;
  isSignedOut(sessionHash: string): Promise<boolean>;
  /** Forgets sign-outs of sessions that expired before `nowMs`. */
  purgeExpired(nowMs: number): Promise<number>;
}

export interface DecisionRecord {
  decisionId: string;
  time: string;
  requestId: string;
  traceId: string | null;
  agentId: string | null;
  kid: string | null;
  tool: string | null;
  action: string | null;
  phase: "token" | "call" | "list";
  allow: boolean;
  reasons: string[];
  obligations: Record<string, unknown>;
  policyRevision: string | null;
  durationMs: number;
  /** The policy input with secrets removed and large bodies cut. */
  input: unknown;
}

export interface DecisionQuery {
  agentId?: string;
  tool?: string;
  allow?: boolean;
  phase?: "token" | "call" | "list";
  limit: number;
  cursor?: string;
}

export interface DecisionStore {
  record(decision: DecisionRecord): Promise<void>;
  /** Newest first. */
  list(query: DecisionQuery): Promise<Page<DecisionRecord>>;
  /** Removes decisions recorded before `before` (RFC 3339); resolves to how many went. */
  prune(before: string): Promise<number>;
}

export interface AuditEvent {
  time: string;
  actor: string;
  action: string;
  target: string | null;
  requestId: string | null;
  traceId: string | null;
  details: Record<string, unknown>;
}

export interface AuditRecord extends AuditEvent {
  seq: number;
  prevHash: string;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  /** The first record whose hash or link does not match, when not ok. */
  firstBad?: { seq: number; reason: string };
}

export interface AuditStore {
  append(event: AuditEvent): Promise<AuditRecord>;
  list(query: { limit: number; cursor?: string; action?: string }): Promise<Page<AuditRecord>>;
  verify(): Promise<AuditVerification>;
  /** Drops records older than `before`, keeping the chain verifiable from the first kept record. */
  prune(before: string): Promise<number>;
}

/** Decisions and audit events written together: one transaction for many requests (group commit). */
export interface RecordBatch {
  decisions: DecisionRecord[];
  /** Appended to the hash chain in this order. */
  audit: AuditEvent[];
  /** Budget counter changes, applied in the same transaction. */
  budgets?: BudgetDelta[];
}

export interface RecordStore {
  /** Writes the whole batch in one transaction (all or nothing); resolves to the audit records, in order. */
  write(batch: RecordBatch): Promise<AuditRecord[]>;
}

/** A change to one budget counter's durable count (positive: a hold; negative: what a settle gives back). */
export interface BudgetDelta {
  agentId: string;
  /** The budget rule's key, e.g. "gmail|calls|messages.send". */
  key: string;
  /** The period's key, e.g. "2026-11-22" or "2026-11". */
  period: string;
  delta: number;
}

/**
 * The durable side of the budget ledger (limits/budget-ledger.ts). Counters are changed only
 * through RecordBatch.budgets, group-committed with decisions and audit events; this reads one
 * back when a ledger first needs it (or Redis lost it).
 */
export interface BudgetStore {
  /** Settled use plus holds not yet settled for (agent, key, period); 0 when never used. */
  count(agentId: string, key: string, period: string): Promise<number>;
}

export interface CredentialVersion {
  version: number;
  /** First 8 characters of the secret's SHA-256 (base64url): shows which secret, never the secret. */
  fingerprint: string;
  createdAt: string;
}

/** A named upstream credential as the store keeps it; the secret only ever as sealed text. */
export interface StoredCredential {
  name: string;
  tool: string;
  description: string | null;
  activeVersion: number;
  /** Oldest first. */
  versions: CredentialVersion[];
  createdAt: string;
  updatedAt: string;
}

/** A version's sealed secret (AES-256-GCM envelope, see credentials/secret-box.ts). */
export interface SealedVersion {
  name: string;
  tool: string;
  version: number;
  fingerprint: string;
  sealed: string;
}

export interface CredentialStore {
  /** Creates version 1, active. Throws StoreConflictError when the name exists. */
  create(input: {
    name: string;
    tool: string;
    description: string | null;
    fingerprint: string;
    sealed: string;
  }): Promise<StoredCredential>;
  /** Every credential, by name. */
  list(): Promise<StoredCredential[]>;
  get(name: string): Promise<StoredCredential | null>;
  /** Adds the next version and makes it active, atomically; null when the name is unknown. */
  addVersion(name: string, input: { fingerprint: string; sealed: string }): Promise<StoredCredential | null>;
  /** Makes an existing version active; null when the name or the version is unknown. */
  activate(name: string, version: number): Promise<StoredCredential | null>;
  delete(name: string): Promise<boolean>;
  /** The active version's sealed secret, read per call so a rotation applies at once. */
  active(name: string): Promise<SealedVersion | null>;
  /** Every version's sealed secret (start-up checks that the master key opens them). */
  sealedVersions(): Promise<SealedVersion[]>;
}

/** A gateway token-signing key as stored: the private JWK sealed under the master key. */
export interface StoredSigningKey {
  kid: string;
  /** AES-256-GCM envelope of the private JWK (credentials/secret-box.ts, bound to its kid); never the clear key. */
  sealedPrivateKey: string;
  createdAt: string;
  retiredAt: string | null;
  notAfter: string | null;
}

export interface SigningKeyStore {
  list(): Promise<StoredSigningKey[]>;
  /**
   * Adds `key` as the current (unretired) key unless one exists already; resolves to false
   * when another instance got there first. The store holds at most one current key.
   */
  insertFirst(key: StoredSigningKey): Promise<boolean>;
  /**
   * In one transaction: retires the current key (until `notAfter`) and adds `key` as the
   * new current one. Throws StoreConflictError when a concurrent rotation won.
   */
  rotate(key: StoredSigningKey, retiredAt: string, notAfter: string): Promise<void>;
  /** Forgets retired keys whose notAfter is before `now` (never the current key). */
  pruneRetired(now: string): Promise<number>;
}

export type ApprovalStatus = "pending" | "approved" | "denied" | "expired";

/** A request held for a person's decision (docs/approvals.md has the life cycle). */
export interface Approval {
  id: string;
  status: ApprovalStatus;
  agentId: string;
  kid: string;
  phase: "token" | "call";
  tool: string;
  action: string | null;
  scopes: string[];
  intent: string | null;
  reason: string;
  request: { method: string; path: string; bodyPreview: string | null };
  /** SHA-256 over everything the approval is bound to; never shown outside the gateway. */
  binding: string;
  ttlSeconds: number;
  createdAt: string;
  /** Pending: when it lapses. Decided: the end of the window the decision holds for. */
  expiresAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  note: string | null;
  /** Call phase: when the one request it allows went through. */
  usedAt: string | null;
}

export type NewApproval = Omit<Approval, "status" | "decidedAt" | "decidedBy" | "note" | "usedAt">;

export interface ApprovalQuery {
  status?: ApprovalStatus;
  agentId?: string;
  limit: number;
  cursor?: string;
}

export interface ApprovalStore {
  /**
   * Atomically returns the approval that governs this binding now, or opens a pending one.
   * Live means: pending and unexpired, approved and unexpired (call phase: unused), or denied
   * and unexpired. `created` tells whether `candidate` was stored; `expired` lists the lapsed
   * pending approval of this binding it marked expired on the way (for the audit trail).
   */
  openOrGet(
    candidate: NewApproval,
    nowMs: number,
  ): Promise<{ approval: Approval; created: boolean; expired: Approval[] }>;
  /** The live approval for this binding (see openOrGet), or null. */
  findLive(binding: string, nowMs: number): Promise<Approval | null>;
  get(id: string): Promise<Approval | null>;
  /** Newest first. */
  list(query: ApprovalQuery): Promise<Page<Approval>>;
  /** Decides a pending, unexpired approval; null when it is not (any more) pending. */
  decide(
    id: string,
    decision: { status: "approved" | "denied"; decidedBy: string; note: string | null; expiresAt: string },
    nowMs: number,
  ): Promise<Approval | null>;
  /**
   * Takes the one use of an approved call-phase approval (true for exactly one caller), or
   * checks that a token-phase approval is still approved and unexpired.
   */
  use(id: string, nowMs: number): Promise<boolean>;
  /** Marks pending approvals past their expiry as expired; returns them. */
  expireDue(nowMs: number): Promise<Approval[]>;
}

/** An MCP server added by the admin API (config-file servers are not stored). */
export interface StoredMcpServer {
  name: string;
  url: string;
  credential: string | null;
}

/** A pinned MCP tool definition (mcp/tool-pins.ts says what the fields mean). */
export interface StoredToolPin {
  server: string;
  tool: string;
  pinnedDigest: string;
  seenDigest: string;
  seen: { name: string; description?: string | undefined; inputSchema?: unknown; outputSchema?: unknown };
  pinnedAt: string;
  seenAt: string;
}

export interface McpStore {
  listServers(): Promise<StoredMcpServer[]>;
  getServer(name: string): Promise<StoredMcpServer | undefined>;
  /** Creates or replaces; true when it created. */
  putServer(server: StoredMcpServer, at: string): Promise<boolean>;
  /** Removes the server and its pins; false when there was none. */
  deleteServer(name: string): Promise<boolean>;
  listPins(server: string): Promise<StoredToolPin[]>;
  getPin(server: string, tool: string): Promise<StoredToolPin | undefined>;
  /** Inserts unless a pin for (server, tool) exists; returns the pin stored now (first writer wins). */
  insertPinIfAbsent(pin: StoredToolPin): Promise<StoredToolPin>;
  markPinSeen(
    server: string,
    tool: string,
    seen: StoredToolPin["seen"],
    seenDigest: string,
    at: string,
  ): Promise<void>;
  /** Pins `digest` only if it is still the digest seen last (compare-and-set); false otherwise. */
  acceptPin(server: string, tool: string, digest: string, at: string): Promise<boolean>;
}

export interface Store {
  /** "sqlite" (embedded, one machine) or "postgres" (shared by every instance). */
  readonly engine: "sqlite" | "postgres";
  readonly agents: AgentStore;
  readonly credentials: CredentialStore;
  readonly tokens: TokenStore;
  readonly decisions: DecisionStore;
  readonly audit: AuditStore;
  /** Decisions and audit events in one transaction; what the group-commit writer uses on the hot path. */
  readonly records: RecordStore;
  readonly budgets: BudgetStore;
  readonly signingKeys: SigningKeyStore;
  readonly approvals: ApprovalStore;
  readonly mcp: McpStore;
  readonly consoleSignOuts: ConsoleSignOutStore;
  /** Cheap liveness probe for /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export class StoreConflictError extends Error {
  override readonly name = "StoreConflictError";
}

/** The store's server is unreachable (PostgreSQL down, connection refused, timed out), or cannot be trusted yet. */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
  /** When to retry, if known (default 1 s). */
  readonly retryAfterSeconds: number | undefined;
  constructor(
    readonly dependency: "postgres" | "redis",
    options?: { cause?: unknown; reason?: string; retryAfterSeconds?: number },
  ) {
    super(
      options?.reason ?? `${dependency} is unreachable`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}
