import type pg from "pg";
import { PIN_COLUMNS, type PinRow, pinValues, toPin } from "../mcp-rows.js";
import type { McpStore, StoredMcpServer } from "../types.js";
import { query, transaction } from "./pool.js";

export function createPostgresMcpStore(pool: pg.Pool): McpStore {
  async function getPin(server: string, tool: string) {
    const row = (
      await query<PinRow>(pool, "SELECT * FROM mcp_tool_pins WHERE server = $1 AND tool = $2", [server, tool])
    ).rows[0];
    return row ? toPin(row) : undefined;
  }
  return {
    async listServers() {
      return (
        await query<StoredMcpServer>(pool, "SELECT name, url, credential FROM mcp_servers ORDER BY name")
      ).rows;
    },
    async getServer(name) {
      return (
        await query<StoredMcpServer>(pool, "SELECT name, url, credential FROM mcp_servers WHERE name = $1", [
          name,
        ])
      ).rows[0];
    },
    async putServer(server, at) {
      // xmax = 0 only on a freshly inserted row: tells created from replaced in one statement.
      const result = await query<{ inserted: boolean }>(
        pool,
        `INSERT INTO mcp_servers (name, url, credential, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET url = excluded.url, credential = excluded.credential, updated_at = excluded.updated_at
         RETURNING (xmax = 0) AS inserted`,
        [server.name, server.url, server.credential, at],
      );
      return result.rows[0]?.inserted === true;
    },
    async deleteServer(name) {
      return transaction(pool, async (client) => {
        await query(client, "DELETE FROM mcp_tool_pins WHERE server = $1", [name]);
        return ((await query(client, "DELETE FROM mcp_servers WHERE name = $1", [name])).rowCount ?? 0) > 0;
      });
    },
    async listPins(server) {
      return (
        await query<PinRow>(pool, "SELECT * FROM mcp_tool_pins WHERE server = $1 ORDER BY tool", [server])
      ).rows.map(toPin);
    },
    getPin,
    async insertPinIfAbsent(pin) {
      await query(
        pool,
        `INSERT INTO mcp_tool_pins (${PIN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        pinValues(pin),
      );
      return (await getPin(pin.server, pin.tool))!;
    },
    async markPinSeen(server, tool, seen, seenDigest, at) {
      await query(
        pool,
        "UPDATE mcp_tool_pins SET seen = $1, seen_digest = $2, seen_at = $3 WHERE server = $4 AND tool = $5",
        [JSON.stringify(seen), seenDigest, at, server, tool],
      );
    },
    async acceptPin(server, tool, digest, at) {
      const result = await query(
        pool,
        "UPDATE mcp_tool_pins SET pinned_digest = $1, pinned_at = $2 WHERE server = $3 AND tool = $4 AND seen_digest = $5",
        [digest, at, server, tool, digest],
      );
      return (result.rowCount ?? 0) > 0;
    },
  };
}
