// Start-up: find the master key, check it opens what the store holds, seed the
// env variables' credentials, and say per tool whether it can be called.
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { Store } from "../store/types.js";
import { TOOL_CATALOG } from "../tools/catalog.js";
import { associatedDataOf, type Credentials, createCredentials } from "./credentials.js";
import { applyEnvSeed, envSeeds, seedVariablesOf } from "./env-seed.js";
import { loadMasterKey } from "./master-key.js";
import { createSecretBox, type SecretBox } from "./secret-box.js";
import { MCP_TOOL } from "./secret-shapes.js";

export class CredentialStartupError extends Error {
  override readonly name = "CredentialStartupError";
}

export interface OpenCredentialsOptions {
  config: Pick<Config, "masterKey" | "dataDir" | "dev" | "secrets">;
  store: Store;
  logger: Logger;
  now?: () => Date;
}

const isTool = (tool: string) => TOOL_CATALOG.some((t) => t.name === tool) || MCP_TOOL.test(tool);

export async function openCredentials({
  config,
  store,
  logger,
  now = () => new Date(),
}: OpenCredentialsOptions): Promise<Credentials> {
  const log = logger.child({ component: "credentials" });
  const masterKey = loadMasterKey({ configured: config.masterKey, dataDir: config.dataDir, dev: config.dev });
  const seeds = envSeeds(config.secrets);
  let box: SecretBox | null = null;

  if (!masterKey) {
    const stored = await store.credentials.list();
    const seeding = seeds.filter((s) => s.secret).flatMap((s) => s.set);
    if (stored.length > 0 || seeding.length > 0) {
      throw new CredentialStartupError(
        `AGENTGW_MASTER_KEY is required: ${
          stored.length > 0
            ? `the store holds ${stored.length} sealed credential(s)`
            : `${seeding.join(", ")} would be stored as credentials`
        }, and secrets are only kept encrypted under a master key (32 random bytes, base64url: ` +
          `node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")`,
      );
    }
    log.warn(
      "no master key (AGENTGW_MASTER_KEY): upstream credentials cannot be stored; tools that need one are unavailable",
    );
  } else {
    box = createSecretBox(masterKey.key);
    masterKey.key.fill(0);
    log.info(
      { kekId: box.kekId, source: masterKey.source, ...(masterKey.file ? { file: masterKey.file } : {}) },
      masterKey.source === "generated" ? "master key generated (dev mode)" : "master key loaded",
    );
    await checkSealedVersions(store, box, log);
  }

  const credentials = createCredentials({
    store: store.credentials,
    box,
    isTool,
    onOpenFailure: (info) => log.error(info, "a stored credential does not open"),
  });

  for (const seed of seeds) {
    if (!seed.secret) continue;
    const outcome = await applyEnvSeed(
      { ...seed, secret: seed.secret },
      { credentials, store: store.credentials },
    );
    if (outcome === "unchanged") continue;
    const view = await credentials.get(seed.tool);
    if (outcome === "older") {
      log.warn(
        { credential: seed.tool, variables: seed.set, activeVersion: view.activeVersion },
        "the env variables hold an older version of this credential; the version an admin activated stays in use",
      );
      continue;
    }
    await store.audit.append({
      time: now().toISOString(),
      actor: "env",
      action: outcome === "created" ? "credential.created" : "credential.rotated",
      target: seed.tool,
      requestId: null,
      traceId: null,
      details: {
        tool: seed.tool,
        version: view.activeVersion,
        fingerprint: view.fingerprint,
        from: seed.set,
      },
    });
  }
  await credentials.refresh();
  return credentials;
}

/** Refuses to start on another master key's values; a single value that does not open is logged. */
async function checkSealedVersions(store: Store, box: SecretBox, log: Logger): Promise<void> {
  const foreign = new Set<string>();
  for (const sealed of await store.credentials.sealedVersions()) {
    const kekId = sealed.sealed.split(".")[1] ?? "";
    if (kekId !== box.kekId) {
      foreign.add(kekId);
      continue;
    }
    try {
      box.open(sealed.sealed, associatedDataOf(sealed.name, sealed.tool));
    } catch {
      log.error(
        { credential: sealed.name, version: sealed.version },
        "a stored credential version does not open",
      );
    }
  }
  if (foreign.size > 0) {
    throw new CredentialStartupError(
      `the stored credentials were sealed under another master key (id ${[...foreign].join(", ")}; ` +
        `this key is ${box.kekId}): start with the AGENTGW_MASTER_KEY they were stored with`,
    );
  }
}

/** One line per tool at start: available (and with which credential), or what is missing. */
export async function logToolAvailability(
  logger: Logger,
  deps: {
    credentials: Credentials;
    secrets: Config["secrets"];
    connectors: ReadonlyMap<string, { available(): boolean }>;
    httpAllowHosts: readonly string[];
  },
): Promise<void> {
  const log = logger.child({ component: "tools" });
  const partial = new Map(envSeeds(deps.secrets).map((s) => [s.tool, s.missing]));
  for (const name of deps.connectors.keys()) {
    if (name === "http") {
      log.info(
        { tool: name, available: true, allowHosts: deps.httpAllowHosts },
        deps.httpAllowHosts.length
          ? "tool available"
          : "tool available, but no host is allow-listed (AGENTGW_HTTP_ALLOW_HOSTS): every fetch is refused",
      );
      continue;
    }
    const names = deps.credentials.namesOf(name);
    if (names.includes(name)) {
      const view = await deps.credentials.get(name);
      log.info(
        {
          tool: name,
          available: true,
          credential: name,
          version: view.activeVersion,
          fingerprint: view.fingerprint,
          ...(names.length > 1 ? { others: names.filter((n) => n !== name) } : {}),
        },
        "tool available",
      );
      continue;
    }
    const missingVars = partial.get(name)?.length ? partial.get(name)! : seedVariablesOf(name);
    const how = `set ${missingVars.join(", ")} or POST /admin/credentials {"name":"${name}","tool":"${name}",…}`;
    if (names.length > 0) {
      log.warn(
        { tool: name, available: true, credentials: names, missing: `credential ${name}` },
        `tool available only through a policy's credential obligation: no credential named ${name} (${how})`,
      );
    } else {
      log.warn(
        { tool: name, available: false, missing: missingVars },
        `tool unavailable: no credential named ${name} (${how})`,
      );
    }
  }
}
