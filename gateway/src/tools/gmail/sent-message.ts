// The RFC 2822 message a Gmail messages.send call carries, whichever way the client sent it — the policy
// must judge the very message Gmail will send:
//   POST /gmail/v1/users/{userId}/messages/send                       JSON {raw: base64url}
//   POST /upload/gmail/v1/users/{userId}/messages/send?uploadType=media       the message itself (message/rfc822)
//   POST /upload/gmail/v1/users/{userId}/messages/send?uploadType=multipart   multipart/related: JSON metadata,
//                                                                               then the message
// (the official Node client uses the upload forms when given `media`). Anything else — a resumable upload,
// a second message part, `raw` in the metadata beside an uploaded message — is refused: a message the
// gateway cannot read with certainty could hide a recipient from the policy.
import { GatewayError } from "../../errors.js";
import type { ToolCall } from "../types.js";
import { decodeRaw } from "./rfc2822-envelope.js";

function invalid(detail: string): GatewayError {
  return new GatewayError("invalid_request", detail);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const mediaType = (contentType: string | undefined) =>
  (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();

export function sentMessageOf(call: Pick<ToolCall, "path" | "query" | "headers" | "body" | "json">): Buffer {
  if (!call.path.startsWith("/upload/")) {
    if (!isObject(call.json)) throw invalid("the request body must be a JSON object with raw");
    return decodeRaw(call.json.raw);
  }
  const uploadTypes = new URLSearchParams(call.query).getAll("uploadType");
  if (uploadTypes.length !== 1) throw invalid("an upload names one uploadType: media or multipart");
  if (call.body === null || call.body.length === 0) throw invalid("the upload carries no message");
  const contentType = call.headers["content-type"];
  if (uploadTypes[0] === "media") {
    if (mediaType(contentType) !== "message/rfc822")
      throw invalid("uploadType=media takes the message itself as message/rfc822");
    return call.body;
  }
  if (uploadTypes[0] === "multipart") return messageOfMultipart(contentType, call.body);
  throw invalid("only uploadType=media and uploadType=multipart are accepted for messages.send");
}

/** RFC 2046 §5.1 / RFC 2387: exactly a JSON metadata part and a message/rfc822 part, CRLF delimited. */
function messageOfMultipart(contentType: string | undefined, body: Buffer): Buffer {
  if (mediaType(contentType) !== "multipart/related")
    throw invalid("uploadType=multipart takes multipart/related");
  const boundary = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType ?? "");
  const delimiter = boundary?.[1] ?? boundary?.[2];
  if (!delimiter) throw invalid("the multipart/related body names no boundary");
  const text = body.toString("latin1"); // byte-preserving: the message part is cut out as bytes
  const open = `--${delimiter}\r\n`;
  const start = text.indexOf(open);
  if (start !== 0) throw invalid("the multipart body does not start with its boundary");
  const segments = text.slice(open.length).split(`\r\n--${delimiter}`);
  const closing = segments.pop();
  if (closing === undefined || !/^--(\r\n)?$/.test(closing))
    throw invalid("the multipart body does not end with its closing boundary");
  const parts = segments.map((segment, i) => {
    const raw = i === 0 ? segment : segment.replace(/^\r\n/, "");
    if (i > 0 && raw === segment) throw invalid("a multipart boundary is not followed by a line break");
    const end = raw.indexOf("\r\n\r\n");
    if (end < 0) throw invalid("a multipart part has no header block");
    const headers = raw.slice(0, end).toLowerCase();
    const type = /^content-type:\s*([^\r\n;]+)/m.exec(headers)?.[1]?.trim();
    return { type, content: raw.slice(end + 4) };
  });
  if (parts.length !== 2 || parts[0]!.type !== "application/json" || parts[1]!.type !== "message/rfc822")
    throw invalid("the multipart upload must hold JSON metadata, then one message/rfc822 part");
  let metadata: unknown;
  try {
    metadata = parts[0]!.content.trim() === "" ? {} : JSON.parse(parts[0]!.content);
  } catch {
    throw invalid("the multipart metadata is not JSON");
  }
  if (!isObject(metadata) || "raw" in metadata)
    throw invalid(
      "the multipart metadata must be a JSON object without raw (the message is the second part)",
    );
  return Buffer.from(parts[1]!.content, "latin1");
}
