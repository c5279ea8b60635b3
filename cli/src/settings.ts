// Everything the CLI reads from the environment, in one place, each with the flag that
// overrides it. A missing required variable is a usage error that names the variable.
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { UsageError } from "./errors.js";
import type { CliIo } from "./io.js";

/** The gateway's own default (PORT 8080 on localhost), as the examples use it. */
export const DEFAULT_URL = "http://localhost:8080";
export const DEFAULT_KEY_FILE = "./agent-key.pem";

/** --url, else AGENTGW_URL, else the local default. */
export function gatewayUrl(io: CliIo, flag: string | undefined): URL {
  const text = flag ?? io.env.AGENTGW_URL ?? DEFAULT_URL;
  const source = flag !== undefined ? "--url" : io.env.AGENTGW_URL !== undefined ? "AGENTGW_URL" : "default";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${source} is not a URL: ${JSON.stringify(text)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`${source} must be an http(s) URL, got ${JSON.stringify(text)}`);
  }
  return url;
}

export function adminToken(io: CliIo): string {
  const token = io.env.AGENTGW_ADMIN_TOKEN;
  if (token === undefined || token.trim() === "") {
    throw new UsageError(
      "AGENTGW_ADMIN_TOKEN is not set: admin commands need the gateway's admin token " +
        "(a dev gateway keeps it in data/admin-token: export AGENTGW_ADMIN_TOKEN=$(cat data/admin-token))",
    );
  }
  return token.trim();
}

/** A path as the user typed it, resolved against the working directory. */
export function userPath(io: CliIo, path: string): string {
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

/** Where `call` keeps tool tokens between runs: AGENTGW_CACHE_DIR, else the XDG cache dir. */
export function cacheDir(io: CliIo): string {
  if (io.env.AGENTGW_CACHE_DIR) return userPath(io, io.env.AGENTGW_CACHE_DIR);
  const base = io.env.XDG_CACHE_HOME ? userPath(io, io.env.XDG_CACHE_HOME) : join(homedir(), ".cache");
  return join(base, "agentgw");
}

/** The policy folder `policy test` runs: the argument, else AGENTGW_POLICY, else ./policies. */
export function policyFolder(io: CliIo, argument: string | undefined): string {
  return userPath(io, argument ?? io.env.AGENTGW_POLICY ?? "policies");
}
