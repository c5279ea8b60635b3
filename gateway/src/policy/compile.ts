// Compiles a folder of Rego into a wasm bundle with the real OPA compiler
// (`opa build -t wasm -e agentgw/decision`), as CONTRACT.md §5 requires.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DECISION_ENTRYPOINT } from "./opa-wasm-policy.js";
import { policyInvalid } from "./policy-invalid.js";
import type { PolicyProblem } from "./types.js";

/** Files and folders a policy folder may hold that are not part of the policy. */
const IGNORED = ["*_test.rego", "node_modules", "dist"];

const BUILD_TIMEOUT_MS = 120_000;

function isPolicyFile(name: string): boolean {
  return (
    (name.endsWith(".rego") && !name.endsWith("_test.rego")) || name === "data.json" || name === "data.yaml"
  );
}

/** The policy files of a folder (recursively, same exclusions as the build), sorted. */
export async function listPolicyFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && isPolicyFile(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter(
      (path) =>
        !relative(folder, path)
          .split(/[\\/]/)
          .some((part) => part === "node_modules" || part === "dist"),
    )
    .sort();
}

/** "sha256:" and 16 hex digits of a hash over the policy files' names and contents. */
export async function contentRevision(folder: string, files: string[]): Promise<string> {
  const hash = createHash("sha256");
  for (const file of files) {
    hash
      .update(relative(folder, file))
      .update("\0")
      .update(await readFile(file))
      .update("\0");
  }
  return `sha256:${hash.digest("hex").slice(0, 16)}`;
}

/**
 * opa reports errors as "<file>:<row>: <rego_error_kind>: <message>", followed by
 * indented source lines; anything else is kept as one message.
 */
export function parseOpaErrors(output: string): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  for (const line of output.split("\n")) {
    const match = /(?:^|\s)([^\s:][^:]*\.rego):(\d+): (rego_[a-z_]+: .*)$/.exec(line);
    if (match?.[1] && match[2] && match[3]) {
      problems.push({ message: match[3], file: match[1], row: Number(match[2]) });
    }
  }
  if (problems.length === 0) {
    const message = output
      .trim()
      .replace(/^error:\s*/i, "")
      .trim();
    problems.push({ message: message || "opa build failed" });
  }
  return problems;
}

function run(file: string, args: string[]): Promise<{ ok: boolean; missing: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({
          ok: !error,
          missing: (error as NodeJS.ErrnoException | null)?.code === "ENOENT",
          output: `${stderr}\n${stdout}`.trim() || (error?.message ?? ""),
        });
      },
    );
  });
}

export interface CompiledFolder {
  bundle: Uint8Array;
  revision: string;
}

/**
 * Builds `folder` into a bundle.tar.gz in a temporary directory and returns its
 * bytes. Compile errors are thrown as GatewayError policy_invalid with one entry
 * per error ({message, file, row}), paths relative to the folder.
 */
export async function compileFolder(folder: string, opaPath: string): Promise<CompiledFolder> {
  const files = await listPolicyFiles(folder);
  if (!files.some((file) => file.endsWith(".rego"))) {
    throw policyInvalid(`the policy folder holds no .rego files`, []);
  }
  const revision = await contentRevision(folder, files);
  const outDir = await mkdtemp(join(tmpdir(), "agentgw-policy-"));
  try {
    const output = join(outDir, "bundle.tar.gz");
    const args = ["build", "-t", "wasm", "-e", DECISION_ENTRYPOINT, "-r", revision, "-o", output];
    for (const pattern of IGNORED) args.push("--ignore", pattern);
    args.push(folder);
    const result = await run(opaPath, args);
    if (result.missing) {
      throw policyInvalid(
        `the OPA compiler is not at ${opaPath}: run "node scripts/setup.mjs --opa" or set AGENTGW_OPA_PATH`,
        [],
      );
    }
    if (!result.ok) {
      const problems = parseOpaErrors(result.output).map((problem) =>
        problem.file ? { ...problem, file: relative(folder, problem.file) } : problem,
      );
      throw policyInvalid(`the policy does not compile (${problems.length} error(s))`, problems);
    }
    return { bundle: await readFile(output), revision };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
