import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GatewayError } from "../../errors.js";
import { sentMessageOf } from "./sent-message.js";

const MESSAGE = "From: a@example.com\r\nTo: bob@example.com\r\nSubject: hi\r\n\r\nhello\r\n";
const upload = (query: string, contentType: string, body: string) => ({
  path: "/upload/gmail/v1/users/me/messages/send",
  query,
  headers: { "content-type": contentType },
  body: Buffer.from(body, "latin1"),
  json: null,
});
const multipart = (parts: Array<[string, string]>, boundary = "b0und") =>
  `${parts.map(([type, content]) => `--${boundary}\r\ncontent-type: ${type}\r\n\r\n${content}\r\n`).join("")}--${boundary}--`;
const refused = (e: GatewayError) => e.code === "invalid_request";

describe("the message a Gmail send carries", () => {
  it("reads JSON raw, a media upload and a multipart upload alike", () => {
    const json = {
      path: "/gmail/v1/users/me/messages/send",
      query: "",
      headers: {},
      body: Buffer.from("{}"),
      json: { raw: Buffer.from(MESSAGE).toString("base64url") },
    };
    assert.equal(sentMessageOf(json).toString(), MESSAGE);
    assert.equal(sentMessageOf(upload("uploadType=media", "message/rfc822", MESSAGE)).toString(), MESSAGE);
    const body = multipart([
      ["application/json", '{"threadId":"t1"}'],
      ["message/rfc822", MESSAGE],
    ]);
    assert.equal(
      sentMessageOf(upload("uploadType=multipart", 'multipart/related; boundary="b0und"', body)).toString(),
      MESSAGE,
    );
  });

  it("refuses what could hide a recipient or that it cannot read with certainty", () => {
    const related = "multipart/related; boundary=b0und";
    const cases = [
      upload("uploadType=resumable", "message/rfc822", MESSAGE),
      upload("uploadType=media&uploadType=multipart", "message/rfc822", MESSAGE),
      upload("", "message/rfc822", MESSAGE),
      upload("uploadType=media", "text/plain", MESSAGE),
      upload("uploadType=multipart", related, multipart([["message/rfc822", MESSAGE]])),
      upload(
        "uploadType=multipart",
        related,
        multipart([
          ["application/json", "{}"],
          ["message/rfc822", MESSAGE],
          ["message/rfc822", MESSAGE.replace("bob@", "eve@")],
        ]),
      ),
      upload(
        "uploadType=multipart",
        related,
        multipart([
          ["application/json", `{"raw":"${Buffer.from(MESSAGE).toString("base64url")}"}`],
          ["message/rfc822", MESSAGE],
        ]),
      ),
      upload("uploadType=multipart", "multipart/related", multipart([["application/json", "{}"]])),
      upload("uploadType=multipart", related, `--b0und\r\ncontent-type: application/json\r\n\r\n{}`),
    ];
    for (const call of cases) assert.throws(() => sentMessageOf(call), refused, JSON.stringify(call.query));
  });
});
