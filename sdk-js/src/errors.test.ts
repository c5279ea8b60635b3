import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AgentGatewayError,
  fromProblem,
  PolicyDeniedError,
  parseRetryAfter,
  RateLimitedError,
} from "./errors.js";

const problem = (code: string, extra: Record<string, unknown> = {}) => ({
  type: `https://agentgw.dev/problems/${code}`,
  title: "t",
  status: 403,
  detail: "d",
  code,
  requestId: "req-1",
  ...extra,
});

describe("fromProblem", () => {
  it("maps policy_denied to PolicyDeniedError with its reasons", () => {
    const error = fromProblem(403, problem("policy_denied", { reasons: ["outside business hours", 7] }));
    assert.ok(error instanceof PolicyDeniedError);
    assert.equal(error.code, "policy_denied");
    assert.deepEqual(error.reasons, ["outside business hours"]);
    assert.equal(error.requestId, "req-1");
  });

  it("maps rate_limited to RateLimitedError with Retry-After in seconds", () => {
    const error = fromProblem(429, problem("rate_limited"), new Headers({ "Retry-After": "12" }));
    assert.ok(error instanceof RateLimitedError);
    assert.equal(error.retryAfter, 12);
    assert.equal(
      (fromProblem(429, problem("rate_limited"), {}) as RateLimitedError).retryAfter,
      null,
      "absent Retry-After",
    );
  });

  it("keeps every other code, including ones this SDK does not know yet", () => {
    const error = fromProblem(401, problem("signature_expired"));
    assert.ok(error instanceof AgentGatewayError);
    assert.equal(error.code, "signature_expired");
    assert.equal(error.status, 401);
    assert.equal(fromProblem(418, problem("brand_new_code")).code, "brand_new_code");
  });

  it("turns a non-problem answer into unexpected_response, with the request id header", () => {
    const error = fromProblem(502, "<html>bad gateway</html>", { "X-Request-Id": "abc" });
    assert.equal(error.code, "unexpected_response");
    assert.equal(error.requestId, "abc");
    assert.equal(error.problem.detail, "<html>bad gateway</html>");
  });
});

describe("parseRetryAfter", () => {
  it("reads delay-seconds and HTTP-dates", () => {
    assert.equal(parseRetryAfter("0"), 0);
    assert.equal(parseRetryAfter("Thu, 01 Jan 1970 00:01:40 GMT", 40_000), 60);
    assert.equal(parseRetryAfter("soon"), null);
  });
});
