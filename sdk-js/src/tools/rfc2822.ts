// A plain-text e-mail as Gmail's messages.send wants it: an RFC 5322 (formerly 2822) message with
// MIME headers, sent base64url-encoded as `raw`. Header values are checked so a caller's input can
// never add a header (CR/LF injection).
import { toBase64, toBase64Url, utf8 } from "../encoding.js";

export interface EmailMessage {
  to: string | readonly string[];
  cc?: string | readonly string[];
  bcc?: string | readonly string[];
  subject: string;
  /** The plain-text body (any Unicode; sent as UTF-8, base64 transfer encoding). */
  text: string;
  /** Gmail sets the authenticated mailbox when absent. */
  from?: string;
  replyTo?: string | readonly string[];
}

/**
 * The message's text, CRLF line ends. Without `date` there is no Date header (Gmail adds it when
 * it sends): the same message is then the same bytes, so a retry of a call the policy holds for
 * approval is the request the person approved, not a new one.
 */
export function buildRfc2822Message(message: EmailMessage, date?: Date): string {
  if (typeof message?.subject !== "string") throw new TypeError("subject must be a string");
  if (typeof message.text !== "string") throw new TypeError("text must be a string");
  const to = addressList("to", message.to);
  if (to.length === 0) throw new TypeError("to must name at least one recipient");
  const headers: Array<[string, string]> = [];
  if (message.from !== undefined) headers.push(["From", headerValue("from", message.from)]);
  headers.push(["To", to.join(", ")]);
  const cc = addressList("cc", message.cc);
  if (cc.length) headers.push(["Cc", cc.join(", ")]);
  const bcc = addressList("bcc", message.bcc);
  if (bcc.length) headers.push(["Bcc", bcc.join(", ")]);
  const replyTo = addressList("replyTo", message.replyTo);
  if (replyTo.length) headers.push(["Reply-To", replyTo.join(", ")]);
  headers.push(["Subject", encodeHeaderText(headerValue("subject", message.subject))]);
  if (date) headers.push(["Date", date.toUTCString().replace("GMT", "+0000")]);
  headers.push(["MIME-Version", "1.0"]);
  headers.push(["Content-Type", 'text/plain; charset="UTF-8"']);
  headers.push(["Content-Transfer-Encoding", "base64"]);
  const body = wrap(toBase64(utf8(message.text)), 76);
  return `${headers.map(([name, value]) => `${name}: ${value}`).join("\r\n")}\r\n\r\n${body}\r\n`;
}

/** Gmail's `raw`: the message as base64url. */
export function encodeRawMessage(message: EmailMessage, date?: Date): string {
  return toBase64Url(utf8(buildRfc2822Message(message, date)));
}

function addressList(field: string, value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list)) throw new TypeError(`${field} must be a string or an array of strings`);
  return list.map((address, i) => {
    if (typeof address !== "string" || address.trim() === "") {
      throw new TypeError(`${field}[${i}] must be a non-empty address`);
    }
    const value = headerValue(`${field}[${i}]`, address).trim();
    // Addresses are ASCII here; a non-ASCII display name would need RFC 2047 words per part.
    if (/[^\x20-\x7e]/.test(value)) throw new TypeError(`${field}[${i}] must be printable ASCII`);
    return value;
  });
}

/** Refuses what would end the header line (and NUL), so input cannot add headers or a body. */
function headerValue(field: string, value: string): string {
  if (typeof value !== "string") throw new TypeError(`${field} must be a string`);
  if (/[\r\n\0]/.test(value)) throw new TypeError(`${field} must not contain CR, LF or NUL characters`);
  return value;
}

/**
 * Printable ASCII stays as it is (up to a safe line length); anything else becomes RFC 2047
 * encoded words (`=?UTF-8?B?…?=`, at most 75 characters each, folded onto continuation lines),
 * split only between characters so no word holds half a UTF-8 sequence.
 */
export function encodeHeaderText(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text) && text.length <= 900) return text;
  const words: string[] = [];
  let chunk = "";
  // 75 - "=?UTF-8?B?".length - "?=".length = 63 base64 characters → at most 45 bytes per word.
  for (const char of text) {
    if (utf8(chunk + char).length > 45) {
      words.push(chunk);
      chunk = "";
    }
    chunk += char;
  }
  if (chunk !== "") words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${toBase64(utf8(word))}?=`).join("\r\n ");
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += width) lines.push(text.slice(i, i + width));
  return lines.join("\r\n");
}
