import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildMessage, decodeEncodedWords, parseAddressList, parseMessage } from "./rfc2822.js";

describe("RFC 2822 reader", () => {
  it("keeps the addr-spec of each address, ignoring commas in quotes and comments", () => {
    assert.deepEqual(
      parseAddressList('"Doe, Jane" <jane@example.com>, bob@example.org (Bob, B.), <c@x.test>'),
      ["jane@example.com", "bob@example.org", "c@x.test"],
    );
    assert.deepEqual(parseAddressList(undefined), []);
    assert.deepEqual(parseAddressList(" , "), []);
  });

  it("decodes RFC 2047 encoded words, B and Q, joining adjacent ones", () => {
    assert.equal(decodeEncodedWords("=?UTF-8?B?w6l0w6k=?= =?UTF-8?Q?_=C3=A0_Paris?="), "été à Paris");
    assert.equal(decodeEncodedWords("plain"), "plain");
    assert.equal(decodeEncodedWords("=?x-unknown?B?AAAA?="), "=?x-unknown?B?AAAA?=");
  });

  it("unfolds headers and reads a message built by buildMessage", () => {
    const raw = buildMessage({ from: "a@x.test", to: "b@y.test", subject: "Hi", text: "Body ✓" }).replace(
      "Subject: Hi",
      "Subject: Hi\r\n there",
    );
    const parsed = parseMessage(Buffer.from(raw));
    assert.equal(parsed.subject, "Hi there");
    assert.equal(parsed.from, "a@x.test");
    assert.deepEqual(parsed.to, ["b@y.test"]);
    assert.equal(parsed.text, "Body ✓");
  });

  it("reads odd input without throwing", () => {
    for (const raw of [
      "",
      "no headers at all",
      "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n",
      "\r\n\r\n",
    ]) {
      const parsed = parseMessage(Buffer.from(raw));
      assert.equal(typeof parsed.text, "string");
    }
  });
});
