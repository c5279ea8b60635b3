import assert from "node:assert/strict";
import { it } from "node:test";
import { requestedTokenCap } from "./token-estimate.js";

it("reads the request's own output-token cap, ignoring anything that is not one", () => {
  assert.equal(requestedTokenCap({ max_completion_tokens: 300, max_tokens: 10 }), 300);
  assert.equal(requestedTokenCap({ max_tokens: 128 }), 128);
  assert.equal(requestedTokenCap({ max_output_tokens: 64 }), 64);
  for (const body of [null, "text", [1], {}, { max_tokens: "9" }, { max_tokens: -1 }, { max_tokens: 1.5 }]) {
    assert.equal(requestedTokenCap(body), undefined, JSON.stringify(body));
  }
});
