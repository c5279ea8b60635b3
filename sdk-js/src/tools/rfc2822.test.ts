import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBase64, fromBase64Url } from "../encoding.js";
import { buildRfc2822Message, encodeHeaderText, encodeRawMessage } from "./rfc2822.js";

const date = new Date("2026-11-22T10:00:00Z");
const decode = (bytes: Uint8Array | null) => new TextDecoder().decode(bytes!);

/** Decodes a header of RFC 2047 B words folded with CRLF SP, as a mail reader would. */
function decodeWords(value: string): string {
  return value
    .split("\r\n ")
    .map((word) => decode(fromBase64(/^=\?UTF-8\?B\?(.*)\?=$/.exec(word)![1]!)))
    .join("");
}

describe("buildRfc2822Message", () => {
  it("writes the headers, a base64 UTF-8 body and CRLF line ends", () => {
    const text = buildRfc2822Message(
      {
        to: ["a@example.com", "Bo <b@example.org>"],
        cc: "c@example.com",
        bcc: [],
        subject: "Weekly report",
        text: "Hi,\nall good.",
      },
      date,
    );
    const [head, body] = text.split("\r\n\r\n");
    assert.deepEqual(head!.split("\r\n"), [
      "To: a@example.com, Bo <b@example.org>",
      "Cc: c@example.com",
      "Subject: Weekly report",
      "Date: Sun, 22 Nov 2026 10:00:00 +0000",
      "MIME-Version: 1.0",
      'Content-Type: text/plain; charset="UTF-8"',
      "Content-Transfer-Encoding: base64",
    ]);
    assert.equal(decode(fromBase64(body!.replace(/\r\n/g, ""))), "Hi,\nall good.");
    assert.ok(!/[^\r]\n/.test(text), "every line ends with CRLF");
  });

  it("is the same bytes for the same message when no date is given (Gmail adds Date)", () => {
    const message = { to: "a@example.com", subject: "s", text: "t" };
    assert.equal(buildRfc2822Message(message), buildRfc2822Message(message));
    assert.ok(!/^Date:/m.test(buildRfc2822Message(message)));
  });

  it("refuses CR, LF and NUL in any header value (no header injection)", () => {
    const ok = { to: "a@example.com", subject: "s", text: "t" };
    for (const bad of [
      { ...ok, subject: "hi\r\nBcc: evil@x.com" },
      { ...ok, subject: "line\nbreak" },
      { ...ok, to: "a@example.com\r\nBcc: evil@x.com" },
      { ...ok, cc: ["c@example.com", "d@example.com\n"] },
      { ...ok, bcc: "e@example.com\0" },
      { ...ok, from: "me@example.com\rX: y" },
    ]) {
      assert.throws(() => buildRfc2822Message(bad, date), /must not contain CR, LF or NUL/);
    }
    assert.throws(() => buildRfc2822Message({ ...ok, to: [] }, date), /at least one recipient/);
    assert.throws(
      () => buildRfc2822Message({ ...ok, to: "Jürgen <j@example.com>" }, date),
      /printable ASCII/,
    );
    assert.equal(
      buildRfc2822Message({ ...ok, text: "a\r\nBcc: x@y.z" }, date).includes("Bcc:"),
      false,
      "the body is encoded",
    );
  });

  it("encodes a non-ASCII subject as RFC 2047 words of at most 75 characters, never splitting a character", () => {
    const subject = "Grüße aus Köln — 東京の天気 ".repeat(4);
    const encoded = encodeHeaderText(subject);
    for (const word of encoded.split("\r\n ")) {
      assert.match(word, /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
      assert.ok(word.length <= 75);
      assert.ok(!decode(fromBase64(word.slice(10, -2))).includes("\uFFFD"));
    }
    assert.equal(decodeWords(encoded), subject);
    assert.equal(encodeHeaderText("plain ascii"), "plain ascii");
  });

  it("encodeRawMessage is the message as base64url", () => {
    const message = { to: "a@example.com", subject: "ß?", text: "ok ~~~ ???" };
    const raw = encodeRawMessage(message, date);
    assert.match(raw, /^[A-Za-z0-9_-]+$/);
    assert.equal(decode(fromBase64Url(raw)), buildRfc2822Message(message, date));
  });
});
