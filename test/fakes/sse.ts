import { setTimeout as sleep } from "node:timers/promises";

/** One Server-Sent Event: `data` is sent as JSON unless it is already a string (e.g. `[DONE]`). */
export interface SseEvent {
  event?: string;
  data: unknown;
}

/** Formats one event the way OpenAI writes them: optional `event:` line, one `data:` line, blank line. */
export function formatSse({ event, data }: SseEvent): string {
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  return `${event === undefined ? "" : `event: ${event}\n`}data: ${payload}\n\n`;
}

/** Yields each event formatted, waiting `delayMs` between events (not before the first). */
export async function* paceEvents(
  events: Iterable<SseEvent>,
  delayMs: number,
  signal: AbortSignal,
): AsyncGenerator<string> {
  let first = true;
  for (const event of events) {
    if (!first && delayMs > 0) await sleep(delayMs, undefined, { signal });
    first = false;
    yield formatSse(event);
  }
}

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache",
  Connection: "keep-alive",
} as const;
