import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { periodKey, secondsUntilNextPeriod } from "./budget-periods.js";

const at = (iso: string) => Date.parse(iso) / 1000;

describe("budget periods (UTC)", () => {
  it("names days and months", () => {
    assert.equal(periodKey("day", at("2026-11-22T23:59:59Z")), "2026-11-22");
    assert.equal(periodKey("day", at("2026-11-23T00:00:00Z")), "2026-11-23");
    assert.equal(periodKey("month", at("2026-11-30T23:59:59Z")), "2026-11");
    // Local time zones never matter: 23:30 in UTC-5 is already the next UTC day.
    assert.equal(periodKey("day", at("2026-11-22T23:30:00-05:00")), "2026-11-23");
  });

  it("counts the seconds to the next period, across months, years and leap days", () => {
    assert.equal(secondsUntilNextPeriod("day", at("2026-11-22T23:59:30Z")), 30);
    assert.equal(secondsUntilNextPeriod("day", at("2026-11-22T00:00:00Z")), 86_400);
    assert.equal(secondsUntilNextPeriod("month", at("2026-12-31T23:00:00Z")), 3600);
    assert.equal(secondsUntilNextPeriod("month", at("2028-02-01T00:00:00Z")), 29 * 86_400);
    assert.equal(secondsUntilNextPeriod("day", at("2026-11-22T23:59:59.5Z")), 1);
  });
});
