// Where a policy comes from: a folder of Rego (compiled at load), an
// `opa build` bundle file, or a bundle URL polled with ETag/If-None-Match.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { createFileSource } from "./file-source.js";
import { createFolderSource } from "./folder-source.js";
import type { PolicySource } from "./types.js";
import { createUrlSource } from "./url-source.js";

export interface PolicySourceOptions {
  /** The OPA CLI that compiles folder sources (config `policy.opaPath`). */
  opaPath: string;
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
