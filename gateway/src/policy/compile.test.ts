import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { GatewayError } from "../errors.js";
import { readBundle } from "./bundle.js";
import { compileFolder, listPolicyFiles, parseOpaErrors } from "./compile.js";
import { cleanupFixtures, opaPath, writeFiles, writeFolder } from "./testing/opa-fixtures.js";

after(cleanupFixtures);

describe("compileFolder", () => {
  test("builds the folder's Rego and data, leaving out tests, with a content revision", async () => {
    const folder = await writeFolder({
      "decision.rego":
        'package agentgw\n\ndecision := {"allow": data.open, "reasons": [], "obligations": {}}\n',
      "decision_test.rego": "package agentgw_test\n\ntest_nothing if true\n",
      "data.json": '{"open": true}',
      "dist/stale.rego": "this is not rego",
    });
    assert.deepEqual(
      (await listPolicyFiles(folder)).map((file) => file.slice(folder.length + 1)),
      ["data.json", "decision.rego"],
    );
    const first = await compileFolder(folder, await opaPath());
    assert.match(first.revision, /^sha256:[0-9a-f]{16}$/);
    const bundle = await readBundle(first.bundle);
    assert.equal(bundle.revision, first.revision);
    assert.deepEqual(bundle.data, { open: true });

    await writeFiles(folder, { "data.json": '{"open": false}' });
    assert.notEqual((await compileFolder(folder, await opaPath())).revision, first.revision);
  });

  test("reports compile errors with file and row", async () => {
    const folder = await writeFolder({
      "ok.rego": 'package agentgw\n\ndecision := {"allow": true}\n',
      "sub/broken.rego": "package agentgw\n\nx := y\n",
    });
    await assert.rejects(compileFolder(folder, await opaPath()), (error: unknown) => {
      assert.ok(error instanceof GatewayError);
      assert.equal(error.code, "policy_invalid");
      const errors = error.extensions.errors as Array<{ message: string; file?: string; row?: number }>;
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.file, join("sub", "broken.rego"));
      assert.equal(errors[0]?.row, 3);
      assert.match(errors[0]?.message ?? "", /rego_unsafe_var_error: var y is unsafe/);
      return true;
    });
  });

  test("refuses a folder without Rego", async () => {
    const folder = await writeFolder({ "data.json": "{}" });
    await assert.rejects(compileFolder(folder, await opaPath()), /no \.rego files/);
  });
});

describe("parseOpaErrors", () => {
  test("splits opa's error list and skips the source excerpts", () => {
    const output = `error: load error: 2 errors occurred during loading:
/p/a.rego:4: rego_parse_error: unexpected eof token: non-terminated object
\tdecision := {"allow": true
\t                         ^
/p/b.rego:9: rego_type_error: undefined function foo`;
    assert.deepEqual(parseOpaErrors(output), [
      { message: "rego_parse_error: unexpected eof token: non-terminated object", file: "/p/a.rego", row: 4 },
      { message: "rego_type_error: undefined function foo", file: "/p/b.rego", row: 9 },
    ]);
  });

  test("keeps an error without a location as one message", () => {
    assert.deepEqual(
      parseOpaErrors('error: entrypoint "agentgw/decision" does not refer to a rule or policy decision\n'),
      [{ message: 'entrypoint "agentgw/decision" does not refer to a rule or policy decision' }],
    );
  });
});
