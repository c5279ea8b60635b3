import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fields, table } from "./output.js";

describe("table", () => {
  it("pads columns, upper-cases headers and shows missing values as -", () => {
    const text = table(
      [
        { id: "a", scopes: ["x", "y"], note: null },
        { id: "longer", scopes: [], note: "line\nbreak" },
      ],
      [
        ["id", (r) => r.id],
        ["scopes", (r) => r.scopes],
        ["note", (r) => r.note],
      ],
    );
    assert.equal(
      text,
      ["ID      SCOPES  NOTE", "a       x,y     -", "longer  -       line break"].join("\n"),
    );
  });

  it("says (none) for no rows", () => {
    assert.equal(table([], [["id", () => 1]]), "(none)");
  });
});

describe("fields", () => {
  it("aligns values after the names", () => {
    assert.equal(
      fields([
        ["id", "agt_1"],
        ["status", "active"],
      ]),
      "id:     agt_1\nstatus: active",
    );
  });
});
