import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatewayError } from "../../errors.js";
import { envelopeOf } from "./rfc2822-envelope.js";

const raw = (message: string) => ({ raw: Buffer.from(message).toString("base64url") });

describe("envelopeOf", () => {
  it("reads CRLF and LF messages alike", () => {
    for (const eol of ["\r\n", "\n"]) {
      const envelope = envelopeOf(raw(`To: a@example.com${eol}Subject: hi${eol}${eol}body\r`));
      assert.deepEqual(envelope, { to: ["a@example.com"], cc: [], bcc: [], subject: "hi" });
    }
  });

  it("refuses a bare CR in the header block, where a recipient could hide", () => {
    for (const message of [
      "To: a@example.com\r\nSubject: hi\rBcc: evil@example.net\r\n\r\nbody",
      "To: a@example.com\rBcc: evil@example.net\r\n\r\nbody",
      "To: a@example.com\r\r\nBcc: evil@example.net\r\n\r\nbody",
    ]) {
      assert.throws(
        () => envelopeOf(raw(message)),
        (error: unknown) => error instanceof GatewayError && error.code === "invalid_request",
        JSON.stringify(message),
      );
    }
  });
});
