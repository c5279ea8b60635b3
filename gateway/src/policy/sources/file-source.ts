import { readFile } from "node:fs/promises";
import { readBundle } from "../bundle.js";
import { contentHash } from "./fingerprint.js";
import type { PolicySource } from "./types.js";

/** A bundle.tar.gz on disk, re-read on every reload. */
export function createFileSource(path: string): PolicySource {
  return {
    kind: "file",
    description: path,
    async load(current) {
      const bytes = await readFile(path);
      const fingerprint = contentHash(bytes);
      if (current?.fingerprint === fingerprint) return null;
      const bundle = await readBundle(bytes);
      return { bundle, fingerprint, revision: bundle.revision || fingerprint };
    },
  };
}
