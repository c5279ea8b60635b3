// How a connector gets its upstream secret: per call, by credential name (the
// policy's `credential` obligation, else the credential named like the tool).
import type { Obligations } from "../policy/types.js";
import { notConfigured } from "./not-configured.js";

export interface CredentialSource<S> {
  /** Sync, for tool listings: whether any credential of this tool exists. */
  available(): boolean;
  /** The active secret of `name` (default: the tool's own credential); throws upstream_unavailable. */
  resolve(name: string | undefined): Promise<{ name: string; version: number; secret: S }>;
  /** Every secret value of this tool's credentials in use: scrubbed from upstream answers. */
  knownSecrets(): readonly string[];
}

/** The credential a call uses: the one the policy chose, else the tool's default. */
export function credentialNameOf(obligations: Obligations): string | undefined {
  return typeof obligations.credential === "string" ? obligations.credential : undefined;
}

/** One fixed secret (connector tests, or a tool built without a credential store). */
export function staticCredential<S>(tool: string, secret: NoInfer<S> | undefined): CredentialSource<S> {
  const values = (value: unknown): string[] =>
    typeof value === "string"
      ? [value]
      : typeof value === "object" && value !== null
        ? Object.values(value).flatMap(values)
        : [];
  return {
    available: () => secret !== undefined,
    async resolve(name) {
      if (secret === undefined || (name !== undefined && name !== tool)) throw notConfigured(tool);
      return { name: tool, version: 1, secret };
    },
    knownSecrets: () => values(secret).filter((v) => v.length >= 4),
  };
}
