import assert from "node:assert/strict";
import { test } from "node:test";
import { GatewayError, toProblem } from "../errors.js";
import { withClientErrorShape } from "./client-error-shapes.js";

const problem = toProblem(new GatewayError("policy_denied", "model gpt-4o is not allowed"), "req-1");

test("OpenAI routes carry OpenAI's error member beside the problem's own", () => {
  const shaped = withClientErrorShape("/v1/tools/openai/v1/chat/completions", problem);
  assert.deepEqual(shaped.error, {
    message: "model gpt-4o is not allowed",
    type: "permission_error",
    param: null,
    code: "policy_denied",
  });
  assert.equal(shaped.code, "policy_denied");
  assert.equal(shaped.detail, problem.detail);
});

test("other routes keep the plain problem", () => {
  for (const path of [
    "/v1/tools/openaix/v1/models",
    "/v1/tools/gmail/gmail/v1/users/me/messages",
    "/v1/tokens",
  ])
    assert.equal(withClientErrorShape(path, problem).error, undefined, path);
});
