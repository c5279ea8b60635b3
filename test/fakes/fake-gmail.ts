import { randomBytes } from "node:crypto";
import { type FakeServer, type Reply, startFakeServer } from "./fake-server.js";
import {
  Mailbox,
  type MailboxMessage,
  MESSAGE_FORMATS,
  type MessageFormat,
  messageResource,
} from "./gmail-mailbox.js";
import { FakeOAuthServer } from "./gmail-oauth.js";
import { googleError, invalidCredentials, oauthError } from "./google-errors.js";
import type { RecordedRequest } from "./recorded-request.js";
import { buildMessage, type ParsedMessage, parseMessage } from "./rfc2822.js";

/** A message the mailbox starts with (and returns to on `reset()`). */
export interface SeedMessage {
  from: string;
  /** Defaults to the account's address. */
  to?: string;
  subject: string;
  text: string;
  /** Default `["INBOX", "UNREAD"]`. */
  labelIds?: string[];
  date?: Date;
}

export interface FakeGmailOptions {
  /** The account behind `users/me` (default `agent@example.com`). */
  emailAddress?: string;
  /** OAuth client and refresh token the token endpoint accepts (default: random values, exposed on the fake). */
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  /** Lifetime of issued access tokens in seconds (default 3599, as Google). */
  accessTokenTtlSeconds?: number;
  /** Clock for token expiry, in ms since the epoch (default `Date.now`). */
  now?: () => number;
  /** Messages in the mailbox at start (default: two inbox messages). */
  seed?: SeedMessage[];
}

/** A message sent through the fake, as Gmail read it. */
export interface SentMessage
  extends Pick<ParsedMessage, "from" | "to" | "cc" | "bcc" | "subject" | "text" | "headers"> {
  id: string;
  threadId: string;
  /** The decoded RFC 2822 message as text. */
  raw: string;
}

export interface FakeGmail extends FakeServer {
  /** The OAuth2 token endpoint, `<url>/token`. */
  readonly tokenUrl: string;
  readonly emailAddress: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  /** Calls to the token endpoint so far, failed ones included; `reset()` zeroes it. */
  readonly tokenCalls: number;
  /** Messages sent through `messages/send`, oldest first. */
  readonly sent: SentMessage[];
  /** Revokes every access token issued so far, so the next API call answers 401; returns how many were live. */
  revokeAccessTokens(): number;
  /** Issues another refresh token the token endpoint accepts, and returns it. */
  issueRefreshToken(): string;
  /** Revokes a refresh token: refreshing with it answers invalid_grant. */
  revokeRefreshToken(token: string): void;
}

const GMAIL_SCOPES =
  "https://www.googleapis.com/auth/gmail.send https://www.googleapis.com/auth/gmail.readonly";
const SEED_EPOCH = Date.UTC(2026, 0, 5, 9, 0, 0);

const DEFAULT_SEED: SeedMessage[] = [
  {
    from: "Alice Example <alice@example.com>",
    subject: "Quarterly report",
    text: "Hi, the quarterly report is attached. Numbers look good.",
  },
  {
    from: "Bob Builder <bob@example.org>",
    subject: "Lunch tomorrow?",
    text: "Are you free for lunch tomorrow at noon?",
  },
];

const MESSAGE_ID = /^[0-9a-f]{16}$/;

function randomSecret(prefix: string): string {
  return `${prefix}${randomBytes(18).toString("base64url")}`;
}

function checkOptions(options: FakeGmailOptions): void {
  for (const name of ["emailAddress", "clientId", "clientSecret", "refreshToken"] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== "string" || value === "")) {
      throw new TypeError(`${name} must be a non-empty string`);
    }
  }
  const ttl = options.accessTokenTtlSeconds;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1)) {
    throw new RangeError("accessTokenTtlSeconds must be a positive integer");
  }
  if (options.now !== undefined && typeof options.now !== "function")
    throw new TypeError("now must be a function");
}

function toSent(message: MailboxMessage): SentMessage {
  const { parsed } = message;
  return {
    id: message.id,
    threadId: message.threadId,
    from: parsed.from,
    to: parsed.to,
    cc: parsed.cc,
    bcc: parsed.bcc,
    subject: parsed.subject,
    text: parsed.text,
    headers: parsed.headers,
    raw: message.raw.toString("utf8"),
  };
}

