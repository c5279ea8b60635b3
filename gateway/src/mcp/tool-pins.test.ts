import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toolDigest } from "./tool-digest.js";
import { createToolPins, memoryToolPinRows } from "./tool-pins.js";

const readFile = (description: string) => ({
  name: "read_file",
  description,
  inputSchema: { type: "object", properties: { path: { type: "string" } } },
});

describe("tool pins", () => {
  it("pins the first definition, hides a changed one until it is accepted", async () => {
    const pins = createToolPins(memoryToolPinRows());
    assert.deepEqual([...(await pins.observe("repo", [readFile("reads")]))], []);
    assert.deepEqual([...(await pins.observe("repo", [readFile("reads, and more")]))], ["read_file"]);
    const [pin] = await pins.list("repo");
    assert.equal(pin?.seen.description, "reads, and more");
    await assert.rejects(pins.accept("repo", "read_file", pin!.pinnedDigest), /seen last/);
    await pins.accept("repo", "read_file", pin!.seenDigest);
    assert.deepEqual([...(await pins.observe("repo", [readFile("reads, and more")]))], []);
    // Going back to the old definition is a change too: it is not what was accepted last.
    assert.deepEqual([...(await pins.observe("repo", [readFile("reads")]))], ["read_file"]);
  });

  it("accepting a tool never seen is not_found", async () => {
    await assert.rejects(createToolPins(memoryToolPinRows()).accept("repo", "nope"), /no tool nope/);
  });

  it("digests cover name, description and both schemas, not member order", () => {
    const base = readFile("reads");
    assert.equal(
      toolDigest(base),
      toolDigest({
        inputSchema: { properties: { path: { type: "string" } }, type: "object" },
        description: "reads",
        name: "read_file",
      }),
    );
    assert.notEqual(toolDigest(base), toolDigest({ ...base, name: "read_files" }));
    assert.notEqual(toolDigest(base), toolDigest({ ...base, description: "reads " }));
    assert.notEqual(toolDigest(base), toolDigest({ ...base, inputSchema: { type: "object" } }));
    assert.notEqual(toolDigest(base), toolDigest({ ...base, outputSchema: { type: "object" } }));
  });
});
