// gw.gmail: send, list and read messages of the mailbox the gateway holds the credential for.

import { throwUnlessOk } from "./problem.js";
import { type EmailMessage, encodeRawMessage } from "./rfc2822.js";
import type { ToolCaller, ToolMethodOptions } from "./tool-caller.js";

const MESSAGES = "/gmail/v1/users/me/messages";

export interface GmailMessageRef {
  id: string;
  threadId: string;
  labelIds?: string[];
}

export interface GmailMessageList {
  /** Absent when nothing matched (as Gmail answers). */
  messages?: Array<{ id: string; threadId: string }>;
  nextPageToken?: string;
  resultSizeEstimate?: number;
}

export interface GmailHeader {
  name: string;
  value: string;
}

export interface GmailMessagePart {
  partId?: string;
  mimeType?: string;
  filename?: string;
  headers?: GmailHeader[];
  body?: { size: number; data?: string; attachmentId?: string };
  parts?: GmailMessagePart[];
}

export interface GmailMessage extends GmailMessageRef {
  snippet?: string;
  historyId?: string;
  internalDate?: string;
  sizeEstimate?: number;
  payload?: GmailMessagePart;
  /** With format "raw": the whole message, base64url. */
  raw?: string;
  [member: string]: unknown;
}

export interface GmailListParams {
  q?: string;
  maxResults?: number;
  pageToken?: string;
  labelIds?: string[];
}

export interface GmailGetParams {
  format?: "full" | "metadata" | "minimal" | "raw";
  metadataHeaders?: string[];
}

export interface GmailTool {
  /** Builds the RFC 2822 message (header values with CR/LF are refused) and sends it. Needs gmail:send. */
  send(message: EmailMessage, options?: ToolMethodOptions): Promise<GmailMessageRef>;
  /** Needs gmail:read. */
  list(params?: GmailListParams, options?: ToolMethodOptions): Promise<GmailMessageList>;
  /** Needs gmail:read. */
  get(id: string, params?: GmailGetParams, options?: ToolMethodOptions): Promise<GmailMessage>;
}

export function createGmailTool(call: ToolCaller): GmailTool {
  return {
    async send(message, options = {}) {
      const raw = encodeRawMessage(message);
      const response = await call("gmail", "POST", `${MESSAGES}/send`, { ...options, json: { raw } });
      return (await (await throwUnlessOk(response)).json()) as GmailMessageRef;
    },
    async list(params = {}, options = {}) {
      if (
        params.maxResults !== undefined &&
        !(Number.isInteger(params.maxResults) && params.maxResults > 0)
      ) {
        throw new RangeError("maxResults must be a positive integer");
      }
      const response = await call("gmail", "GET", MESSAGES, {
        ...options,
        query: {
          q: params.q,
          maxResults: params.maxResults,
          pageToken: params.pageToken,
          labelIds: params.labelIds,
        },
      });
      return (await (await throwUnlessOk(response)).json()) as GmailMessageList;
    },
    async get(id, params = {}, options = {}) {
      // Gmail ids are URL-safe; anything else would change the path (and is refused by the gateway anyway).
      if (typeof id !== "string" || !/^[A-Za-z0-9_-]{1,128}$/.test(id)) {
        throw new TypeError("id must be a Gmail message id (letters, digits, _ and -)");
      }
      const response = await call("gmail", "GET", `${MESSAGES}/${id}`, {
        ...options,
        query: { format: params.format, metadataHeaders: params.metadataHeaders },
      });
      return (await (await throwUnlessOk(response)).json()) as GmailMessage;
    },
  };
}
