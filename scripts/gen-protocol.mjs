#!/usr/bin/env node
// Renders protocol/protocol.json — the tool catalogue, the error codes and the token-retry rule —
// into the code that uses them, so the gateway, the JS SDK and the Python SDK share one source:
//   sdk-js/src/generated/protocol.ts        (the gateway imports it as @agentgw/sdk/protocol)
//   sdk-python-stub/src/agentgw/_protocol.py
//
//   node scripts/gen-protocol.mjs           write both files
//   node scripts/gen-protocol.mjs --check   exit 1 when either differs from what the JSON renders
// Drift tests in each package make the same comparison, so an edit on one side fails the suite.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const PROTOCOL_JSON = join(REPO_ROOT, "protocol", "protocol.json");
export const TS_OUT = join(REPO_ROOT, "sdk-js", "src", "generated", "protocol.ts");
export const PY_OUT = join(REPO_ROOT, "sdk-python-stub", "src", "agentgw", "_protocol.py");

const HEADER = "Generated from protocol/protocol.json by scripts/gen-protocol.mjs: do not edit by hand.";

export function loadProtocol() {
  return JSON.parse(readFileSync(PROTOCOL_JSON, "utf8"));
}

export function renderTypeScript(protocol) {
  const json = (value) => JSON.stringify(value, null, 2);
  return `// ${HEADER}
// The protocol's tables, shared by the gateway and the SDKs (see protocol/README.md).

/** Tool names: lower-case, optionally one dotted part (e.g. "openai", "mcp.files"). */
export const TOOL_NAME_PATTERN = ${JSON.stringify(protocol.toolNamePattern)};

/** Refusals after which a client drops its cached tool token and retries once with a new one. */
export const TOKEN_RETRY_CODES = ${json(protocol.tokenRetryCodes)} as const;

/** Every error code the gateway answers with: HTTP status, problem title, and the family SDKs group it in. */
export const ERRORS = ${json(protocol.errors)} as const;

/** The tools, their actions and the scope each needs; \`path\` matches the path after /v1/tools/{tool}. */
export const TOOLS = ${json(protocol.tools)} as const;
`;
}

export function renderPython(protocol) {
  const py = (value, indent = 0) => {
    const pad = " ".repeat(indent);
    if (value === null) return "None";
    if (value === true) return "True";
    if (value === false) return "False";
    if (typeof value === "number") return String(value);
    if (typeof value === "string") return JSON.stringify(value);
    if (Array.isArray(value)) {
      if (value.length === 0) return "()";
      return `(\n${value.map((v) => `${pad}    ${py(v, indent + 4)},`).join("\n")}\n${pad})`;
    }
    const entries = Object.entries(value);
    return `{\n${entries.map(([k, v]) => `${pad}    ${JSON.stringify(k)}: ${py(v, indent + 4)},`).join("\n")}\n${pad}}`;
  };
  return `"""${HEADER}

The protocol's tables, shared by the gateway and the SDKs (see protocol/README.md).
"""

from __future__ import annotations

from typing import Any, Final

#: Tool names: lower-case, optionally one dotted part (e.g. "openai", "mcp.files").
TOOL_NAME_PATTERN: Final = ${JSON.stringify(protocol.toolNamePattern)}

#: Refusals after which a client drops its cached tool token and retries once with a new one.
TOKEN_RETRY_CODES: Final = frozenset(${py(protocol.tokenRetryCodes)})

#: Every error code the gateway answers with: HTTP status, problem title, and the family SDKs group it in.
ERRORS: Final[dict[str, dict[str, Any]]] = ${py(protocol.errors)}

#: The tools, their actions and the scope each needs; \`\`path\`\` matches the path after /v1/tools/{tool}.
TOOLS: Final[tuple[dict[str, Any], ...]] = ${py(protocol.tools)}
`;
}

function main(argv) {
  const protocol = loadProtocol();
  const outputs = [
    [TS_OUT, renderTypeScript(protocol)],
    [PY_OUT, renderPython(protocol)],
  ];
  if (argv.includes("--check")) {
    const stale = outputs.filter(([path, text]) => readFileSync(path, "utf8") !== text).map(([path]) => path);
    for (const path of stale) console.error(`${path} is stale: run npm run generate:protocol`);
    return stale.length === 0 ? 0 : 1;
  }
  for (const [path, text] of outputs) writeFileSync(path, text);
  console.log(`wrote ${outputs.map(([path]) => path.slice(REPO_ROOT.length + 1)).join(", ")}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
