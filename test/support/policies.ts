// Policy folders written by tests, for gateways whose behaviour a test wants to pin down.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A folder holding one Rego file (package agentgw) and optional data.json. */
export function policyFolder(rego: string, data?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "agentgw-test-policy-"));
  writeFileSync(join(dir, "policy.rego"), rego);
  if (data !== undefined) writeFileSync(join(dir, "data.json"), JSON.stringify(data));
  return dir;
}

/** Allows everything; `callObligations` (Rego object text) apply to tool calls. */
export function allowAllPolicy(callObligations = "{}"): string {
  return `package agentgw

obligations := ${callObligations} if input.phase == "call"

obligations := {} if input.phase != "call"

decision := {"allow": true, "reasons": [], "obligations": obligations}
`;
}

export function writeConfig(value: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "agentgw-test-config-"));
  const file = join(dir, "gateway.json");
  writeFileSync(file, JSON.stringify(value));
  return file;
}
