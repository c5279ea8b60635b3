// The mcp_tool_pins table as both engines store it (same columns; the last seen tool
// definition as JSON text, times as ISO strings), and how a row reads back.
import type { StoredToolPin } from "./types.js";

/** A row of the mcp_tool_pins table, the same in both engines. */
export interface PinRow {
  server: string;
  tool: string;
  pinned_digest: string;
  seen_digest: string;
  seen: string;
  pinned_at: string;
  seen_at: string;
}

export function toPin(row: PinRow): StoredToolPin {
  return {
    server: row.server,
    tool: row.tool,
    pinnedDigest: row.pinned_digest,
    seenDigest: row.seen_digest,
    seen: JSON.parse(row.seen) as StoredToolPin["seen"],
    pinnedAt: row.pinned_at,
    seenAt: row.seen_at,
  };
}

/** The mcp_tool_pins columns, in the order pinValues lists a pin's values. */
export const PIN_COLUMNS = "server, tool, pinned_digest, seen_digest, seen, pinned_at, seen_at";

/** A pin's values in PIN_COLUMNS order (the seen definition as JSON text), to bind positionally. */
export function pinValues(pin: StoredToolPin): string[] {
  return [
    pin.server,
    pin.tool,
    pin.pinnedDigest,
    pin.seenDigest,
    JSON.stringify(pin.seen),
    pin.pinnedAt,
    pin.seenAt,
  ];
}
