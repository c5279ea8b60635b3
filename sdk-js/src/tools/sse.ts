// Server-Sent Events (HTML Living Standard, "event stream interpretation"): the byte stream of a
// streaming answer cut into events. Handles LF, CRLF and CR line ends, a CRLF split across two
// chunks, multi-line data and comments.

export interface ServerSentEvent {
  /** "message" unless the stream named another type. */
  event: string;
  /** The data lines joined with "\n". */
  data: string;
  id?: string;
}

/** The events of a stream as they arrive. Stopping early (break) cancels the stream. */
export async function* parseServerSentEvents(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const reader = stream.getReader();
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  let event: { event: string; data: string[]; id?: string } = { event: "message", data: [] };
  let done = false;
  try {
    while (!done) {
      const chunk = await reader.read();
      done = chunk.done;
      buffer += done ? decoder.decode() : decoder.decode(chunk.value, { stream: true });
      for (;;) {
        const end = lineEnd(buffer, done);
        if (end === null) break;
        const line = buffer.slice(0, end.index);
        buffer = buffer.slice(end.index + end.length);
        if (line === "") {
          if (event.data.length > 0) {
            yield {
              event: event.event,
              data: event.data.join("\n"),
              ...(event.id === undefined ? {} : { id: event.id }),
            };
          }
          event = { event: "message", data: [] };
          continue;
        }
        if (line.startsWith(":")) continue; // a comment, e.g. a keep-alive
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") event.data.push(value);
        else if (field === "event") event.event = value || "message";
        else if (field === "id" && !value.includes("\0")) event.id = value;
      }
    }
    // At the end of the stream an event without its final blank line is discarded, as the standard says:
    // it may be cut off, and callers that need a terminator (OpenAI's [DONE]) detect the cut.
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** The first line end in text: LF, CRLF or CR. A CR at the very end waits for the next chunk (it may be CRLF). */
function lineEnd(text: string, final: boolean): { index: number; length: number } | null {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) return { index: i, length: 1 };
    if (c === 13) {
      if (i + 1 < text.length) return { index: i, length: text.charCodeAt(i + 1) === 10 ? 2 : 1 };
      return final ? { index: i, length: 1 } : null;
    }
  }
  return null;
}
