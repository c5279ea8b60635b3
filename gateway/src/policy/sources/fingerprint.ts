import { createHash } from "node:crypto";

/** "sha256:" and 16 hex digits: short, stable, and enough to tell bundles apart. */
export function contentHash(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}`;
}
