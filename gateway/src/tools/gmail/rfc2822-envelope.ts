// What a policy sees of a Gmail send: the recipients and subject read from the RFC 2822 (RFC 5322) header
// block of the base64url `raw` message, never the message itself. Anything that cannot be read with
// certainty is refused (invalid_request), so an odd header can never hide a recipient from the policy.
import { GatewayError } from "../../errors.js";

export interface Envelope {
  /** Addresses as lower-case `user@domain`. */
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
}

function invalid(detail: string): GatewayError {
  return new GatewayError("invalid_request", detail);
}

/** Gmail's `raw`: URL-safe base64; the standard alphabet and padding are tolerated as Gmail does. */
export function decodeRaw(raw: unknown): Buffer {
  if (typeof raw !== "string" || raw === "") throw invalid("raw must be a non-empty base64url string");
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(raw) || raw.replace(/=+$/, "").length % 4 === 1) {
    throw invalid("raw is not valid base64url");
  }
  return Buffer.from(raw.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""), "base64url");
}

/** RFC 5322 §2.2: header lines, unfolded; the header block ends at the first empty line. */
function headerFields(message: string): Array<{ name: string; value: string }> {
  const end = /\r?\n\r?\n/.exec(message);
  const block = end ? message.slice(0, end.index) : message;
  // A CR not followed by LF ends a line for some mail software and not for others: a header hidden behind
  // one ("Subject: hi\rBcc: x@y") could reach a recipient the policy never saw. Refused, like any doubt.
  if (/\r(?!\n)/.test(block)) throw invalid("raw is not an RFC 2822 message (bare CR in the header block)");
  const fields: Array<{ name: string; value: string }> = [];
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line)) {
      const last = fields.at(-1);
      if (!last) throw invalid("raw is not an RFC 2822 message (continuation before any header)");
      last.value += ` ${line.trim()}`;
      continue;
    }
    // §3.6.8: field-name is printable US-ASCII except ":".
    const match = /^([!-9;-~]+):(.*)$/.exec(line);
    if (!match) throw invalid("raw is not an RFC 2822 message (malformed header line)");
    fields.push({ name: match[1]!.toLowerCase(), value: match[2]!.trim() });
  }
  if (fields.length === 0) throw invalid("raw is not an RFC 2822 message (no headers)");
  return fields;
}

/** Removes (comments), which may nest, outside quoted strings (RFC 5322 §3.2.2). */
function stripComments(value: string): string {
  let out = "";
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === "\\" && (quoted || depth > 0)) {
      if (depth === 0) out += c + (value[i + 1] ?? "");
      i++;
    } else if (quoted) {
      out += c;
      if (c === '"') quoted = false;
    } else if (c === "(") depth++;
    else if (c === ")" && depth > 0) depth--;
    else if (depth === 0) {
      if (c === '"') quoted = true;
      out += c;
    }
  }
  if (depth > 0 || quoted) throw invalid("unbalanced quote or comment in an address header");
  return out;
}

/** Splits at the given separators outside quoted strings and angle brackets. */
function splitOutside(value: string, separators: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted && c === "\\") {
      current += c + (value[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === '"' && !angle) quoted = !quoted;
    else if (!quoted && c === "<") angle = true;
    else if (!quoted && c === ">") angle = false;
    if (!quoted && !angle && separators.includes(c)) {
      parts.push(current);
      current = "";
    } else current += c;
  }
  parts.push(current);
  return parts;
}

const ADDRESS = /^[^@\s<>()",;:]+@[^@\s<>()",;:]+$/;

/** RFC 5322 §3.4 address-list, groups included, as lower-case addr-specs. */
export function parseAddressList(value: string): string[] {
  const addresses: string[] = [];
  // Groups ("team: a@x, b@y;") end at ";": split there first, then drop each group's "name:" prefix.
  for (const segment of splitOutside(stripComments(value), ";")) {
    for (let part of splitOutside(segment, ",")) {
      const colon = splitOutside(part, ":");
      if (colon.length > 1) part = colon.slice(1).join(":");
      part = part.trim();
      if (part === "") continue;
      const angle = /<([^<>]*)>\s*$/.exec(part);
      const address = (angle ? angle[1]! : part).trim();
      if (!ADDRESS.test(address)) throw invalid("an address header holds something that is not an address");
      addresses.push(address.toLowerCase());
    }
  }
  return addresses;
}

/** RFC 2047 encoded words (=?charset?B|Q?text?=) in an unstructured header such as Subject. */
export function decodeEncodedWords(value: string): string {
  const word = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  // §6.2: white space between two adjacent encoded words is not displayed.
  return value.replace(/(\?=)\s+(?==\?)/g, "$1").replace(word, (whole, charset: string, encoding, text) => {
    const bytes =
      encoding.toUpperCase() === "B"
        ? Buffer.from(text, "base64")
        : Buffer.from(
            text
              .replaceAll("_", " ")
              .replace(/=([0-9A-Fa-f]{2})/g, (_m: string, hex: string) =>
                String.fromCharCode(Number.parseInt(hex, 16)),
              ),
            "latin1",
          );
    try {
      return new TextDecoder(charset.split("*")[0]).decode(bytes);
    } catch {
      return whole; // An unknown charset stays as written.
    }
  });
}

/** The policy view of a Gmail send body `{raw}`. */
export function envelopeOf(body: unknown): Envelope {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalid("the request body must be a JSON object with raw");
  }
  return envelopeOfMessage(decodeRaw((body as { raw?: unknown }).raw));
}

/** The policy view of an RFC 2822 message: recipients and subject from its header block. */
export function envelopeOfMessage(raw: Buffer): Envelope {
  const message = raw.toString("utf8");
  const fields = headerFields(message);
  const list = (name: string) =>
    fields.filter((f) => f.name === name).flatMap((f) => parseAddressList(f.value));
  const subject = fields.find((f) => f.name === "subject")?.value ?? "";
  return { to: list("to"), cc: list("cc"), bcc: list("bcc"), subject: decodeEncodedWords(subject) };
}
