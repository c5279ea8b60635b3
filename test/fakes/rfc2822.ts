// A small RFC 2822 / MIME reader: enough to see what an agent asked Gmail to send (recipients,
// subject, text) the way Gmail itself reads a `raw` message. It never throws on odd input; what it
// cannot read it leaves out.

export interface MessageHeader {
  name: string;
  value: string;
}

/** A leaf MIME part: its headers, content type and decoded text. */
export interface MimePart {
  headers: MessageHeader[];
  mimeType: string;
  text: string;
}

export interface ParsedMessage {
  /** Unfolded headers in order, encoded words (RFC 2047) decoded. */
  headers: MessageHeader[];
  /** Content type of the whole message, e.g. `text/plain` or `multipart/alternative`. */
  mimeType: string;
  from: string | undefined;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  /** The first text/plain part (or the first text part when there is none), decoded. */
  text: string;
  /** The leaf parts of a multipart message; empty for a single-part message. */
  parts: MimePart[];
}

/** Splits a message at the first empty line (CRLF or bare LF) into header block and body. */
function splitHeadersAndBody(message: string): [string, string] {
  const match = /\r?\n\r?\n/.exec(message);
  if (!match) return [message, ""];
  return [message.slice(0, match.index), message.slice(match.index + match[0].length)];
}

/** RFC 2047 encoded words: `=?charset?B|Q?text?=`; whitespace between adjacent words is dropped. */
export function decodeEncodedWords(value: string): string {
  const word = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  const joined = value.replace(/(\?=)\s+(=\?)/g, "$1$2");
  return joined.replace(word, (whole, charset: string, encoding: string, text: string) => {
    const bytes =
      encoding.toUpperCase() === "B"
        ? Buffer.from(text, "base64")
        : decodeQuotedPrintableBytes(text.replace(/_/g, " "));
    return decodeCharset(bytes, charset) ?? whole;
  });
}

function decodeCharset(bytes: Buffer, charset: string): string | undefined {
  const name = charset.toLowerCase().split("*")[0] ?? "";
  if (name === "utf-8" || name === "utf8" || name === "us-ascii") return bytes.toString("utf8");
  if (name === "iso-8859-1" || name === "latin1" || name === "windows-1252") return bytes.toString("latin1");
  try {
    return new TextDecoder(name).decode(bytes);
  } catch {
    return undefined;
  }
}

