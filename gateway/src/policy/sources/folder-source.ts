import { readBundle } from "../bundle.js";
import { compileFolder, contentRevision, listPolicyFiles } from "../compile.js";
import type { PolicySource } from "./types.js";

/**
 * A folder of .rego files (and data.json), compiled with `opa build` at each
 * load. Its revision is a hash of the sources, so an unchanged folder is not
 * compiled again.
 */
export function createFolderSource(folder: string, opaPath: string): PolicySource {
  return {
    kind: "folder",
    description: folder,
    watchPath: folder,
    async load(current) {
      const files = await listPolicyFiles(folder);
      if (current && current.fingerprint === (await contentRevision(folder, files))) return null;
      const { bundle: bytes, revision } = await compileFolder(folder, opaPath);
      const bundle = await readBundle(bytes);
      return { bundle, fingerprint: revision, revision: bundle.revision || revision };
    },
  };
}
