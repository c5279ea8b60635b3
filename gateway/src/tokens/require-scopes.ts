import { GatewayError } from "../errors.js";

/** Throws scope_missing naming what `held` lacks of `needed`; `whose` says whose scopes they are. */
export function requireScopes(held: readonly string[], needed: readonly string[], whose: string): void {
  const missing = needed.filter((scope) => !held.includes(scope));
  if (missing.length > 0) {
    throw new GatewayError(
      "scope_missing",
      `${whose} lacks the scope${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
      { extensions: { missingScopes: missing } },
    );
  }
}
