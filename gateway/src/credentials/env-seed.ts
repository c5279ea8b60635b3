// Env variables (and the secrets file) seed a credential named like the tool at
// start, so `OPENAI_API_KEY=… npm start` keeps working. The rules, so a restart
// never undoes an admin's rotation:
//   - no credential of that name yet          → created from the variables (version 1);
//   - the variables hold the active secret    → nothing to do;
//   - they hold an older version's secret     → left alone (an admin rotated since), with a warning;
//   - they hold a secret never stored before  → added as a new version and made active (the operator
//                                               changed the variable: that is a rotation).
import { SECRET_NAMES, type Secrets } from "../config.js";
import type { CredentialStore } from "../store/types.js";
import type { Credentials } from "./credentials.js";
import { fingerprintOf } from "./secret-shapes.js";

export interface EnvSeed {
  tool: string;
  /** The secret the variables give, when complete. */
  secret?: Record<string, string>;
  /** Variables that are set, and those still missing (a partial set seeds nothing). */
  set: string[];
  missing: string[];
}

const SEEDS: Record<string, Record<string, keyof Secrets>> = {
  openai: { apiKey: "openaiApiKey" },
  serpapi: { apiKey: "serpapiApiKey" },
  gmail: { clientId: "gmailClientId", clientSecret: "gmailClientSecret", refreshToken: "gmailRefreshToken" },
};

/** What the configured variables give per tool (only tools with at least one variable set). */
export function envSeeds(secrets: Readonly<Secrets>): EnvSeed[] {
  const seeds: EnvSeed[] = [];
  for (const [tool, fields] of Object.entries(SEEDS)) {
    const secret: Record<string, string> = {};
    const set: string[] = [];
    const missing: string[] = [];
    for (const [member, field] of Object.entries(fields)) {
      const value = secrets[field];
      if (value) {
        secret[member] = value;
        set.push(SECRET_NAMES[field]);
      } else missing.push(SECRET_NAMES[field]);
    }
    if (set.length === 0) continue;
    seeds.push({ tool, set, missing, ...(missing.length === 0 ? { secret } : {}) });
  }
  return seeds;
}

/** The variables that would seed a tool's default credential (for "what is missing" messages). */
export function seedVariablesOf(tool: string): string[] {
  return Object.values(SEEDS[tool] ?? {}).map((field) => SECRET_NAMES[field]);
}

export type SeedOutcome = "created" | "unchanged" | "rotated" | "older";

export async function applyEnvSeed(
  seed: EnvSeed & { secret: Record<string, string> },
  deps: { credentials: Credentials; store: Pick<CredentialStore, "get"> },
): Promise<SeedOutcome> {
  const existing = await deps.store.get(seed.tool);
  if (!existing) {
    await deps.credentials.create({
      name: seed.tool,
      tool: seed.tool,
      secret: seed.secret,
      description: `seeded from ${seed.set.join(", ")}`,
    });
    return "created";
  }
  const fingerprint = fingerprintOf(seed.secret);
  const active = existing.versions.find((v) => v.version === existing.activeVersion);
  if (active?.fingerprint === fingerprint) return "unchanged";
  if (existing.versions.some((v) => v.fingerprint === fingerprint)) return "older";
  await deps.credentials.rotate(seed.tool, seed.secret);
  return "rotated";
}
