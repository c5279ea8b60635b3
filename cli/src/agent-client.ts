// The agent side: the key file and an SDK client that signs with it. Signing, token requests,
// the token cache and the retry on a refused token are the SDK's; this only wires them up.
import { readFile, stat } from "node:fs/promises";
import { AgentGateway, type AgentKeyPair, keyPairFromJwk, type ToolTokenStore } from "@agentgw/sdk";
import { keyPairFromPem } from "@agentgw/sdk/node";
import { UsageError } from "./errors.js";
import type { CliIo } from "./io.js";
import type { Output } from "./output.js";
import { DEFAULT_KEY_FILE, userPath } from "./settings.js";

/** Reads a private key file: PKCS#8 PEM (as keygen writes it) or a private OKP JWK (JSON). */
export async function loadAgentKey(io: CliIo, out: Output, file: string | undefined): Promise<AgentKeyPair> {
  const path = userPath(io, file ?? DEFAULT_KEY_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new UsageError(
      `key file ${file ?? DEFAULT_KEY_FILE} not found: run "agentgw keygen" or pass --key FILE`,
    );
  }
  const mode = (await stat(path)).mode;
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    out.warn(`key file ${path} can be read by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  }
  try {
    if (text.trimStart().startsWith("{")) return await keyPairFromJwk(JSON.parse(text));
    return await keyPairFromPem(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`key file ${path} is not an Ed25519 private key: ${reason}`);
  }
}

export function agentGateway(
  io: CliIo,
  url: URL,
  key: AgentKeyPair,
  tokenStore?: ToolTokenStore,
): AgentGateway {
  return new AgentGateway({
    baseUrl: url,
    key,
    fetch: io.fetch,
    ...(tokenStore ? { tokenStore } : {}),
  });
}
