// Server-Sent Events passed through to the agent as they arrive. The transform reads each event's `data`
// for usage; with obligations it rewrites each event (redact/truncate on its JSON, block_patterns on its
// string values) and emits it once complete; with secrets it replaces any upstream secret an event holds,
// as plain answers are scrubbed. A pattern match split across two events is not caught, because each
// event is judged alone (docs/tools.md). A usage-only chunk the gateway asked for can be left out. Under redact or truncate an event whose data is not JSON (other
// than OpenAI's "[DONE]") cannot be filtered, so the stream ends there (fail closed).

import { Transform, type TransformCallback } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { GatewayError } from "../errors.js";
import { applyToJson, blockInText, type CompiledObligations } from "./obligations.js";
import { hasScrubbableSecret, scrubText } from "./scrub-secrets.js";
import { type Usage, usageFrom } from "./usage.js";

/** Events end at a blank line (CRLF, LF or CR line ends, WHATWG HTML §9.2.6). */
const EVENT_END = /\r\n\r\n|\n\n|\r\r/;
/** An event longer than this is not held back: unfiltered it passes; under obligations the stream fails. */
const MAX_EVENT_CHARS = 1024 * 1024;

export interface SseStream {
  /** Pipe the upstream body into this and hand it to the agent. */
  transform: Transform;
  /** Resolves when the stream ends (or fails) with the last usage seen, or undefined. */
  usage: Promise<Usage | undefined>;
}

function dataOf(lines: readonly string[]): string | undefined {
  const data = lines
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).replace(/^ /, ""));
  return data.length === 0 ? undefined : data.join("\n");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export interface SseStreamOptions {
  /**
   * Leave out the usage-only chunk (OpenAI chat: `choices: []` with `usage`) that the gateway asked the
   * upstream for (`stream_options.include_usage`) when the agent did not; its usage is still read.
   */
  dropUsageOnlyEvents?: boolean;
}

/** OpenAI's extra last chat chunk with include_usage: no choices, only the usage. */
function isUsageOnlyChunk(json: unknown): boolean {
  if (typeof json !== "object" || json === null) return false;
  const chunk = json as { choices?: unknown; usage?: unknown };
  return Array.isArray(chunk.choices) && chunk.choices.length === 0 && chunk.usage !== null;
}

/** The end-of-stream sentinel of OpenAI's chat streams: not JSON, and nothing to filter in it. */
const DONE = "[DONE]";

/** Rewrites one event under the obligations; lines other than `data:` (event, id, comments) stay. */
function rewrite(block: string, data: string | undefined, compiled: CompiledObligations): string {
  if (data === undefined) return block;
  const json = parseJson(data);
  if (
    json === undefined &&
    data.trim() !== DONE &&
    (compiled.redact.length > 0 || compiled.truncate.length > 0)
  ) {
    throw new GatewayError(
      "upstream_error",
      "the upstream sent an event the policy's obligations cannot filter",
    );
  }
  const next =
    json === undefined
      ? blockInText(data, compiled.patterns) // "[DONE]", or a non-JSON payload under block_patterns only
      : JSON.stringify(applyToJson(json, compiled));
  const kept = block.split(/\r\n|\n|\r/).filter((line) => !line.startsWith("data:"));
  return [...kept, `data: ${next}`].join("\n");
}

/**
 * Creates the pass-through transform; with `compiled` null and no `secrets` the bytes go through
 * unchanged, otherwise each complete event is emitted rewritten.
 */
export function createSseStream(
  compiled: CompiledObligations | null,
  secrets: readonly string[] = [],
  options: SseStreamOptions = {},
): SseStream {
  const dropUsageOnly = options.dropUsageOnlyEvents === true;
  const rewriting = compiled !== null || hasScrubbableSecret(secrets) || dropUsageOnly;
  const decoder = new StringDecoder("utf8");
  let pending = "";
  let lastUsage: Usage | undefined;
  let settle: (usage: Usage | undefined) => void = () => {};
  const usage = new Promise<Usage | undefined>((resolve) => {
    settle = resolve;
  });

  /** Reads complete events out of `pending`; returns them rewritten (or "" when passing bytes through). */
  const drain = (final: boolean): string => {
    let out = "";
    for (;;) {
      const match = EVENT_END.exec(pending);
      if (!match) break;
      const block = pending.slice(0, match.index);
      const separator = match[0];
      pending = pending.slice(match.index + separator.length);
      out += handle(block, separator);
    }
    if (final && pending.trim() !== "") {
      out += handle(pending, "");
      pending = "";
    }
    return out;
  };

  const handle = (block: string, separator: string): string => {
    const data = dataOf(block.split(/\r\n|\n|\r/));
    if (data !== undefined) {
      const json = parseJson(data);
      const found = usageFrom(json);
      if (found) lastUsage = found;
      // The gateway asked for this event; the agent did not, and its client may not expect it.
      if (dropUsageOnly && found && isUsageOnlyChunk(json)) return "";
    }
    if (!rewriting) return "";
    if (!compiled) return scrubText(block, secrets) + separator;
    return scrubText(rewrite(block, data, compiled), secrets) + (separator === "" ? "" : "\n\n");
  };

  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      pending += decoder.write(chunk);
      let rewritten: string;
      try {
        rewritten = drain(false);
      } catch (error) {
        callback(error as Error);
        return;
      }
      if (pending.length > MAX_EVENT_CHARS) {
        if (rewriting) {
          callback(new GatewayError("upstream_error", "the upstream sent an event too large to filter"));
          return;
        }
        pending = ""; // Only usage is lost; the bytes went through.
      }
      if (!rewriting) callback(null, chunk);
      else callback(null, rewritten === "" ? undefined : rewritten);
    },
    flush(callback: TransformCallback) {
      pending += decoder.end();
      let rewritten: string;
      try {
        rewritten = drain(true);
      } catch (error) {
        callback(error as Error);
        return;
      }
      callback(null, !rewriting || rewritten === "" ? undefined : rewritten);
    },
  });
  transform.on("end", () => settle(lastUsage));
  transform.on("close", () => settle(lastUsage));
  transform.on("error", () => settle(lastUsage));
  return { transform, usage };
}
