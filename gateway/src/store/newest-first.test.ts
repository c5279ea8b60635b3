import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeCursor, encodeCursor } from "./ids.js";
import { newestFirstSelect, toNewestFirstPage } from "./newest-first.js";

describe("newest-first pages", () => {
  it("select below the cursor, with the given filters only, one row more than the limit", () => {
    const { sql, args } = newestFirstSelect(
      "decisions",
      [
        ["agent_id", "agt_1"],
        ["tool", undefined],
        ["allow", 0],
        ["phase", ""],
      ],
      { limit: 5, cursor: encodeCursor("42") },
      (n) => `$${n}`,
    );
    assert.equal(
      sql,
      "SELECT * FROM decisions WHERE seq < $1 AND agent_id = $2 AND allow = $3 ORDER BY seq DESC LIMIT $4",
    );
    assert.deepEqual(args, [42, "agt_1", 0, 6]);
  });

  it("select from the newest row when there is no cursor, in SQLite's markers too", () => {
    const { sql, args } = newestFirstSelect("audit", [["action", "agent.deleted"]], { limit: 2 }, () => "?");
    assert.equal(sql, "SELECT * FROM audit WHERE action = ? ORDER BY seq DESC LIMIT ?");
    assert.deepEqual(args, ["agent.deleted", 3]);
  });

  it("give a next cursor only when more rows than the limit came back", () => {
    const rows = [{ seq: 9 }, { seq: 7 }, { seq: 4 }];
    const full = toNewestFirstPage(rows, 2, (r) => r.seq);
    assert.deepEqual(full.items, [9, 7]);
    assert.equal(decodeCursor(full.nextCursor!), "7");
    assert.deepEqual(
      toNewestFirstPage(rows, 3, (r) => r.seq),
      { items: [9, 7, 4], nextCursor: null },
    );
  });
});
