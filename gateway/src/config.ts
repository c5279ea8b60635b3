// Configuration: one schema, parsed once at start, frozen. Nothing else reads
// process.env. Sources, later wins: defaults < config file < environment.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { loadOrCreateDevAdminToken } from "./dev/admin-token-file.js";

const positiveInt = z.number().int().positive();

/** The pinned OPA that `node scripts/setup.mjs --opa` installs (gateway/src or gateway/dist → repo root). */
const DEFAULT_OPA_PATH = fileURLToPath(
  new URL(`../../.tools/bin/${process.platform === "win32" ? "opa.exe" : "opa"}`, import.meta.url),
);

const resilienceSchema = z.strictObject({
  connectTimeoutMs: positiveInt.default(5_000),
  timeoutMs: positiveInt.default(30_000),
  retries: z.number().int().min(0).max(10).default(2),
  backoffBaseMs: positiveInt.default(200),
  backoffMaxMs: positiveInt.default(5_000),
  breakerThreshold: positiveInt.default(5),
  breakerHalfOpenAfterMs: positiveInt.default(10_000),
  cacheTtlSeconds: z.number().int().min(0).default(60),
});

const rateSchema = z.strictObject({
  /** sustained requests per window */
  points: positiveInt,
  windowSeconds: positiveInt.default(60),
  /** bucket size: how many requests may arrive at once */
  burst: positiveInt,
});

const tierSchema = z.strictObject({
  perAgent: rateSchema.default({ points: 600, windowSeconds: 60, burst: 100 }),
  perTool: rateSchema.optional(),
  /** Calls one agent may have in flight to one tool at once; more are refused (429) until one finishes. */
  concurrency: positiveInt.default(16),
  budgets: z
    .array(
      z.strictObject({
        tool: z.string(),
        /** "calls" counts calls of `action` (or all actions); "tokens" sums OpenAI usage.total_tokens */
        unit: z.enum(["calls", "tokens"]).default("calls"),
        action: z.string().optional(),
        period: z.enum(["day", "month"]),
        limit: positiveInt,
      }),
    )
    .default([]),
});

