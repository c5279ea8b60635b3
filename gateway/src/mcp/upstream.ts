// Talking to an upstream MCP server over Streamable HTTP: one POST or GET or DELETE, and the JSON-RPC
// messages of its answer, which is either one JSON document or an SSE stream of messages.
import { Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { StringDecoder } from "node:string_decoder";
import { type JSONRPCMessage, JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js";
import { GatewayError } from "../errors.js";

/** Agent request headers an MCP server needs; nothing else (never the agent's credentials) goes upstream. */
const PASSED_HEADERS = ["accept", "content-type", "mcp-protocol-version", "last-event-id"];

export function upstreamHeaders(
  agentHeaders: Record<string, string | string[] | undefined>,
  extra: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = agentHeaders[name];
    if (typeof value === "string") out[name] = value;
  }
  return { ...out, ...extra };
}

export async function sendUpstream(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: Buffer | null; signal?: AbortSignal },
): Promise<Response> {
  try {
    return await fetch(url, {
      method: init.method,
      headers: init.headers,
      ...(init.body ? { body: new Uint8Array(init.body) } : {}),
      redirect: "manual",
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new GatewayError("upstream_unavailable", "the MCP server could not be reached", { cause: error });
  }
}

export function parseMessage(text: string): JSONRPCMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GatewayError("upstream_error", "the MCP server sent malformed JSON");
  }
  const parsed = JSONRPCMessageSchema.safeParse(json);
  if (!parsed.success)
    throw new GatewayError("upstream_error", "the MCP server sent a malformed JSON-RPC message");
  return parsed.data;
}

/**
 * The most one upstream answer (buffered) or one SSE event may hold. A hostile server's endless answer or
 * event must not grow the gateway's memory: past it the answer fails (upstream_error) instead.
 */
export const MAX_MCP_MESSAGE_BYTES = 5 * 1024 * 1024;

function tooLarge(): GatewayError {
  return new GatewayError("upstream_error", "the MCP server's answer is too large");
}

/** The whole body, read no further than `maxBytes`. */
export async function readBounded(response: Response, maxBytes = MAX_MCP_MESSAGE_BYTES): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (!response.body) return Buffer.alloc(0);
  for await (const chunk of response.body as WebReadableStream<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** Every message of a buffered answer (JSON or SSE). */
export async function readMessages(
  response: Response,
  maxBytes = MAX_MCP_MESSAGE_BYTES,
): Promise<JSONRPCMessage[]> {
  const text = (await readBounded(response, maxBytes)).toString("utf8");
  if (/^text\/event-stream/i.test(response.headers.get("content-type") ?? "")) {
    return sseEvents(text)
      .map((e) => e.data)
      .filter((d): d is string => d !== null && d.trim() !== "")
      .map(parseMessage);
  }
  const json = parseMessage(text);
  return [json];
}

interface SseEvent {
  /** Every line but data lines, kept as they came (id:, event:, retry:, comments). */
  others: string[];
  data: string | null;
}

function sseEvents(text: string): SseEvent[] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== "")
    .map(parseEvent);
}

function parseEvent(block: string): SseEvent {
  const others: string[] = [];
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    else others.push(line);
  }
  return { others, data: data.length ? data.join("\n") : null };
}

function formatEvent(event: SseEvent): string {
  const lines = [...event.others];
  if (event.data !== null) lines.push(`data: ${event.data}`);
  return `${lines.join("\n")}\n\n`;
}

/**
 * An SSE body streamed through, each message given to `rewrite` first (messages it does not change pass as
 * they are). Events are forwarded as soon as they are complete, so notifications and progress arrive live.
 */
export function rewriteSse(
  body: WebReadableStream<Uint8Array>,
  /** The message to send instead, or null to drop the event. */
  rewrite: (message: JSONRPCMessage) => Promise<JSONRPCMessage | null>,
  /** Last pass over each event's data as sent (e.g. scrubbing echoed secrets). */
  finish: (data: string) => string = (data) => data,
  maxEventBytes = MAX_MCP_MESSAGE_BYTES,
): Readable {
  let pending = "";
  const decoder = new StringDecoder("utf8");
  const transform = new Transform({
    async transform(chunk: Buffer, _encoding, done) {
      // A decoder keeps a character split across chunks whole.
      pending += decoder.write(chunk);
      try {
        let out = "";
        for (;;) {
          const end = /\r?\n\r?\n/.exec(pending);
          if (!end) break;
          const block = pending.slice(0, end.index);
          pending = pending.slice(end.index + end[0].length);
          if (block.trim() === "") continue;
          const event = parseEvent(block);
          if (event.data !== null && event.data.trim() !== "") {
            const message = await rewrite(parseMessage(event.data));
            if (message === null) continue;
            event.data = finish(JSON.stringify(message));
          }
          out += formatEvent(event);
        }
        // An event that never ends (no blank line) must not hold memory without bound.
        if (pending.length > maxEventBytes) throw tooLarge();
        done(null, out);
      } catch (error) {
        done(error as Error);
      }
    },
  });
  const source = Readable.fromWeb(body);
  // pipe() does not carry errors: an upstream that fails or is cancelled must end the rewritten stream too.
  source.on("error", (error) => transform.destroy(error));
  return source.pipe(transform);
}
