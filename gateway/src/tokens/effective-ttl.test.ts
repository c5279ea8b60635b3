import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatewayError } from "../errors.js";
import { effectiveTtl } from "./effective-ttl.js";

describe("effectiveTtl", () => {
  it("is the configured maximum when nothing else limits it", () => {
    assert.equal(effectiveTtl(undefined, undefined, 300), 300);
    assert.equal(effectiveTtl(undefined, null, 300), 300);
  });

  it("is the least of asked, obligation and configured maximum", () => {
    assert.equal(effectiveTtl(60, undefined, 300), 60);
    assert.equal(effectiveTtl(900, undefined, 300), 300);
    assert.equal(effectiveTtl(200, 120, 300), 120);
    assert.equal(effectiveTtl(90, 120, 300), 90);
    assert.equal(effectiveTtl(undefined, 600, 300), 300);
    assert.equal(effectiveTtl(undefined, 45, 300), 45);
  });

  it("rounds a fractional obligation down", () => {
    assert.equal(effectiveTtl(undefined, 59.9, 300), 59);
  });

  it("refuses an asked lifetime that is not a positive integer as invalid_request", () => {
    for (const asked of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => effectiveTtl(asked, undefined, 300),
        (error: unknown) => error instanceof GatewayError && error.code === "invalid_request",
        `asked ${asked}`,
      );
    }
  });

  it("denies (fails closed) when the policy's obligation is not a positive number", () => {
    for (const obligation of [0, -1, 0.5, "60", Number.NaN, Number.POSITIVE_INFINITY, {}, true]) {
      assert.throws(
        () => effectiveTtl(60, obligation, 300),
        (error: unknown) => error instanceof GatewayError && error.code === "policy_denied",
        `obligation ${String(obligation)}`,
      );
    }
  });

  it("treats a bad configured maximum as a programming error", () => {
    assert.throws(() => effectiveTtl(60, undefined, 0), RangeError);
    assert.throws(() => effectiveTtl(60, undefined, 2.5), RangeError);
  });
});
