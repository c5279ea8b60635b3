import { type MessageHeader, type ParsedMessage, parseMessage } from "./rfc2822.js";

/** One message in the fake mailbox, with what Gmail derives from its raw bytes. */
export interface MailboxMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  /** Milliseconds since the epoch, as Gmail's `internalDate`. */
  internalDate: number;
  historyId: string;
  raw: Buffer;
  parsed: ParsedMessage;
}

export type MessageFormat = "full" | "metadata" | "minimal" | "raw";

export const MESSAGE_FORMATS: readonly MessageFormat[] = ["full", "metadata", "minimal", "raw"];

/** Gmail snippets are the start of the text, whitespace collapsed and HTML-escaped. */
function snippetOf(text: string): string {
  const escapes: Record<string, string> = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
  };
  return text
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 200)
    .replace(/[&<>"']/g, (c) => escapes[c] ?? c);
}

function bodyOf(text: string) {
  const bytes = Buffer.from(text, "utf8");
  return bytes.length === 0 ? { size: 0 } : { size: bytes.length, data: bytes.toString("base64url") };
}

function payloadOf(message: MailboxMessage) {
  const { parsed } = message;
  const base = { partId: "", mimeType: parsed.mimeType, filename: "", headers: parsed.headers };
  if (parsed.parts.length === 0) return { ...base, body: bodyOf(parsed.text) };
  return {
    ...base,
    body: { size: 0 },
    parts: parsed.parts.map((part, index) => ({
      partId: String(index),
      mimeType: part.mimeType,
      filename: "",
      headers: part.headers,
      body: bodyOf(part.text),
    })),
  };
}

/** The `users.messages` resource in the requested format. */
export function messageResource(message: MailboxMessage, format: MessageFormat, metadataHeaders: string[]) {
  const common = {
    id: message.id,
    threadId: message.threadId,
    labelIds: message.labelIds,
    snippet: snippetOf(message.parsed.text),
    sizeEstimate: message.raw.length,
    historyId: message.historyId,
    internalDate: String(message.internalDate),
  };
  if (format === "raw") return { ...common, raw: message.raw.toString("base64url") };
  if (format === "minimal") return common;
  if (format === "metadata") {
    const wanted = metadataHeaders.map((h) => h.toLowerCase());
    const headers: MessageHeader[] =
      wanted.length === 0
        ? message.parsed.headers
        : message.parsed.headers.filter((h) => wanted.includes(h.name.toLowerCase()));
    return { ...common, payload: { mimeType: message.parsed.mimeType, headers } };
  }
  return { ...common, payload: payloadOf(message) };
}

/** Splits a Gmail search query into terms, keeping "quoted phrases" together. */
function searchTerms(query: string): string[] {
  return [...query.matchAll(/(\S+:)?"([^"]*)"|\S+/g)].map((m) =>
    m[2] !== undefined ? `${m[1] ?? ""}${m[2]}` : m[0],
  );
}

function includes(haystack: string | undefined, needle: string): boolean {
  return (haystack ?? "").toLowerCase().includes(needle.toLowerCase());
}

/**
 * A subset of Gmail's search operators: `from:`, `to:` (To, Cc or Bcc), `cc:`, `bcc:`, `subject:`,
 * `in:`/`label:` (a label, e.g. `in:sent`), `is:unread`/`is:read`, and plain words (subject or text).
 */
function matchesTerm(message: MailboxMessage, term: string): boolean {
  const { parsed } = message;
  const colon = term.indexOf(":");
  const operator = colon > 0 ? term.slice(0, colon).toLowerCase() : "";
  const value = colon > 0 ? term.slice(colon + 1) : term;
  const header = (name: string) => parsed.headers.find((h) => h.name.toLowerCase() === name)?.value;
  switch (operator) {
    case "from":
      return includes(header("from"), value);
    case "to":
      return (
        [...parsed.to, ...parsed.cc, ...parsed.bcc].some((a) => includes(a, value)) ||
        includes(header("to"), value)
      );
    case "cc":
      return parsed.cc.some((a) => includes(a, value));
    case "bcc":
      return parsed.bcc.some((a) => includes(a, value));
    case "subject":
      return includes(parsed.subject, value);
    case "in":
    case "label":
      return message.labelIds.some((label) => label.toLowerCase() === value.toLowerCase());
    case "is":
      if (value.toLowerCase() === "unread") return message.labelIds.includes("UNREAD");
      if (value.toLowerCase() === "read") return !message.labelIds.includes("UNREAD");
      return message.labelIds.some((label) => label.toLowerCase() === value.toLowerCase());
    default:
      return includes(parsed.subject, term) || includes(parsed.text, term) || includes(header("from"), term);
  }
}

/** The fake account's messages, newest first, with Gmail-like ids. */
export class Mailbox {
  #messages: MailboxMessage[] = [];
  #counter = 0;
  readonly #base: number;

  constructor(idBase = 0x18c0_0000_0000) {
    this.#base = idBase;
  }

  /** Stores a message read from its raw bytes; `threadId` joins an existing thread when it exists. */
  add(
    raw: Buffer,
    labelIds: string[],
    options: { threadId?: string; internalDate?: number } = {},
  ): MailboxMessage {
    this.#counter += 1;
    const id = (this.#base + this.#counter).toString(16).padStart(16, "0");
    const threadId =
      options.threadId !== undefined && this.#messages.some((m) => m.threadId === options.threadId)
        ? options.threadId
        : id;
    const message: MailboxMessage = {
      id,
      threadId,
      labelIds,
      internalDate: options.internalDate ?? Date.now(),
      historyId: String(1000 + this.#counter),
      raw,
      parsed: parseMessage(raw),
    };
    this.#messages.push(message);
    this.#messages.sort((a, b) => b.internalDate - a.internalDate);
    return message;
  }

  get(id: string): MailboxMessage | undefined {
    return this.#messages.find((m) => m.id === id);
  }

  /** Messages matching every term of `query` and carrying every label in `labelIds`. */
  search(query: string, labelIds: string[]): MailboxMessage[] {
    const terms = searchTerms(query);
    return this.#messages.filter(
      (m) => labelIds.every((label) => m.labelIds.includes(label)) && terms.every((t) => matchesTerm(m, t)),
    );
  }

  all(): readonly MailboxMessage[] {
    return this.#messages;
  }

  clear(): void {
    this.#messages = [];
    this.#counter = 0;
  }
}
