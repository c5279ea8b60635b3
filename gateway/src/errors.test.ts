import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ERROR_TABLE, GatewayError, PROBLEM_TYPE_BASE, toProblem } from "./errors.js";

const docs = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");

/** The documented table as code → status, read cell by cell so column padding does not matter. */
const documented = new Map(
  docs
    .split("\n")
    .map((line) => line.split("|").map((cell) => cell.trim()))
    .filter((cells) => /^`[a-z_]+`$/.test(cells[1] ?? ""))
    .map((cells) => [cells[1]!.slice(1, -1), Number(cells[2])] as const),
);

describe("error table", () => {
  it("every code is documented in docs/errors.md with its status", () => {
    for (const [code, { status }] of Object.entries(ERROR_TABLE)) {
      assert.ok(documented.has(code), `docs/errors.md has no row for ${code}`);
      assert.equal(documented.get(code), status, `docs/errors.md gives ${code} the status ${status}`);
    }
  });

  it("documents no code the table lacks", () => {
    assert.ok(documented.size > 0);
    for (const code of documented.keys())
      assert.ok(code in ERROR_TABLE, `${code} is documented but not in the table`);
  });

  it("uses the contract's statuses for the codes it fixes", () => {
    assert.equal(ERROR_TABLE.rate_limited.status, 429);
    assert.equal(ERROR_TABLE.upstream_timeout.status, 504);
    assert.equal(ERROR_TABLE.upstream_unavailable.status, 503);
    assert.equal(ERROR_TABLE.upstream_error.status, 502);
    for (const code of [
      "signature_missing",
      "signature_invalid",
      "signature_expired",
      "replay_detected",
      "unknown_key",
    ] as const) {
      assert.equal(ERROR_TABLE[code].status, 401);
    }
  });

  it("renders RFC 9457 problem details with code, requestId and extensions", () => {
    const problem = toProblem(
      new GatewayError("policy_denied", "no", { extensions: { reasons: ["r1"] } }),
      "req_1",
    );
    assert.deepEqual(problem, {
      type: `${PROBLEM_TYPE_BASE}policy_denied`,
      title: "Denied by policy",
      status: 403,
      detail: "no",
      code: "policy_denied",
      requestId: "req_1",
      reasons: ["r1"],
    });
  });

  it("extensions cannot overwrite the standard members", () => {
    const problem = toProblem(
      new GatewayError("not_found", "x", { extensions: { status: 200, code: "fake" } }),
      "r",
    );
    assert.equal(problem.status, 404);
    assert.equal(problem.code, "not_found");
  });
});
