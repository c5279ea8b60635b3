// The committed OpenAPI document and the types generated from it must match the gateway's routes
// as they are now: this regenerates both into a temp folder and compares byte for byte.
// On failure, run `npm run generate:types -w @agentgw/sdk` and commit the result.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ERROR_CODES } from "./errors.js";

const run = promisify(execFile);
const SDK = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const EMIT = resolve(SDK, "../gateway/scripts/emit-openapi.ts");
const OPENAPI_TS_CLI = join(
  dirname(createRequire(import.meta.url).resolve("openapi-typescript/package.json")),
  "bin/cli.js",
);

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "agentgw-types-"));
});
after(() => rm(dir, { recursive: true, force: true }));

describe("generated API types", () => {
  it("sdk-js/openapi.json and src/generated/openapi.ts are up to date", async () => {
    const json = join(dir, "openapi.json");
    const types = join(dir, "openapi.ts");
    await run(process.execPath, ["--import", "tsx", EMIT, json], { cwd: SDK });
    await run(process.execPath, [OPENAPI_TS_CLI, json, "-o", types], { cwd: dir });
    const stale = "stale: run `npm run generate:types -w @agentgw/sdk` and commit the result";
    assert.equal(await readFile(join(SDK, "openapi.json"), "utf8"), await readFile(json, "utf8"), stale);
    // The CLI names its input file in no output, so the two runs are comparable as they are.
    assert.equal(
      await readFile(join(SDK, "src/generated/openapi.ts"), "utf8"),
      await readFile(types, "utf8"),
      stale,
    );
  });

  it("the SDK knows every error code the gateway can send", async () => {
    const document = JSON.parse(await readFile(join(SDK, "openapi.json"), "utf8"));
    const codes: string[] = document.components.schemas.Problem.properties.code.enum;
    assert.ok(codes.length > 20);
    assert.deepEqual(
      codes.filter((code) => !(ERROR_CODES as readonly string[]).includes(code)),
      [],
    );
  });
});
