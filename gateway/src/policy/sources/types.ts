// What every policy source (folder, bundle file, bundle URL) gives the engine.
import type { PolicyBundle } from "../bundle.js";

/** What identifies the policy now serving, so a source can say "unchanged". */
export interface SourceVersion {
  /** A hash of the policy's content. */
  fingerprint: string;
  /** The HTTP ETag it was served with, if any. */
  etag?: string;
}

export interface SourcePolicy extends SourceVersion {
  bundle: PolicyBundle;
  /** The manifest revision, or "sha256:…" of the content when the manifest has none. */
  revision: string;
}

export interface PolicySource {
  readonly kind: "folder" | "file" | "url";
  /** Safe to show admins and logs (a URL without credentials or query). */
  readonly description: string;
  /** The current policy, or null when it is the one `current` identifies. */
  load(current: SourceVersion | null): Promise<SourcePolicy | null>;
  /** Folder sources only: the paths whose changes mean "reload". */
  readonly watchPath?: string;
}
