import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, test } from "node:test";
import { GatewayError } from "../errors.js";
import { createPolicyEngine, loadPolicyEngine, type PolicyEngine } from "./policy-engine.js";
import {
  buildBundle,
  captureLogger,
  cleanupFixtures,
  opaPath,
  sampleInput,
  waitFor,
  writeFiles,
  writeFolder,
} from "./testing/opa-fixtures.js";

const engines: PolicyEngine[] = [];
after(async () => {
  await Promise.all(engines.map((engine) => engine.close()));
  await cleanupFixtures();
});

/** A policy allowing exactly the tools in `tools`, saying so in its reasons. */
function toolsPolicy(tools: string[]): string {
  return `package agentgw

decision := {"allow": input.tool in allowed, "reasons": reasons, "obligations": {}}

allowed := ${JSON.stringify(tools)}

reasons := [] if input.tool in allowed
else := [sprintf("tool %s is not allowed", [input.tool])]
`;
}

async function engineFor(source: string, options: { watch?: boolean; pollIntervalMs?: number } = {}) {
  const { logger, records } = captureLogger();
  const engine = createPolicyEngine({
    source,
    logger,
    opaPath: await opaPath(),
    watch: false,
    debounceMs: 100,
    ...options,
  });
  engines.push(engine);
  return { engine, records };
}

const refusedWith = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof GatewayError);
  assert.equal(error.code, "policy_invalid");
  assert.equal(error.status, 422);
  assert.ok(Array.isArray(error.extensions.errors) && error.extensions.errors.length > 0);
  assert.match(JSON.stringify(error.extensions.errors), pattern);
  return true;
};

