// A hostile server can flood notifications/{tools,prompts,resources}/list_changed: each one makes the
// client list again, which costs the agent its quota and the gateway a policy question per listed item.
// The gateway passes at most one of each kind per session per interval and drops the rest (the client's
// next list shows the latest state anyway; every call is checked against the server's current tools).
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

const LIST_CHANGED = /^notifications\/(tools|prompts|resources)\/list_changed$/;

export class ListChangedThrottle {
  readonly #last = new Map<string, number>();

  constructor(
    private readonly intervalMs = 1000,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  /** False for a list_changed notification of a kind this session passed less than an interval ago. */
  passes(sessionId: string, message: JSONRPCMessage): boolean {
    if (!("method" in message) || "id" in message || !LIST_CHANGED.test(message.method)) return true;
    const key = `${sessionId}\0${message.method}`;
    const now = this.now();
    const last = this.#last.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    // Re-inserted last, so the oldest entries go first when the table is full.
    this.#last.delete(key);
    if (this.#last.size >= this.maxEntries) {
      const oldest = this.#last.keys().next().value;
      if (oldest !== undefined) this.#last.delete(oldest);
    }
    this.#last.set(key, now);
    return true;
  }
}
