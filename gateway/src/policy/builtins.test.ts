import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CUSTOM_BUILTINS, HOST_BUILTINS } from "./builtins.js";

const call = (name: string, ...args: unknown[]) => {
  const builtin = CUSTOM_BUILTINS[name];
  assert.ok(builtin, name);
  return builtin(...args);
};

// 2026-03-29T00:30:00Z: 01:30 CET on the day Berlin moves its clocks forward at 02:00.
const beforeShift = Date.parse("2026-03-29T00:30:00Z") * 1e6;
const afterShift = Date.parse("2026-03-29T01:30:00Z") * 1e6;

describe("host time builtins", () => {
  test("time.clock in UTC and in a named zone, across a DST change", () => {
    assert.deepEqual(call("time.clock", beforeShift), [0, 30, 0]);
    assert.deepEqual(call("time.clock", [beforeShift, "Europe/Berlin"]), [1, 30, 0]);
    assert.deepEqual(call("time.clock", [afterShift, "Europe/Berlin"]), [3, 30, 0]);
    assert.deepEqual(call("time.clock", [afterShift, ""]), [1, 30, 0]);
  });

  test("time.weekday and time.date use the zone's calendar day", () => {
    const lateSunday = Date.parse("2026-11-22T23:30:00Z") * 1e6;
    assert.equal(call("time.weekday", lateSunday), "Sunday");
    assert.equal(call("time.weekday", [lateSunday, "Asia/Tokyo"]), "Monday");
    assert.deepEqual(call("time.date", [lateSunday, "Asia/Tokyo"]), [2026, 11, 23]);
    assert.deepEqual(call("time.date", [lateSunday, "America/Los_Angeles"]), [2026, 11, 22]);
  });

  test("an unknown zone or a malformed argument throws (the evaluation then fails closed)", () => {
    assert.throws(() => call("time.clock", [afterShift, "Nowhere/Special"]), RangeError);
    assert.throws(() => call("time.weekday", ["soon", "UTC"]), TypeError);
    assert.throws(() => call("time.date", [afterShift, 5]), TypeError);
  });

  test("time.parse_rfc3339_ns keeps sub-millisecond digits and offsets", () => {
    assert.equal(call("time.parse_rfc3339_ns", "1970-01-01T00:00:01.000000500Z"), 1_000_000_500);
    assert.equal(call("time.parse_rfc3339_ns", "1970-01-01T01:00:00+01:00"), 0);
    assert.throws(() => call("time.parse_rfc3339_ns", "yesterday"), RangeError);
    assert.throws(() => call("time.parse_rfc3339_ns", "2026-11-22"), RangeError);
  });

  test("the SDK's own builtins and ours are all known host builtins", () => {
    for (const name of ["sprintf", "json.is_valid", "time.clock", "time.weekday"])
      assert.ok(HOST_BUILTINS.has(name), name);
    assert.equal(HOST_BUILTINS.has("http.send"), false);
  });
});
