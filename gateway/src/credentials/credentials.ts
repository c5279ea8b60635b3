// Named, versioned upstream credentials: what the admin API changes and what a
// connector reads on every call. The active version is read from the store per
// call, so a rotation (or a roll back) applies to the next call on every
// gateway sharing the store, without a restart. Opened secrets are cached by
// (name, version, fingerprint) only to skip decryption; they never leave this
// module except to the connector making the call. Versions this process has
// opened stay known until their credential is deleted, so an upstream echoing
// an older key still has it scrubbed.
import { GatewayError } from "../errors.js";
import type { CredentialStore, StoredCredential } from "../store/types.js";
import { StoreConflictError } from "../store/types.js";
import type { CredentialSource } from "../tools/credential-source.js";
import type { SecretBox } from "./secret-box.js";
import { fingerprintOf, secretShapeFor, secretValues } from "./secret-shapes.js";

/** The credential as the admin API shows it: never the secret. */
export interface CredentialView {
  name: string;
  tool: string;
  /** The newest version. */
  version: number;
  versions: StoredCredential["versions"];
  /** The version calls use now. */
  activeVersion: number;
  /** The active version's fingerprint. */
  fingerprint: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ResolvedCredential<S = unknown> {
  name: string;
  version: number;
  fingerprint: string;
  secret: S;
}

export interface Credentials {
  /** False when no master key is configured (credentials cannot be stored or opened). */
  readonly enabled: boolean;
  list(): Promise<CredentialView[]>;
  get(name: string): Promise<CredentialView>;
  create(input: {
    name: string;
    tool: string;
    secret: unknown;
    description?: string | null;
  }): Promise<CredentialView>;
  rotate(name: string, secret: unknown): Promise<CredentialView>;
  activate(name: string, version: number): Promise<CredentialView>;
  delete(name: string): Promise<CredentialView>;
  /** The active secret of `name` (default: the credential named like the tool) for a call to `tool`. */
  resolve<S>(tool: string, name?: string): Promise<ResolvedCredential<S>>;
  /** Sync view for tool listings: does any credential of this tool exist (as of the last refresh)? */
  hasAny(tool: string): boolean;
  /** Names of the tool's credentials as of the last refresh. */
  namesOf(tool: string): string[];
  /** Every secret value of the tool's credentials this process has opened: scrubbed from upstream answers. */
  knownSecrets(tool: string): string[];
  /** Re-reads the credential index (another gateway on a shared store may have changed it). */
  refresh(): Promise<void>;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const CREDENTIAL_NAME_RULE = "1 to 64 of a-z 0-9 . _ -, starting with a letter or digit";

function toView(stored: StoredCredential): CredentialView {
  const active = stored.versions.find((v) => v.version === stored.activeVersion);
  return {
    name: stored.name,
    tool: stored.tool,
    version: stored.versions.at(-1)?.version ?? stored.activeVersion,
    versions: stored.versions,
    activeVersion: stored.activeVersion,
    fingerprint: active?.fingerprint ?? "",
    description: stored.description,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
  };
}

/** Binds a ciphertext to its credential: a sealed row copied onto another name or tool does not open. */
export const associatedDataOf = (name: string, tool: string) => `${name}\0${tool}`;

export interface CredentialsOptions {
  store: CredentialStore;
  /** null when no master key is configured: listing works, storing and using do not. */
  box: SecretBox | null;
  /** Tool names whose credentials are known (the catalogue); MCP tools (mcp.<name>) are accepted too. */
  isTool: (tool: string) => boolean;
  onOpenFailure?: (info: { name: string; version: number; reason: string }) => void;
}

export function createCredentials({ store, box, isTool, onOpenFailure }: CredentialsOptions): Credentials {
  const opened = new Map<string, { tool: string; secret: unknown }>();
  let byTool = new Map<string, string[]>();

  function requireBox(): SecretBox {
    if (!box)
      throw new GatewayError(
        "not_ready",
        "credentials cannot be stored or used: this gateway has no master key (set AGENTGW_MASTER_KEY)",
      );
    return box;
  }

  function validName(name: string): void {
    if (!NAME.test(name)) throw new GatewayError("invalid_request", `name: must be ${CREDENTIAL_NAME_RULE}`);
  }

  /** Validates against the tool's shape; errors name the field, never echo the value. */
  function checkedSecret(tool: string, secret: unknown): unknown {
    const shape = secretShapeFor(tool);
    if (!shape) throw new GatewayError("invalid_request", `tool: the ${tool} tool takes no credential`);
    const result = shape.safeParse(secret);
    if (!result.success) {
      const errors = result.error.issues.map((issue) => ({
        field: ["body", "secret", ...issue.path.map(String)].join("."),
        message: issue.code === "unrecognized_keys" ? "unknown member" : issue.message,
      }));
      throw new GatewayError("invalid_request", `${errors[0]!.field}: ${errors[0]!.message}`, {
        extensions: { errors },
      });
    }
    return result.data;
  }

  async function stored(name: string): Promise<StoredCredential> {
    const found = await store.get(name);
    if (!found) throw new GatewayError("not_found", `no credential ${name}`);
    return found;
  }

  function forget(name: string): void {
    for (const key of opened.keys()) if (key.startsWith(`${name}\0`)) opened.delete(key);
  }

  async function refresh(): Promise<void> {
    const index = new Map<string, string[]>();
    const names = new Set<string>();
    for (const credential of await store.list()) {
      names.add(credential.name);
      index.set(credential.tool, [...(index.get(credential.tool) ?? []), credential.name]);
    }
    byTool = index;
    for (const key of opened.keys()) if (!names.has(key.split("\0")[0]!)) opened.delete(key);
  }

  return {
    enabled: box !== null,

    async list() {
      return (await store.list()).map(toView);
    },

    async get(name) {
      return toView(await stored(name));
    },

    async create({ name, tool, secret, description = null }) {
      validName(name);
      if (!isTool(tool)) throw new GatewayError("invalid_request", `tool: no tool ${tool}`);
      // The credential named like a tool is that tool's default: it must be for that tool.
      if (isTool(name) && name !== tool)
        throw new GatewayError(
          "invalid_request",
          `name: ${name} is the ${name} tool's default credential name`,
        );
      const value = checkedSecret(tool, secret);
      const sealer = requireBox();
      try {
        const created = await store.create({
          name,
          tool,
          description,
          fingerprint: fingerprintOf(value),
          sealed: sealer.seal(JSON.stringify(value), associatedDataOf(name, tool)),
        });
        await refresh();
        return toView(created);
      } catch (error) {
        if (error instanceof StoreConflictError)
          throw new GatewayError("conflict", `credential ${name} exists`);
        throw error;
      }
    },

    async rotate(name, secret) {
      const current = await stored(name);
      const value = checkedSecret(current.tool, secret);
      const sealer = requireBox();
      const next = await store.addVersion(name, {
        fingerprint: fingerprintOf(value),
        sealed: sealer.seal(JSON.stringify(value), associatedDataOf(name, current.tool)),
      });
      if (!next) throw new GatewayError("not_found", `no credential ${name}`);
      return toView(next);
    },

    async activate(name, version) {
      await stored(name);
      const next = await store.activate(name, version);
      if (!next) throw new GatewayError("not_found", `credential ${name} has no version ${version}`);
      return toView(next);
    },

    async delete(name) {
      const current = await stored(name);
      if (!(await store.delete(name))) throw new GatewayError("not_found", `no credential ${name}`);
      forget(name);
      await refresh();
      return toView(current);
    },

    async resolve<S>(tool: string, name = tool): Promise<ResolvedCredential<S>> {
      const sealer = box;
      const active = sealer ? await store.active(name) : null;
      if (!sealer || !active) {
        const others = byTool.get(tool)?.filter((n) => n !== name) ?? [];
        throw new GatewayError(
          "upstream_unavailable",
          name === tool
            ? `the ${tool} tool has no credential named ${tool} on this gateway${others.length ? " (the policy chose none of the others)" : ""}`
            : `the credential ${name} chosen for this call does not exist`,
        );
      }
      if (active.tool !== tool)
        throw new GatewayError(
          "upstream_unavailable",
          `the credential ${name} is not a credential of the ${tool} tool`,
        );
      const cacheKey = `${name}\0${active.version}\0${active.fingerprint}`;
      let hit = opened.get(cacheKey);
      if (!hit) {
        let secret: unknown;
        try {
          secret = JSON.parse(sealer.open(active.sealed, associatedDataOf(name, active.tool)));
        } catch (error) {
          onOpenFailure?.({ name, version: active.version, reason: (error as Error).message });
          throw new GatewayError(
            "upstream_unavailable",
            `the credential ${name} cannot be opened on this gateway`,
          );
        }
        hit = { tool: active.tool, secret };
        opened.set(cacheKey, hit);
      }
      return { name, version: active.version, fingerprint: active.fingerprint, secret: hit.secret as S };
    },

    hasAny(tool) {
      return (byTool.get(tool)?.length ?? 0) > 0;
    },

    namesOf(tool) {
      return [...(byTool.get(tool) ?? [])];
    },

    knownSecrets(tool) {
      const values: string[] = [];
      for (const entry of opened.values())
        if (entry.tool === tool) values.push(...secretValues(entry.secret));
      return values;
    },

    refresh,
  };
}

/** A connector's view of one tool's credentials. */
export function credentialSourceFor<S>(credentials: Credentials, tool: string): CredentialSource<S> {
  return {
    available: () => credentials.hasAny(tool),
    resolve: (name) => credentials.resolve<S>(tool, name),
    knownSecrets: () => credentials.knownSecrets(tool),
  };
}