export const configSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).default(8080),
  host: z.string().min(1).default("127.0.0.1"),
  /** The URL agents use: token issuer and the @authority signatures must name. */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** More authorities (host[:port]) signatures may name, e.g. an internal name behind a proxy. */
  extraAuthorities: z.array(z.string().min(1)).default([]),
  /** Express "trust proxy" setting: false (default), true, a hop count, or a list of addresses/subnets. */
  trustProxy: z.union([z.boolean(), z.number().int().min(0), z.string(), z.array(z.string())]).default(false),
  adminToken: z.string().min(16, "must be at least 16 characters").optional(),
  dataDir: z.string().min(1).default("./data"),
  /** PostgreSQL for the store instead of the embedded SQLite file (several gateways share it). */
  database: z
    .strictObject({
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
        .optional(),
      maxConnections: positiveInt.max(1000).default(10),
    })
    .prefault({}),
  /** Redis for the hot state several gateways share: nonces, rate limits, revocations, cache invalidation. */
  redis: z
    .strictObject({
      url: z
        .string()
        .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
        .optional(),
      /** Prefix of every key and channel, so several gateway deployments can share one Redis. */
      keyPrefix: z.string().min(1).max(64).default("agentgw:"),
    })
    .prefault({}),
  /** Worker processes on this machine (node:cluster); more than 1 needs redis.url. */
  workers: positiveInt.max(256).default(1),
  /**
   * Key-encryption key (base64url, 32 bytes) for secrets at rest: upstream credentials, and signing keys in a
   * shared store. Dev mode generates one into the data dir when credentials need it.
   */
  masterKey: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, "must be 32 bytes in base64url (43 characters)")
    .optional(),
  /** Browser agents: origins allowed to call /v1/ and /.well-known/ (CORS); never the admin API. */
  cors: z
    .strictObject({
      allowedOrigins: z
        .array(
          z
            .string()
            .refine(
              (o) => o === "*" || /^https?:\/\/[^/?#\s]+$/i.test(o),
              "must be * or an origin such as https://app.example.com (scheme and host, no path)",
            ),
        )
        .default([]),
      maxAgeSeconds: z.number().int().min(0).max(86_400).default(600),
    })
    .prefault({}),
  bodyLimitBytes: positiveInt.default(1024 * 1024),
  /** A request (headers and body) must arrive within this; slow uploads are cut off. */
  requestTimeoutMs: positiveInt.max(300_000).default(30_000),
  /** Request bodies received at once, in all and per signing key (memory ≤ maxConcurrent × bodyLimitBytes). */
  uploads: z
    .strictObject({ maxConcurrent: positiveInt.default(64), maxPerCaller: positiveInt.default(8) })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    })
    .prefault({}),
  signature: z
    .strictObject({
      skewSeconds: z.number().int().min(0).max(600).default(30),
      maxAgeSeconds: positiveInt.max(3600).default(60),
      nonceCacheSize: positiveInt.default(200_000),
      /** Live nonces one agent (all its keys) may hold, so no agent can fill the replay cache for the rest. */
      nonceQuotaPerAgent: positiveInt.default(20_000),
    })
    .refine((s) => s.nonceQuotaPerAgent <= s.nonceCacheSize, {
      message: "nonceQuotaPerAgent must not exceed nonceCacheSize",
      path: ["nonceQuotaPerAgent"],
    })
    .prefault({}),
  policy: z
    .strictObject({
      source: z.string().min(1).default("policies"),
      watch: z.boolean().default(true),
      pollIntervalSeconds: positiveInt.default(30),
      /** The OPA CLI that compiles a folder of .rego (bundles need none). */
      opaPath: z.string().min(1).default(DEFAULT_OPA_PATH),
    })
    .prefault({}),
  tokens: z
    .strictObject({
      maxTtlSeconds: positiveInt.max(86_400).default(300),
      /** Private Ed25519 JWKs (JSON text) for deployments that manage signing keys outside the data dir. */
      signingKeys: z.array(z.string()).default([]),
      /** Signing keys published at once (current + retired): bounds how often keys may be rotated. */
      maxPublishedKeys: z.number().int().min(2).max(100).default(5),
    })
    .prefault({}),
  decisionLog: z
    .strictObject({
      maxBodyBytes: z.number().int().min(0).default(4096),
      /** Decisions older than this many days are removed (hourly), like the audit trail's retention. */
      retentionDays: positiveInt.default(30),
    })
    .prefault({}),
  audit: z
    .strictObject({
      retentionDays: positiveInt.default(365),
      /** How often the chain head is signed (when it moved). */
      checkpointIntervalSeconds: positiveInt.max(86_400).default(60),
      /** The Ed25519 key that signs checkpoints, kept out of the database; default <dataDir>/audit-checkpoint-key.json. */
      checkpointKeyFile: z.string().min(1).optional(),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      bearerToken: z.string().min(16).optional(),
      /** Agent ids as labels multiply series by agents: off unless asked for. */
      agentLabels: z.boolean().default(false),
      /** How often the console overview samples the key counters (it keeps the last 30 samples). */
      historyIntervalSeconds: positiveInt.max(3_600).default(60),
    })
    .prefault({}),
  rateLimits: z
    .strictObject({
      tiers: z.record(z.string(), tierSchema).default({ default: tierSchema.parse({}) }),
      unauthenticatedPerIp: rateSchema.default({ points: 60, windowSeconds: 60, burst: 30 }),
    })
    .prefault({}),
  tools: z
    .strictObject({
      openai: z
        .strictObject({
          baseUrl: z.url().default("https://api.openai.com"),
          resilience: resilienceSchema.prefault({}),
          /** Under a tokens budget: the output cap set upstream for a call that names none. */
          defaultMaxOutputTokens: positiveInt.default(4096),
          /** Under a tokens budget: tokens reserved per image or file part (their cost is not in the bytes). */
          attachmentTokens: positiveInt.default(8192),
        })
        .prefault({}),
      gmail: z
        .strictObject({
          baseUrl: z.url().default("https://gmail.googleapis.com"),
          tokenUrl: z.url().default("https://oauth2.googleapis.com/token"),
          resilience: resilienceSchema.prefault({}),
        })
        .prefault({}),
      serpapi: z
        .strictObject({
          baseUrl: z.url().default("https://serpapi.com"),
          resilience: resilienceSchema.prefault({}),
        })
        .prefault({}),
      http: z
        .strictObject({
          allowHosts: z.array(z.string().min(1)).default([]),
          allowPrivate: z.boolean().default(false),
          maxResponseBytes: positiveInt.default(5 * 1024 * 1024),
          maxRedirects: z.number().int().min(0).max(20).default(5),
          resilience: resilienceSchema.prefault({}),
        })
        .prefault({}),
    })
    .prefault({}),
  console: z
    .strictObject({
      /** Serve the admin console at /console. */
      enabled: z.boolean().default(true),
      /** How long a console sign-in lasts. */
      sessionTtlSeconds: positiveInt.max(86_400).default(7_200),
    })
    .prefault({}),
  approvals: z
    .strictObject({
      /** Pending approvals lapse after this many seconds unless the policy's approval.ttl_seconds says otherwise. */
      defaultTtlSeconds: positiveInt.max(604_800).default(900),
      /** Receives a JSON POST ({text, approval}) per new pending approval; a secret (never logged). */
      webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
    })
    .prefault({}),
  /** Upstream MCP servers (Streamable HTTP) agents reach at /v1/mcp/{name}; more can be added by the admin API. */
  mcp: z
    .strictObject({
      servers: z
        .record(
          z
            .string()
            .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "1 to 63 of a-z 0-9 _ -, starting with a letter or digit"),
          z.strictObject({
            url: z.url({ protocol: /^https?$/ }),
            /** The credential (tool mcp.<name>, secret {headers}) whose headers go upstream; default: none. */
            credential: z.string().min(1).optional(),
          }),
        )
        .default({}),
      /** Agent sessions: forgotten after idleSeconds unused; an agent's least recently used beyond maxPerAgent. */
      sessions: z
        .strictObject({
          idleSeconds: z.number().int().min(10).max(86_400).default(3600),
          maxPerAgent: z.number().int().min(1).max(10_000).default(100),
        })
        .prefault({}),
    })
    .prefault({}),
  /** A JSON file of upstream secrets ({"OPENAI_API_KEY": "…"}); env wins over it. */
  secretsFile: z.string().optional(),
});

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;

