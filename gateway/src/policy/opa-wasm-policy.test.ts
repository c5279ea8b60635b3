import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { GatewayError } from "../errors.js";
import { readBundle } from "./bundle.js";
import { loadWasmPolicy } from "./opa-wasm-policy.js";
import { buildBundle, captureLogger, cleanupFixtures, sampleInput } from "./testing/opa-fixtures.js";

after(cleanupFixtures);

/** Compiles one Rego module (package agentgw) plus optional data.json and loads it. */
async function load(rego: string, data?: unknown) {
  const files: Record<string, string> = { "policy.rego": `package agentgw\n\n${rego}\n` };
  if (data !== undefined) files["data.json"] = JSON.stringify(data);
  const bundle = await readBundle((await buildBundle(files)).bytes);
  const { logger, records } = captureLogger();
  const policy = await loadWasmPolicy(bundle.wasm, bundle.data, { logger });
  return { policy, records };
}

describe("opa-wasm adapter", () => {
  test("returns the policy's decision, reading input and data", async () => {
    const { policy } = await load(
      `decision := {"allow": input.tool in data.tools, "reasons": reasons, "obligations": {"max_ttl_seconds": 60, "redact": ["/body/secret"]}}
reasons := [] if input.tool in data.tools
else := [sprintf("tool %s is not enabled", [input.tool])]`,
      { tools: ["openai"] },
    );
    assert.deepEqual(policy.evaluate(sampleInput()), {
      allow: true,
      reasons: [],
      obligations: { max_ttl_seconds: 60, redact: ["/body/secret"] },
    });
    const denied = policy.evaluate(sampleInput({ tool: "gmail" }));
    assert.equal(denied.allow, false);
    assert.deepEqual(denied.reasons, ["tool gmail is not enabled"]);
  });

  test("an obligation the gateway does not know denies: a typo must not drop a restriction", async () => {
    const { policy } = await load(
      `decision := {"allow": true, "reasons": [], "obligations": {"redcat": ["/body/secret"]}}`,
    );
    const decision = policy.evaluate(sampleInput());
    assert.equal(decision.allow, false);
    assert.deepEqual(decision.reasons, ["the policy decision is not a valid decision object"]);
  });

  test("only allow is required: missing reasons are [] and missing obligations are {}", async () => {
    const { policy } = await load(`decision := {"allow": input.tool == "openai"}`);
    assert.deepEqual(policy.evaluate(sampleInput()), { allow: true, reasons: [], obligations: {} });
    const denied = policy.evaluate(sampleInput({ tool: "gmail" }));
    assert.equal(denied.allow, false);
    assert.deepEqual(denied.obligations, {});
    assert.ok(denied.reasons.length > 0, "a deny always carries a reason");
  });

  test("an undefined decision denies, with a logged reason", async () => {
    const { policy, records } = await load(
      `decision := {"allow": true, "reasons": [], "obligations": {}} if input.phase == "call"`,
    );
    assert.deepEqual(policy.evaluate(sampleInput()), {
      allow: false,
      reasons: ["the policy decision is undefined"],
      obligations: {},
    });
    assert.ok(
      records.some(
        (r) => r.msg === "policy decision failed closed" && r.reason === "the policy decision is undefined",
      ),
    );
    assert.equal(policy.evaluate(sampleInput({ phase: "call" })).allow, true);
  });

  test("a decision of the wrong type denies", async () => {
    for (const rego of [
      `decision := true`,
      `decision := "allow"`,
      `decision := {"allow": "yes", "reasons": [], "obligations": {}}`,
      `decision := {"allow": true, "reasons": "none", "obligations": {}}`,
      `decision := {"reasons": [], "obligations": {}}`,
      `decision := {"allow": true, "obligations": []}`,
    ]) {
      const { policy, records } = await load(rego);
      const decision = policy.evaluate(sampleInput());
      assert.deepEqual(decision.reasons, ["the policy decision is not a valid decision object"], rego);
      assert.equal(decision.allow, false, rego);
      assert.ok(
        records.some((r) => Array.isArray(r.issues)),
        rego,
      );
    }
  });

  test("ill-typed obligations deny (fail closed)", async () => {
    for (const obligations of [
      `{"max_ttl_seconds": "300"}`,
      `{"max_ttl_seconds": -1}`,
      `{"redact": ["body/secret"]}`,
      `{"truncate": {"/body": "ten"}}`,
      `{"block_patterns": ["("]}`,
      `{"rate_limit": {"points": 0, "duration_seconds": 60}}`,
    ]) {
      const { policy } = await load(
        `decision := {"allow": true, "reasons": [], "obligations": ${obligations}}`,
      );
      assert.equal(policy.evaluate(sampleInput()).allow, false, obligations);
    }
  });

  test("a deny without reasons still says why", async () => {
    const { policy } = await load(`decision := {"allow": false, "reasons": [], "obligations": {}}`);
    assert.deepEqual(policy.evaluate(sampleInput()).reasons, ["denied by policy"]);
  });

  test("a runtime error (conflicting decisions) denies", async () => {
    const { policy, records } =
      await load(`decision := {"allow": true, "reasons": [], "obligations": {}} if input.tool == "openai"
decision := {"allow": false, "reasons": ["no"], "obligations": {}} if input.phase == "token"`);
    assert.deepEqual(policy.evaluate(sampleInput()), {
      allow: false,
      reasons: ["the policy failed to evaluate"],
      obligations: {},
    });
    const failure = records.find((r) => r.reason === "the policy failed to evaluate");
    assert.match(String(failure?.error), /conflict/);
    // The instance stays usable after the error.
    assert.equal(policy.evaluate(sampleInput({ phase: "call" })).allow, true);
  });

  test("a host builtin that throws denies", async () => {
    const { policy } = await load(
      `decision := {"allow": time.clock([input.time.unix * 1000000000, input.agent.metadata.zone])[0] < 24, "reasons": [], "obligations": {}}`,
    );
    const agent = { id: "a", name: "a", tier: "default", scopes: [], metadata: { zone: "Europe/Paris" } };
    assert.equal(policy.evaluate(sampleInput({ agent })).allow, true);
    const decision = policy.evaluate(
      sampleInput({ agent: { ...agent, metadata: { zone: "Mars/Olympus_Mons" } } }),
    );
    assert.deepEqual(decision, { allow: false, reasons: ["the policy failed to evaluate"], obligations: {} });
  });

  test("the time builtins follow the named zone", async () => {
    const { policy } = await load(
      `decision := {"allow": true, "reasons": [json.marshal({"clock": time.clock(at), "day": time.weekday(at), "date": time.date(at), "ns": time.parse_rfc3339_ns(input.time.now)})]}
at := [input.time.unix * 1000000000, "America/New_York"]`,
    );
    const { reasons } = policy.evaluate(sampleInput());
    // 2026-11-23T10:00:00Z is 05:00 on Monday in New York (EST, UTC-5).
    assert.deepEqual(JSON.parse(reasons[0]!), {
      clock: [5, 0, 0],
      day: "Monday",
      date: [2026, 11, 23],
      ns: 1795428000e9,
    });
  });

  test("refuses a module that needs a builtin nobody provides", async () => {
    const bundle = await readBundle(
      (
        await buildBundle({
          "p.rego": `package agentgw\n\ndecision := {"allow": units.parse_bytes(input.intent) > 0}\n`,
        })
      ).bytes,
    );
    const { logger } = captureLogger();
    await assert.rejects(loadWasmPolicy(bundle.wasm, bundle.data, { logger }), (error: unknown) => {
      assert.ok(error instanceof GatewayError);
      assert.equal(error.code, "policy_invalid");
      assert.deepEqual(error.extensions.errors, [
        { message: "builtin units.parse_bytes is not supported under WebAssembly" },
      ]);
      return true;
    });
  });

  test("refuses a module without the agentgw/decision entrypoint", async () => {
    const bundle = await readBundle(
      (await buildBundle({ "p.rego": "package agentgw\n\nallow := true\n" }, { entrypoint: "agentgw/allow" }))
        .bytes,
    );
    const { logger } = captureLogger();
    await assert.rejects(loadWasmPolicy(bundle.wasm, {}, { logger }), /no agentgw\/decision entrypoint/);
  });

  test("refuses bytes that are not a wasm module, and data that is not an object", async () => {
    const { logger } = captureLogger();
    await assert.rejects(loadWasmPolicy(new Uint8Array([1, 2, 3]), {}, { logger }), /could not be loaded/);
    const bundle = await readBundle(
      (await buildBundle({ "p.rego": "package agentgw\n\ndecision := 1\n" })).bytes,
    );
    await assert.rejects(loadWasmPolicy(bundle.wasm, [], { logger }), /must be a JSON object/);
  });
});
