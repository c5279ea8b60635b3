// Reads an `opa build -t wasm` bundle (a gzipped tarball whose members have
// absolute names: /policy.wasm, /data.json, /.manifest) from memory. The SDK
// cannot load bundles itself (npm-opa-wasm issue #300).
import { Parser, type ReadEntry } from "tar";
import { policyInvalid } from "./policy-invalid.js";

export interface PolicyBundle {
  wasm: Uint8Array;
  data: Record<string, unknown>;
  /** The manifest's revision; "" when the bundle has none. */
  revision: string;
}

/** A bundle larger than this is refused before it is unpacked any further. */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

const WANTED = new Set(["policy.wasm", "data.json", ".manifest"]);

/** "/policy.wasm", "policy.wasm" and "./policy.wasm" all name the same member. */
function memberName(path: string): string {
  return path.replace(/^(\.?\/)+/, "");
}

async function readMembers(bytes: Uint8Array): Promise<Map<string, Buffer>> {
  const members = new Map<string, Buffer>();
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({ strict: true });
    parser.on("entry", (entry: ReadEntry) => {
      const name = memberName(entry.path);
      if (entry.type !== "File" || !WANTED.has(name)) {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on("data", (chunk: Buffer) => {
        total += chunk.length;
        if (total > MAX_BUNDLE_BYTES) parser.abort(new Error("bundle is too large"));
        else chunks.push(chunk);
      });
      entry.on("end", () => members.set(name, Buffer.concat(chunks)));
    });
    parser.on("error", reject);
    parser.on("abort", reject);
    parser.on("end", () => resolve());
    parser.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
  return members;
}

function parseJson(text: Buffer, what: string): unknown {
  try {
    return JSON.parse(text.toString("utf8"));
  } catch {
    throw policyInvalid(`the bundle's ${what} is not valid JSON`, [{ message: `invalid JSON`, file: what }]);
  }
}

export async function readBundle(bytes: Uint8Array): Promise<PolicyBundle> {
  if (bytes.byteLength > MAX_BUNDLE_BYTES) throw policyInvalid("the bundle is too large", []);
  let members: Map<string, Buffer>;
  try {
    members = await readMembers(bytes);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw policyInvalid(`the bundle could not be read: ${message}`, []);
  }
  const wasm = members.get("policy.wasm");
  if (!wasm) {
    throw policyInvalid(
      "the bundle has no /policy.wasm (build it with opa build -t wasm -e agentgw/decision)",
      [],
    );
  }
  const dataText = members.get("data.json");
  const data = dataText ? parseJson(dataText, "/data.json") : {};
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw policyInvalid("the bundle's /data.json must hold a JSON object", [
      { message: "not an object", file: "/data.json" },
    ]);
  }
  const manifestText = members.get(".manifest");
  const manifest = manifestText ? parseJson(manifestText, "/.manifest") : {};
  const revision =
    typeof manifest === "object" &&
    manifest !== null &&
    "revision" in manifest &&
    typeof manifest.revision === "string"
      ? manifest.revision
      : "";
  return { wasm, data: data as Record<string, unknown>, revision };
}
