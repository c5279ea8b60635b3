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

/** The row a pin is stored as (the seen definition as JSON text). */
export function toPinRow(pin: StoredToolPin): PinRow {
  return {
    server: pin.server,
    tool: pin.tool,
    pinned_digest: pin.pinnedDigest,
    seen_digest: pin.seenDigest,
    seen: JSON.stringify(pin.seen),
    pinned_at: pin.pinnedAt,
    seen_at: pin.seenAt,
  };
}