/** Upstream credentials: kept apart from the rest so nothing prints them by accident. */
export interface Secrets {
  openaiApiKey?: string;
  serpapiApiKey?: string;
  gmailClientId?: string;
  gmailClientSecret?: string;
  gmailRefreshToken?: string;
}

export const SECRET_NAMES = {
  openaiApiKey: "OPENAI_API_KEY",
  serpapiApiKey: "SERPAPI_API_KEY",
  gmailClientId: "GMAIL_CLIENT_ID",
  gmailClientSecret: "GMAIL_CLIENT_SECRET",
  gmailRefreshToken: "GMAIL_REFRESH_TOKEN",
} as const satisfies Record<keyof Secrets, string>;

export type Config = Readonly<
  Omit<ParsedConfig, "publicUrl" | "adminToken"> & {
    publicUrl: string;
    /** host[:port] values a signature's @authority may take. */
    authorities: readonly string[];
    adminToken: string;
    /** True when the admin token was generated by this start (dev mode). */
    adminTokenGenerated: boolean;
    /** Dev mode without AGENTGW_ADMIN_TOKEN: the data-dir file (0600) that keeps the token across restarts. */
    adminTokenFile?: string;
    dev: boolean;
    secrets: Readonly<Secrets>;
  }
>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export interface LoadConfigOptions {
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
}

/** Reads --config/AGENTGW_CONFIG, overlays env, validates, and freezes. Throws ConfigError naming the bad field. */
export function loadConfig({
  argv = process.argv.slice(2),
  env = process.env,
}: LoadConfigOptions = {}): Config {
  const dev = argv.includes("--dev");
  const configPath = argValue(argv, "--config") ?? env.AGENTGW_CONFIG;
  const fromFile = configPath ? readConfigFile(configPath) : {};
  const merged = deepMerge(fromFile, envOverlay(env));

  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const field = issue.path.join(".") || "(root)";
      return `  ${field}: ${issue.message}`;
    });
    throw new ConfigError(
      `invalid configuration${configPath ? ` (${configPath})` : ""}:\n${lines.join("\n")}`,
    );
  }
  const parsed = result.data;

  let adminToken = parsed.adminToken;
  let adminTokenGenerated = false;
  let adminTokenFile: string | undefined;
  if (!adminToken) {
    if (!dev) {
      throw new ConfigError(
        "invalid configuration:\n  adminToken: AGENTGW_ADMIN_TOKEN is required (or start in dev mode with --dev, which generates one)",
      );
    }
    try {
      const kept = loadOrCreateDevAdminToken(parsed.dataDir);
      adminToken = kept.token;
      adminTokenGenerated = kept.created;
      adminTokenFile = kept.file;
    } catch (error) {
      throw new ConfigError(`invalid configuration:\n  adminToken: ${(error as Error).message}`);
    }
  }

  assertSharedStateConfig(parsed);

  const publicUrl = parsed.publicUrl ?? `http://localhost:${parsed.port}`;
  const authority = authorityOf(publicUrl);
  // Dev mode only: http://localhost:8080, http://127.0.0.1:8080 and http://[::1]:8080 are the same
  // gateway to a developer, so a signature naming any of them is accepted.
  const loopbackAliases = dev ? loopbackAliasesOf(authority) : [];
  const secrets = loadSecrets(parsed.secretsFile, env);

  return deepFreeze({
    ...parsed,
    publicUrl: normalizeUrl(publicUrl),
    authorities: [
      ...new Set([authority, ...loopbackAliases, ...parsed.extraAuthorities.map((a) => a.toLowerCase())]),
    ],
    adminToken,
    adminTokenGenerated,
    ...(adminTokenFile ? { adminTokenFile } : {}),
    dev,
    secrets,
  });
}

