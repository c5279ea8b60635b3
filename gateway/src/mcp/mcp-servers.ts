// The upstream MCP servers agents reach at /v1/mcp/{name}: those of the config file, and those an admin
// adds with PUT /admin/mcp-servers/{name} (kept in the store, so every gateway on it sees them). A server's
// upstream headers come from a credential (tool mcp.<name>, secret {headers}), opened per request and never
// shown to the agent.
import type { Credentials } from "../credentials/credentials.js";
import type { HeadersSecret } from "../credentials/secret-shapes.js";
import { GatewayError } from "../errors.js";

export interface McpServer {
  name: string;
  url: string;
  /** The credential whose headers go upstream; null for none. */
  credential: string | null;
  /** "config" servers are fixed by the config file; "admin" ones can be replaced and removed. */
  source: "config" | "admin";
}

export const MCP_SERVER_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface McpServerRows {
  list(): Promise<Array<Omit<McpServer, "source">>>;
  get(name: string): Promise<Omit<McpServer, "source"> | undefined>;
  put(server: Omit<McpServer, "source">): Promise<boolean>;
  delete(name: string): Promise<boolean>;
}

export interface McpServers {
  get(name: string): Promise<McpServer | undefined>;
  list(): Promise<McpServer[]>;
  /** Adds or replaces an admin server; true when it was added. Config-file servers cannot be replaced. */
  put(server: Omit<McpServer, "source">): Promise<boolean>;
  /** Removes an admin server and its pins. */
  remove(name: string): Promise<void>;
  /** The headers the server's credential adds upstream ({} without a credential). */
  headersFor(server: McpServer): Promise<Record<string, string>>;
}

export function createMcpServers(options: {
  configured: Readonly<Record<string, { url: string; credential?: string | undefined }>>;
  rows?: McpServerRows;
  credentials: Pick<Credentials, "resolve">;
}): McpServers {
  const fromConfig = new Map<string, McpServer>(
    Object.entries(options.configured).map(([name, s]) => [
      name,
      { name, url: s.url, credential: s.credential ?? null, source: "config" },
    ]),
  );
  return {
    async get(name) {
      if (!MCP_SERVER_NAME.test(name)) return undefined;
      const configured = fromConfig.get(name);
      if (configured) return configured;
      const row = await options.rows?.get(name);
      return row ? { ...row, source: "admin" } : undefined;
    },
    async list() {
      const rows = (await options.rows?.list()) ?? [];
      const admin = rows
        .filter((r) => !fromConfig.has(r.name))
        .map((r) => ({ ...r, source: "admin" as const }));
      return [...fromConfig.values(), ...admin].sort((a, b) => a.name.localeCompare(b.name));
    },
    async put(server) {
      if (fromConfig.has(server.name))
        throw new GatewayError("conflict", `MCP server ${server.name} is set by the config file`);
      if (!options.rows) throw new GatewayError("not_ready", "no store for MCP servers");
      return options.rows.put(server);
    },
    async remove(name) {
      if (fromConfig.has(name))
        throw new GatewayError("conflict", `MCP server ${name} is set by the config file`);
      if (!(await options.rows?.delete(name))) throw new GatewayError("not_found", `no MCP server ${name}`);
    },
    async headersFor(server) {
      if (!server.credential) return {};
      try {
        const { secret } = await options.credentials.resolve<HeadersSecret>(
          `mcp.${server.name}`,
          server.credential,
        );
        return { ...secret.headers };
      } catch (error) {
        if (error instanceof GatewayError && error.code === "not_found")
          throw new GatewayError(
            "upstream_unavailable",
            `the credential of MCP server ${server.name} is missing`,
          );
        throw error;
      }
    },
  };
}