describe("policy engine: folder source", () => {
  test("is not ready and denies until a policy is loaded", async () => {
    const folder = await writeFolder({ "p.rego": toolsPolicy(["openai"]) });
    const { engine } = await engineFor(folder);
    assert.equal(engine.ready(), false);
    assert.equal(engine.status(), null);
    assert.deepEqual(engine.decide(sampleInput()), {
      allow: false,
      reasons: ["no policy is loaded"],
      obligations: {},
    });

    const { revision } = await engine.reload();
    assert.match(revision, /^sha256:[0-9a-f]{16}$/);
    assert.equal(engine.ready(), true);
    assert.deepEqual(engine.status()?.revision, revision);
    assert.equal(engine.status()?.source, folder);
    assert.equal(engine.decide(sampleInput()).allow, true);
    assert.deepEqual(engine.decide(sampleInput({ tool: "gmail" })).reasons, ["tool gmail is not allowed"]);
  });

  test("reloading an unchanged folder keeps the revision without recompiling", async () => {
    const folder = await writeFolder({ "p.rego": toolsPolicy(["openai"]) });
    const { engine } = await engineFor(folder);
    const first = await engine.reload();
    const loadedAt = engine.status()?.loadedAt;
    assert.deepEqual(await engine.reload(), first);
    assert.equal(engine.status()?.loadedAt, loadedAt);
  });

  test("a broken policy is refused with its errors and the old one keeps answering", async () => {
    const folder = await writeFolder({ "p.rego": toolsPolicy(["openai"]) });
    const { engine } = await engineFor(folder);
    const { revision } = await engine.reload();

    await writeFiles(folder, { "p.rego": 'package agentgw\n\ndecision := {"allow": true\n' });
    await assert.rejects(engine.reload(), (error: unknown) => {
      refusedWith(/rego_parse_error/)(error);
      const [first] = (error as GatewayError).extensions.errors as Array<{ file?: string; row?: number }>;
      assert.equal(first?.file, "p.rego");
      assert.equal(typeof first?.row, "number");
      return true;
    });
    assert.equal(engine.status()?.revision, revision);
    assert.equal(engine.decide(sampleInput()).allow, true);
    assert.equal(engine.decide(sampleInput({ tool: "gmail" })).allow, false);
  });

  test("a policy that fails its smoke evaluation is refused", async () => {
    const folder = await writeFolder({ "p.rego": toolsPolicy(["openai"]) });
    const { engine } = await engineFor(folder);
    const { revision } = await engine.reload();
    // Compiles, but the two rules conflict for every token request.
    await writeFiles(folder, {
      "p.rego": `package agentgw

decision := {"allow": true, "reasons": [], "obligations": {}} if input.phase == "token"
decision := {"allow": false, "reasons": ["no"], "obligations": {}} if input.tool == "openai"
`,
    });
    await assert.rejects(engine.reload(), refusedWith(/token phase sample: the policy failed to evaluate/));
    await writeFiles(folder, { "p.rego": `package agentgw\n\ndecision := {"allow": "yes"}\n` });
    await assert.rejects(engine.reload(), refusedWith(/not a valid decision object/));
    assert.equal(engine.status()?.revision, revision);
    assert.equal(engine.decide(sampleInput()).allow, true);
  });

  test("a policy returning an obligation the gateway does not know is refused at load, naming it", async () => {
    const folder = await writeFolder({
      "p.rego": `package agentgw\n\ndecision := {"allow": true, "obligations": {"redcat": ["/x"]}}\n`,
    });
    const { engine } = await engineFor(folder);
    await assert.rejects(engine.reload(), refusedWith(/obligations: Unrecognized key: .*redcat/));
    assert.equal(engine.ready(), false);
  });

  test("a policy whose decision has only allow loads and serves", async () => {
    const folder = await writeFolder({
      "p.rego": `package agentgw\n\ndecision := {"allow": input.tool == "openai"}\n`,
    });
    const { engine } = await engineFor(folder);
    await engine.reload();
    assert.deepEqual(engine.decide(sampleInput()), { allow: true, reasons: [], obligations: {} });
    assert.equal(engine.decide(sampleInput({ tool: "gmail" })).allow, false);
  });

  test("hot reload: saving a file swaps behaviour without a restart; a broken save is logged, not thrown", async () => {
    const folder = await writeFolder({ "p.rego": toolsPolicy(["openai"]) });
    const { engine, records } = await engineFor(folder, { watch: true });
    const { revision: first } = await engine.reload();
    assert.equal(engine.decide(sampleInput({ tool: "gmail" })).allow, false);

    // Let the watcher settle, then save a new version of the policy.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writeFiles(folder, { "p.rego": toolsPolicy(["openai", "gmail"]) });
    await waitFor(() => engine.status()?.revision !== first, 10_000, "the watcher's reload");
    assert.equal(engine.decide(sampleInput({ tool: "gmail" })).allow, true);
    const second = engine.status()?.revision;

    await writeFiles(folder, { "p.rego": "package agentgw\n\ndecision := {\n" });
    await waitFor(
      () =>
        records.some(
          (r) => r.msg === "policy refused; the previous one keeps serving" && r.trigger === "watch",
        ),
      10_000,
      "the refusal log",
    );
    assert.equal(engine.status()?.revision, second);
    assert.equal(engine.decide(sampleInput({ tool: "gmail" })).allow, true);
  });

  test("options are validated when the engine is created", async () => {
    const { logger } = captureLogger();
    assert.throws(
      () => createPolicyEngine({ source: "/nonexistent/agentgw-policies", logger, opaPath: "opa" }),
      /does not exist/,
    );
    assert.throws(() => createPolicyEngine({ source: "", logger, opaPath: "opa" }), TypeError);
    assert.throws(
      () => createPolicyEngine({ source: "ftp://example.com/b.tar.gz", logger, opaPath: "opa" }),
      /must be https/,
    );
    const folder = await writeFolder({ "p.rego": toolsPolicy([]) });
    assert.throws(
      () => createPolicyEngine({ source: folder, logger, opaPath: "opa", pollIntervalMs: 0 }),
      RangeError,
    );
  });

  test("loadPolicyEngine refuses to start with a bad policy", async () => {
    const folder = await writeFolder({ "p.rego": "package agentgw\n\nx := y\n" });
    const { logger } = captureLogger();
    await assert.rejects(
      loadPolicyEngine({ source: folder, logger, opaPath: await opaPath() }),
      refusedWith(/unsafe/),
    );
  });
});