/**
 * Several processes are only safe when they share every piece of state that guards a request;
 * refuse the combinations that would silently weaken replay, revocation or limit checks.
 */
function assertSharedStateConfig(parsed: ParsedConfig): void {
  if (parsed.workers > 1 && !parsed.redis.url) {
    throw new ConfigError(
      `invalid configuration:\n  workers: AGENTGW_WORKERS=${parsed.workers} needs AGENTGW_REDIS_URL. Without a shared Redis each worker keeps its own replay-nonce cache, rate-limit counters and caches, so a replayed request or an over-limit call could pass through another worker. Set AGENTGW_REDIS_URL, or run one worker.`,
    );
  }
  if ((parsed.database.url || parsed.workers > 1) && !parsed.masterKey) {
    throw new ConfigError(
      `invalid configuration:\n  masterKey: AGENTGW_MASTER_KEY is required with ${parsed.database.url ? "AGENTGW_DATABASE_URL" : "AGENTGW_WORKERS > 1"}: the token signing keys every process shares are kept in the store, encrypted under it (generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")`,
    );
  }
}

/** Origin plus path, lower-cased host, default port dropped, no trailing slash. */
function normalizeUrl(url: string): string {
  const u = new URL(url);
  return (u.origin + u.pathname).replace(/\/+$/, "");
}

function loopbackAliasesOf(authority: string): string[] {
  const match = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.exec(authority);
  if (!match) return [];
  const port = match[2] ?? "";
  return ["localhost", "127.0.0.1", "[::1]"].map((host) => host + port).filter((a) => a !== authority);
}

/** RFC 9421 §2.2.3: lower-cased host, default port omitted. */
export function authorityOf(url: string): string {
  const u = new URL(url);
  return u.host.toLowerCase();
}