function decodeQuotedPrintableBytes(text: string): Buffer {
  const soft = text.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(soft.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

export function parseHeaders(block: string): MessageHeader[] {
  const headers: MessageHeader[] = [];
  for (const line of block.split(/\r?\n/)) {
    const last = headers.at(-1);
    if (/^[ \t]/.test(line) && last) {
      last.value += ` ${line.trim()}`; // folded continuation (RFC 2822 §2.2.3)
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return headers.map(({ name, value }) => ({ name, value: decodeEncodedWords(value) }));
}

function headerValue(headers: MessageHeader[], name: string): string | undefined {
  return headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

interface ContentType {
  mimeType: string;
  params: Record<string, string>;
}

function parseContentType(value: string | undefined): ContentType {
  const [type = "", ...rest] = (value ?? "text/plain").split(";");
  const params: Record<string, string> = {};
  for (const param of rest) {
    const eq = param.indexOf("=");
    if (eq < 0) continue;
    params[param.slice(0, eq).trim().toLowerCase()] = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
  }
  return { mimeType: type.trim().toLowerCase() || "text/plain", params };
}

/**
 * Splits an address list on commas that are outside quotes, angle brackets and comments, and keeps
 * each address's addr-spec: `"Doe, Jane" <jane@example.com>` → `jane@example.com`.
 */
export function parseAddressList(value: string | undefined): string[] {
  if (value === undefined) return [];
  const items: string[] = [];
  let current = "";
  let quoted = false;
  let angle = 0;
  let comment = 0;
  for (const char of value) {
    if (char === '"' && comment === 0) quoted = !quoted;
    else if (!quoted && char === "(") comment += 1;
    else if (!quoted && char === ")" && comment > 0) comment -= 1;
    else if (!quoted && comment === 0 && char === "<") angle += 1;
    else if (!quoted && comment === 0 && char === ">" && angle > 0) angle -= 1;
    if (char === "," && !quoted && angle === 0 && comment === 0) {
      items.push(current);
      current = "";
    } else current += char;
  }
  items.push(current);
  return items
    .map((item) => {
      const bracketed = /<([^>]*)>/.exec(item);
      return (bracketed ? (bracketed[1] ?? "") : item.replace(/\([^)]*\)/g, "")).trim();
    })
    .filter((address) => address !== "");
}

function decodeBody(body: string, headers: MessageHeader[], charset: string | undefined): string {
  const encoding = (headerValue(headers, "content-transfer-encoding") ?? "7bit").trim().toLowerCase();
  let bytes: Buffer;
  if (encoding === "base64") bytes = Buffer.from(body.replace(/\s+/g, ""), "base64");
  else if (encoding === "quoted-printable") bytes = decodeQuotedPrintableBytes(body);
  else bytes = Buffer.from(body, "latin1"); // the message was read as latin1, so this restores its bytes
  return decodeCharset(bytes, charset ?? "utf-8") ?? bytes.toString("utf8");
}

const MAX_MIME_DEPTH = 8;

function leafParts(headers: MessageHeader[], body: string, depth: number): MimePart[] {
  const { mimeType, params } = parseContentType(headerValue(headers, "content-type"));
  const boundary = params.boundary;
  if (!mimeType.startsWith("multipart/") || boundary === undefined || depth >= MAX_MIME_DEPTH) {
    return [{ headers, mimeType, text: decodeBody(body, headers, params.charset) }];
  }
  const delimiter = `--${boundary}`;
  const sections = body.split(new RegExp(`\\r?\\n?${escapeRegExp(delimiter)}`));
  const parts: MimePart[] = [];
  // sections[0] is the preamble; a section starting with "--" is the closing delimiter's epilogue.
  for (const section of sections.slice(1)) {
    if (section.startsWith("--")) break;
    const [block, partBody] = splitHeadersAndBody(section.replace(/^[ \t]*\r?\n/, ""));
    parts.push(...leafParts(parseHeaders(block), partBody, depth + 1));
  }
  return parts;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Reads a message from its raw bytes. */
export function parseMessage(raw: Uint8Array): ParsedMessage {
  // latin1 keeps every byte as one char, so 8-bit bodies survive until their charset is known.
  const [block, body] = splitHeadersAndBody(Buffer.from(raw).toString("latin1"));
  const headers = parseHeaders(Buffer.from(block, "latin1").toString("utf8"));
  const { mimeType } = parseContentType(headerValue(headers, "content-type"));
  const leaves = leafParts(headers, body, 0);
  const textPart =
    leaves.find((p) => p.mimeType === "text/plain") ?? leaves.find((p) => p.mimeType.startsWith("text/"));
  return {
    headers,
    mimeType,
    from: parseAddressList(headerValue(headers, "from"))[0],
    to: parseAddressList(headerValue(headers, "to")),
    cc: parseAddressList(headerValue(headers, "cc")),
    bcc: parseAddressList(headerValue(headers, "bcc")),
    subject: headerValue(headers, "subject") ?? "",
    text: textPart?.text ?? "",
    parts: mimeType.startsWith("multipart/") ? leaves : [],
  };
}

/** Builds a plain-text RFC 2822 message; used to seed the fake mailbox and by tests. */
export function buildMessage(fields: {
  from: string;
  to: string;
  cc?: string;
  bcc?: string;
  subject: string;
  text: string;
  date?: Date;
}): string {
  const lines = [
    `From: ${fields.from}`,
    `To: ${fields.to}`,
    ...(fields.cc ? [`Cc: ${fields.cc}`] : []),
    ...(fields.bcc ? [`Bcc: ${fields.bcc}`] : []),
    `Subject: ${fields.subject}`,
    `Date: ${(fields.date ?? new Date()).toUTCString()}`,
    "MIME-Version: 1.0",
    'Content-Type: text/plain; charset="UTF-8"',
    "Content-Transfer-Encoding: 8bit",
    "",
    fields.text,
  ];
  return lines.join("\r\n");
}
