// The public key an admin command registers: from --public-key (base64url or OKP JWK, checked
// by the SDK as the gateway checks it) or derived from the agent's private key file.
import { parsePublicKey, toBase64Url } from "@agentgw/sdk";
import { loadAgentKey } from "./agent-client.js";
import { UsageError } from "./errors.js";
import type { CliIo } from "./io.js";
import type { Output } from "./output.js";

export async function publicKeyFrom(
  io: CliIo,
  out: Output,
  opts: { key?: unknown; publicKey?: unknown },
): Promise<string> {
  if (opts.key !== undefined && opts.publicKey !== undefined) {
    throw new UsageError("pass either --key FILE or --public-key B64URL, not both");
  }
  if (typeof opts.publicKey === "string") {
    try {
      return toBase64Url(parsePublicKey(opts.publicKey));
    } catch (error) {
      throw new UsageError(`--public-key: ${(error as Error).message}`);
    }
  }
  if (typeof opts.key !== "string") throw new UsageError("pass --key FILE or --public-key B64URL");
  return toBase64Url((await loadAgentKey(io, out, opts.key)).publicKey);
}