function envOverlay(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const set = (path: string[], value: unknown) => {
    let node = out;
    for (const key of path.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[path.at(-1)!] = value;
  };
  const num = (name: string, raw: string) => {
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n))
      throw new ConfigError(`invalid configuration:\n  ${name}: not a number: ${JSON.stringify(raw)}`);
    return n;
  };
  const list = (raw: string) =>
    raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  const bool = (raw: string) => raw === "1" || raw.toLowerCase() === "true";

  if (env.PORT) set(["port"], num("PORT", env.PORT));
  if (env.HOST) set(["host"], env.HOST);
  if (env.AGENTGW_PUBLIC_URL) set(["publicUrl"], env.AGENTGW_PUBLIC_URL);
  if (env.AGENTGW_ADMIN_TOKEN) set(["adminToken"], env.AGENTGW_ADMIN_TOKEN);
  if (env.AGENTGW_DATA_DIR) set(["dataDir"], env.AGENTGW_DATA_DIR);
  if (env.AGENTGW_DATABASE_URL) set(["database", "url"], env.AGENTGW_DATABASE_URL);
  if (env.AGENTGW_REDIS_URL) set(["redis", "url"], env.AGENTGW_REDIS_URL);
  if (env.AGENTGW_REDIS_KEY_PREFIX) set(["redis", "keyPrefix"], env.AGENTGW_REDIS_KEY_PREFIX);
  if (env.AGENTGW_WORKERS) set(["workers"], num("AGENTGW_WORKERS", env.AGENTGW_WORKERS));
  if (env.AGENTGW_MASTER_KEY) set(["masterKey"], env.AGENTGW_MASTER_KEY);
  if (env.AGENTGW_POLICY) set(["policy", "source"], env.AGENTGW_POLICY);
  if (env.AGENTGW_OPA_PATH) set(["policy", "opaPath"], env.AGENTGW_OPA_PATH);
  if (env.AGENTGW_LOG_LEVEL) set(["log", "level"], env.AGENTGW_LOG_LEVEL);
  if (env.AGENTGW_TRUST_PROXY) set(["trustProxy"], parseTrustProxy(env.AGENTGW_TRUST_PROXY));
  if (env.AGENTGW_AUDIT_CHECKPOINT_KEY_FILE)
    set(["audit", "checkpointKeyFile"], env.AGENTGW_AUDIT_CHECKPOINT_KEY_FILE);
  if (env.AGENTGW_REQUEST_TIMEOUT_MS)
    set(["requestTimeoutMs"], num("AGENTGW_REQUEST_TIMEOUT_MS", env.AGENTGW_REQUEST_TIMEOUT_MS));
  if (env.AGENTGW_BODY_LIMIT_BYTES)
    set(["bodyLimitBytes"], num("AGENTGW_BODY_LIMIT_BYTES", env.AGENTGW_BODY_LIMIT_BYTES));
  if (env.AGENTGW_APPROVAL_WEBHOOK_URL) set(["approvals", "webhookUrl"], env.AGENTGW_APPROVAL_WEBHOOK_URL);
  if (env.AGENTGW_METRICS_TOKEN) set(["metrics", "bearerToken"], env.AGENTGW_METRICS_TOKEN);
  if (env.AGENTGW_SECRETS_FILE) set(["secretsFile"], env.AGENTGW_SECRETS_FILE);
  if (env.AGENTGW_SIGNING_KEYS) set(["tokens", "signingKeys"], [env.AGENTGW_SIGNING_KEYS]);
  if (env.AGENTGW_OPENAI_BASE_URL) set(["tools", "openai", "baseUrl"], env.AGENTGW_OPENAI_BASE_URL);
  if (env.AGENTGW_GMAIL_BASE_URL) set(["tools", "gmail", "baseUrl"], env.AGENTGW_GMAIL_BASE_URL);
  if (env.AGENTGW_GMAIL_TOKEN_URL) set(["tools", "gmail", "tokenUrl"], env.AGENTGW_GMAIL_TOKEN_URL);
  if (env.AGENTGW_SERPAPI_BASE_URL) set(["tools", "serpapi", "baseUrl"], env.AGENTGW_SERPAPI_BASE_URL);
  if (env.AGENTGW_CORS_ORIGINS !== undefined) set(["cors", "allowedOrigins"], list(env.AGENTGW_CORS_ORIGINS));
  if (env.AGENTGW_HTTP_ALLOW_HOSTS !== undefined)
    set(["tools", "http", "allowHosts"], list(env.AGENTGW_HTTP_ALLOW_HOSTS));
  if (env.AGENTGW_HTTP_ALLOW_PRIVATE)
    set(["tools", "http", "allowPrivate"], bool(env.AGENTGW_HTTP_ALLOW_PRIVATE));
  return out;
}

function parseTrustProxy(raw: string): boolean | number | string {
  if (raw === "true" || raw === "false") return raw === "true";
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}

function loadSecrets(file: string | undefined, env: Readonly<Record<string, string | undefined>>): Secrets {
  let fromFile: Record<string, unknown> = {};
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(resolve(file), "utf8")) as Record<string, unknown>;
    } catch (error) {
      // Say which file and why, never what it held.
      throw new ConfigError(
        `invalid configuration:\n  secretsFile: cannot read ${file} as JSON (${(error as Error).name})`,
      );
    }
  }
  const secrets: Secrets = {};
  for (const [field, name] of Object.entries(SECRET_NAMES) as Array<[keyof Secrets, string]>) {
    const value = env[name] ?? fromFile[name];
    if (typeof value === "string" && value !== "") secrets[field] = value;
  }
  return secrets;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(resolve(path), "utf8");
  } catch (error) {
    throw new ConfigError(
      `cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
    );
  }
  try {
    const value: unknown = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new Error("top level must be an object");
    }
    return value as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`cannot parse config file ${path}: ${(error as Error).message}`);
  }
}

function argValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  if (i >= 0) return argv[i + 1];
  const inline = argv.find((a) => a.startsWith(`${flag}=`));
  return inline?.slice(flag.length + 1);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
