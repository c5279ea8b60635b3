import type { Database } from "better-sqlite3";
import { PIN_COLUMNS, type PinRow, pinValues, toPin } from "../mcp-rows.js";
import type { McpStore, StoredMcpServer } from "../types.js";

export function createSqliteMcpStore(db: Database): McpStore {
  const getPin = db.prepare<[string, string], PinRow>(
    "SELECT * FROM mcp_tool_pins WHERE server = ? AND tool = ?",
  );
  const deleteTx = db.transaction((name: string) => {
    db.prepare("DELETE FROM mcp_tool_pins WHERE server = ?").run(name);
    return db.prepare("DELETE FROM mcp_servers WHERE name = ?").run(name).changes > 0;
  });
  return {
    async listServers() {
      return db
        .prepare<[], StoredMcpServer>("SELECT name, url, credential FROM mcp_servers ORDER BY name")
        .all();
    },
    async getServer(name) {
      return db
        .prepare<[string], StoredMcpServer>("SELECT name, url, credential FROM mcp_servers WHERE name = ?")
        .get(name);
    },
    async putServer(server, at) {
      const existed = db.prepare("SELECT 1 FROM mcp_servers WHERE name = ?").get(server.name) !== undefined;
      db.prepare(
        `INSERT INTO mcp_servers (name, url, credential, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET url = excluded.url, credential = excluded.credential, updated_at = excluded.updated_at`,
      ).run(server.name, server.url, server.credential, at);
      return !existed;
    },
    async deleteServer(name) {
      return deleteTx(name);
    },
    async listPins(server) {
      return db
        .prepare<[string], PinRow>("SELECT * FROM mcp_tool_pins WHERE server = ? ORDER BY tool")
        .all(server)
        .map(toPin);
    },
    async getPin(server, tool) {
      const row = getPin.get(server, tool);
      return row ? toPin(row) : undefined;
    },
    async insertPinIfAbsent(pin) {
      db.prepare(
        `INSERT INTO mcp_tool_pins (${PIN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ).run(...pinValues(pin));
      return toPin(getPin.get(pin.server, pin.tool)!);
    },
    async markPinSeen(server, tool, seen, seenDigest, at) {
      db.prepare(
        "UPDATE mcp_tool_pins SET seen = ?, seen_digest = ?, seen_at = ? WHERE server = ? AND tool = ?",
      ).run(JSON.stringify(seen), seenDigest, at, server, tool);
    },
    async acceptPin(server, tool, digest, at) {
      return (
        db
          .prepare(
            "UPDATE mcp_tool_pins SET pinned_digest = ?, pinned_at = ? WHERE server = ? AND tool = ? AND seen_digest = ?",
          )
          .run(digest, at, server, tool, digest).changes > 0
      );
    },
  };
}