describe("policy engine: bundle file", () => {
  test("loads an opa build bundle and takes the manifest revision", async () => {
    const { path } = await buildBundle({ "p.rego": toolsPolicy(["serpapi"]) }, { revision: "2026-11-22.1" });
    const { engine } = await engineFor(path);
    assert.deepEqual(await engine.reload(), { revision: "2026-11-22.1" });
    assert.equal(engine.status()?.source, path);
    assert.equal(engine.decide(sampleInput({ tool: "serpapi" })).allow, true);
    assert.equal(engine.decide(sampleInput()).allow, false);
  });

  test("a bundle without a revision is named by its content hash", async () => {
    const { path } = await buildBundle({ "p.rego": toolsPolicy(["serpapi"]) });
    const { engine } = await engineFor(path);
    assert.match((await engine.reload()).revision, /^sha256:[0-9a-f]{16}$/);
  });
});

describe("policy engine: bundle URL", () => {
  interface BundleServer {
    url: string;
    requests: Array<{ ifNoneMatch: string | undefined }>;
    serve(bytes: Buffer, etag: string): void;
    fail(status: number): void;
    close(): Promise<void>;
  }

  async function bundleServer(): Promise<BundleServer> {
    let current: { bytes: Buffer; etag: string } | null = null;
    let failure: number | null = null;
    const requests: BundleServer["requests"] = [];
    const server: Server = createServer((request: IncomingMessage, response) => {
      const ifNoneMatch = request.headers["if-none-match"];
      requests.push({ ifNoneMatch });
      if (failure !== null || !current) {
        response.writeHead(failure ?? 404).end();
      } else if (ifNoneMatch === current.etag) {
        response.writeHead(304, { etag: current.etag }).end();
      } else {
        response
          .writeHead(200, { "content-type": "application/gzip", etag: current.etag })
          .end(current.bytes);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/bundles/agentgw?token=not-for-logs`,
      requests,
      serve(bytes, etag) {
        current = { bytes, etag };
        failure = null;
      },
      fail(status) {
        failure = status;
      },
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  test("fetches with ETag, treats 304 as unchanged, swaps on a new bundle, keeps the old one on errors", async () => {
    const server = await bundleServer();
    after(() => server.close());
    const v1 = await buildBundle({ "p.rego": toolsPolicy(["openai"]) }, { revision: "v1" });
    const v2 = await buildBundle({ "p.rego": toolsPolicy(["openai", "gmail"]) }, { revision: "v2" });
    server.serve(v1.bytes, '"v1"');

    const { engine } = await engineFor(server.url);
    assert.deepEqual(await engine.reload(), { revision: "v1" });
    assert.equal(engine.status()?.source, server.url.replace(/\?.*$/, ""));
    assert.deepEqual(server.requests, [{ ifNoneMatch: undefined }]);

    assert.deepEqual(await engine.reload(), { revision: "v1" });
    assert.deepEqual(server.requests[1], { ifNoneMatch: '"v1"' });

    server.fail(500);
    await assert.rejects(engine.reload(), refusedWith(/answered 500/));
    assert.equal(engine.decide(sampleInput({ tool: "gmail" })).allow, false);

    server.serve(v2.bytes, '"v2"');
    assert.deepEqual(await engine.reload(), { revision: "v2" });
    assert.equal(engine.decide(sampleInput({ tool: "gmail" })).allow, true);
  });

  test("polls at the configured interval and picks up a new bundle by itself", async () => {
    const server = await bundleServer();
    after(() => server.close());
    const v1 = await buildBundle({ "p.rego": toolsPolicy(["openai"]) }, { revision: "p1" });
    const v2 = await buildBundle({ "p.rego": toolsPolicy(["gmail"]) }, { revision: "p2" });
    server.serve(v1.bytes, '"p1"');
    const { engine } = await engineFor(server.url, { watch: true, pollIntervalMs: 100 });
    await engine.reload();
    await waitFor(() => server.requests.some((r) => r.ifNoneMatch === '"p1"'), 5_000, "a conditional poll");
    assert.equal(engine.status()?.revision, "p1");

    server.serve(v2.bytes, '"p2"');
    await waitFor(() => engine.status()?.revision === "p2", 5_000, "the polled swap");
    assert.equal(engine.decide(sampleInput({ tool: "gmail" })).allow, true);
  });
});
