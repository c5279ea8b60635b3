import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import type { NextFunction, Request, Response } from "express";
import { createLogger } from "../log.js";
import { accessLog } from "./access-log.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

function finishedRequest(locals: Record<string, unknown>) {
  const res = Object.assign(new EventEmitter(), {
    locals,
    statusCode: 201,
    req: { method: "POST", path: "/v1/tools/openai/v1/chat/completions" },
  });
  return res;
}

describe("accessLog", () => {
  it("writes one line per finished request with the request's fields, and the logger still redacts its other lines", () => {
    const { lines, stream } = capture();
    const logger = createLogger("info", stream);
    const res = finishedRequest({
      requestId: "req_1",
      trace: { traceId: "0af7651916cd43dd8448eb211c80319c" },
      startedAt: process.hrtime.bigint(),
      agent: { id: "agt_1" },
      decisionId: "dec_1",
      decision: { allow: true },
    });
    let nexts = 0;
    const next: NextFunction = () => {
      nexts++;
    };
    accessLog(logger)({} as Request, res as unknown as Response, next);
    assert.equal(nexts, 1);
    res.emit("finish");
    logger.info({ headers: { authorization: "Bearer secret" } }, "other");
    assert.equal(lines.length, 2);
    const { time, ms, ...line } = lines[0]!;
    assert.equal(typeof time, "string");
    assert.equal(typeof ms, "number");
    assert.deepEqual(line, {
      level: "info",
      service: "agentgw",
      requestId: "req_1",
      traceId: "0af7651916cd43dd8448eb211c80319c",
      method: "POST",
      path: "/v1/tools/openai/v1/chat/completions",
      status: 201,
      agentId: "agt_1",
      decisionId: "dec_1",
      allow: true,
      msg: "request",
    });
    assert.deepEqual(lines[1]!.headers, { authorization: "[redacted]" });
  });

  it("builds nothing when the info level is off", () => {
    const { lines, stream } = capture();
    const res = finishedRequest({});
    accessLog(createLogger("warn", stream))({} as Request, res as unknown as Response, () => {});
    res.emit("finish"); // locals lack every field: building the line would throw
    assert.equal(lines.length, 0);
  });
});
