// The npm test reporter reads each runner's own summary; these are the lines those runners print.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countTests, tapFailures } from "../../scripts/test-report.mjs";

describe("countTests", () => {
  it("node's test runner: # pass / # fail", () => {
    assert.deepEqual(countTests(["TAP version 13", "# tests 12", "# pass 11", "# fail 1", "# cancelled 0"]), {
      passed: 11,
      failed: 1,
    });
  });

  it("pytest -q: the closing line, errors counted as failures", () => {
    assert.deepEqual(countTests(["....", "180 passed in 16.63s"]), { passed: 180, failed: 0 });
    assert.deepEqual(countTests(["2 failed, 178 passed, 3 skipped in 20.01s"]), { passed: 178, failed: 2 });
    assert.deepEqual(countTests(["1 failed, 5 passed, 1 error in 2.00s"]), { passed: 5, failed: 2 });
  });

  it("opa test: PASS n/m and FAIL n/m", () => {
    assert.deepEqual(countTests(["data.agentgw.test_x: PASS (1ms)", "PASS: 118/120", "FAIL: 2/120"]), {
      passed: 118,
      failed: 2,
    });
  });

  it("null for output without a runner's summary (build, lint)", () => {
    assert.equal(countTests(["> tsc -p tsconfig.build.json", "Checked 28 files in 169ms."]), null);
  });
});

describe("tapFailures", () => {
  it("keeps failing tests with their diagnostics, leaves out suites that failed only through a child", () => {
    const lines = [
      "# Subtest: suite",
      "    # Subtest: works",
      "    ok 1 - works",
      "    # Subtest: breaks",
      "    not ok 2 - breaks",
      "      ---",
      "      error: 'expected 3'",
      "      ...",
      "    1..2",
      "not ok 1 - suite",
      "  ---",
      "  failureType: 'subtestsFailed'",
      "  ...",
      "# pass 1",
    ];
    assert.deepEqual(tapFailures(lines), ["not ok 2 - breaks\n  ---\n  error: 'expected 3'\n  ..."]);
  });
});
