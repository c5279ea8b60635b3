// Where a policy comes from: a folder of Rego (compiled at load), an
// `opa build` bundle file, or a bundle URL polled with ETag/If-None-Match.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { PolicyBundle } from "./bundle.js";
import { createFileSource } from "./sources/file-source.js";
import { createFolderSource } from "./sources/folder-source.js";
import { createUrlSource } from "./sources/url-source.js";

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

export interface PolicySourceOptions {
  /** The OPA CLI, for folder sources. */
  opaPath: () => Promise<string>;
}

/** Decides the kind of `source` (URL, folder or file) and checks it exists. Throws an Error for bad config. */
export function createPolicySource(source: string, options: PolicySourceOptions): PolicySource {
  if (typeof source !== "string" || source.trim() === "")
    throw new TypeError("policy source must be a non-empty string");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return createUrlSource(source);
  const path = resolve(source);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    throw new Error(`policy source ${path} does not exist`);
  }
  return isDirectory ? createFolderSource(path, options.opaPath) : createFileSource(path);
}