/** Starts a fake Gmail API (`users.messages` send/list/get, profile) with its OAuth2 token endpoint. */
export async function startFakeGmail(options: FakeGmailOptions = {}): Promise<FakeGmail> {
  checkOptions(options);
  const emailAddress = options.emailAddress ?? "agent@example.com";
  const clientId = options.clientId ?? `${randomBytes(6).toString("hex")}.apps.googleusercontent.com`;
  const clientSecret = options.clientSecret ?? randomSecret("GOCSPX-");
  const refreshToken = options.refreshToken ?? randomSecret("1//fake-");
  const seed = options.seed ?? DEFAULT_SEED;
  const oauth = new FakeOAuthServer({
    clientId,
    clientSecret,
    refreshToken,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3599,
    scope: GMAIL_SCOPES,
    now: options.now ?? Date.now,
  });
  const mailbox = new Mailbox();
  const sent: SentMessage[] = [];

  function loadSeed(): void {
    seed.forEach((message, index) => {
      const date = message.date ?? new Date(SEED_EPOCH + index * 60_000);
      const raw = buildMessage({ ...message, to: message.to ?? emailAddress, date });
      mailbox.add(Buffer.from(raw, "utf8"), message.labelIds ?? ["INBOX", "UNREAD"], {
        internalDate: date.getTime(),
      });
    });
  }
  loadSeed();

  function send(request: RecordedRequest): Reply {
    const body = request.json as { raw?: unknown; threadId?: unknown } | undefined;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return googleError(400, "Invalid JSON payload received.");
    }
    if (typeof body.raw !== "string" || body.raw === "") {
      return googleError(
        400,
        "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
      );
    }
    // Gmail takes URL-safe base64; the standard alphabet and padding are tolerated as well.
    if (!/^[A-Za-z0-9\-_+/=\s]*$/.test(body.raw))
      return googleError(400, "Invalid value for ByteString: raw");
    return deliver(Buffer.from(body.raw, "base64url"), body.threadId);
  }

  /** `POST /upload/gmail/v1/users/{userId}/messages/send`: uploadType=media (the message) or multipart. */
  function uploadSend(request: RecordedRequest): Reply {
    const contentType = (request.headers["content-type"] ?? "").toLowerCase();
    const uploadType = request.query.uploadType;
    if (uploadType === "media") {
      if (!contentType.startsWith("message/rfc822"))
        return googleError(400, "Media type 'text/plain' is not supported. Valid media types: [message/*]");
      return deliver(Buffer.from(request.body, "utf8"), undefined);
    }
    if (uploadType === "multipart") {
      const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
      if (!boundary) return googleError(400, "Bad multipart request");
      const parts = request.body
        .split(`--${boundary}`)
        .slice(1, -1)
        .map((part) => {
          const text = part.replace(/^\r\n/, "").replace(/\r\n$/, "");
          const end = text.indexOf("\r\n\r\n");
          return { headers: text.slice(0, end).toLowerCase(), content: text.slice(end + 4) };
        });
      const metadata = parts.find((p) => p.headers.includes("application/json"));
      const message = parts.find((p) => p.headers.includes("message/"));
      if (!message) return googleError(400, "Media type required");
      const threadId = metadata
        ? (JSON.parse(metadata.content || "{}") as { threadId?: unknown }).threadId
        : undefined;
      return deliver(Buffer.from(message.content, "utf8"), threadId);
    }
    return googleError(400, `Invalid upload type: ${String(uploadType)}`);
  }

  function deliver(raw: Buffer, threadIdValue: unknown): Reply {
    const parsed = parseMessage(raw);
    const recipients = [...parsed.to, ...parsed.cc, ...parsed.bcc];
    if (recipients.length === 0) return googleError(400, "Recipient address required");
    if (recipients.some((address) => !/^[^@\s]+@[^@\s]+$/.test(address))) {
      return googleError(400, "Invalid To header");
    }
    const threadId = typeof threadIdValue === "string" ? threadIdValue : undefined;
    const message = mailbox.add(raw, ["SENT"], threadId === undefined ? {} : { threadId });
    sent.push(toSent(message));
    return { status: 200, json: { id: message.id, threadId: message.threadId, labelIds: message.labelIds } };
  }

  function list(request: RecordedRequest): Reply {
    const params = new URL(request.url, "http://fake.invalid").searchParams;
    const maxResults = Number(params.get("maxResults") ?? "100");
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 500) {
      return googleError(400, "Invalid maxResults");
    }
    const pageToken = params.get("pageToken");
    const offset = pageToken === null ? 0 : Number(pageToken);
    if (!Number.isInteger(offset) || offset < 0) return googleError(400, "Invalid pageToken");
    const matches = mailbox.search(params.get("q") ?? "", params.getAll("labelIds"));
    const page = matches.slice(offset, offset + maxResults);
    const next = offset + maxResults < matches.length ? String(offset + maxResults) : undefined;
    // Like Gmail, an empty result has no `messages` member at all.
    return {
      status: 200,
      json: {
        ...(page.length > 0 ? { messages: page.map((m) => ({ id: m.id, threadId: m.threadId })) } : {}),
        ...(next !== undefined ? { nextPageToken: next } : {}),
        resultSizeEstimate: matches.length,
      },
    };
  }

  function get(request: RecordedRequest, id: string): Reply {
    if (!MESSAGE_ID.test(id)) return googleError(400, "Invalid id value");
    const params = new URL(request.url, "http://fake.invalid").searchParams;
    const format = (params.get("format") ?? "full") as MessageFormat;
    if (!MESSAGE_FORMATS.includes(format)) {
      return googleError(
        400,
        `Invalid value at 'format' (type.googleapis.com/google.apps.gmail.v1.Format), "${format}"`,
      );
    }
    const message = mailbox.get(id);
    if (!message) return googleError(404, "Requested entity was not found.");
    return { status: 200, json: messageResource(message, format, params.getAll("metadataHeaders")) };
  }

  function profile(): Reply {
    const messages = mailbox.all();
    return {
      status: 200,
      json: {
        emailAddress,
        messagesTotal: messages.length,
        threadsTotal: new Set(messages.map((m) => m.threadId)).size,
        historyId: String(1000 + messages.length),
      },
    };
  }

  function gmailApi(request: RecordedRequest): Reply {
    const match = /^(\/upload)?\/gmail\/v1\/users\/([^/]+)\/(.*)$/.exec(request.path);
    if (!match) return googleError(404, "Not Found");
    if (!oauth.isAuthorized(request)) return invalidCredentials();
    const [, upload, userId = "", rest = ""] = match;
    if (userId !== "me" && userId !== emailAddress)
      return googleError(403, `Delegation denied for ${userId}`);
    const route = `${request.method} ${rest}`;
    if (upload) return route === "POST messages/send" ? uploadSend(request) : googleError(404, "Not Found");
    if (route === "POST messages/send") return send(request);
    if (route === "GET messages") return list(request);
    if (route === "GET profile") return profile();
    const id = /^messages\/([^/]+)$/.exec(rest)?.[1];
    if (request.method === "GET" && id !== undefined) return get(request, id);
    return googleError(404, "Not Found");
  }

  const server = await startFakeServer({
    handle: (request) => (request.path === "/token" ? oauth.token(request) : gmailApi(request)),
    errorReply(status, message, request) {
      if (request.path !== "/token") return googleError(status, message);
      const code =
        status === 503 ? "temporarily_unavailable" : status >= 500 ? "server_error" : "invalid_request";
      return oauthError(status, code, message);
    },
    onReset() {
      oauth.reset();
      mailbox.clear();
      sent.length = 0;
      loadSeed();
    },
  });

  return {
    ...server,
    tokenUrl: `${server.url}/token`,
    emailAddress,
    clientId,
    clientSecret,
    refreshToken,
    get tokenCalls() {
      return oauth.calls;
    },
    sent,
    revokeAccessTokens: () => oauth.revokeAccessTokens(),
    issueRefreshToken: () => oauth.issueRefreshToken(),
    revokeRefreshToken: (token) => oauth.revokeRefreshToken(token),
  };
}
