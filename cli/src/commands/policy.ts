// agentgw policy status|reload|test: the policy in force, reloading it, and its Rego unit tests.
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { adminFor, leaf, withUrl } from "../command-kit.js";
import { RefusedError, ReportedFailure, UsageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { fields } from "../output.js";
import { policyFolder, userPath } from "../settings.js";

interface PolicyStatus {
  revision: string;
  loadedAt: string;
  source: string;
}

export function registerPolicy(program: Command, io: CliIo): void {
  const policy = program.command("policy").description("the policy in force, reload it, test it");

  leaf(io, policy, "status", "the loaded policy's revision, load time and source", withUrl, async (call) => {
    const status = await adminFor(io, call).request<PolicyStatus>("GET", "/admin/policy");
    call.out.result(status, (s) =>
      fields([
        ["revision", s.revision],
        ["loaded", s.loadedAt],
        ["source", s.source],
      ]),
    );
  });

  leaf(
    io,
    policy,
    "reload",
    "compile and load the policy source now (a bad policy is refused; the old one stays)",
    withUrl,
    async (call) => {
      const admin = adminFor(io, call);
      const result = await call.out.step("compiling and loading the policy on the gateway", () =>
        admin.request<{ revision: string }>("POST", "/admin/policy/reload"),
      );
      call.out.result(result, (r) => `loaded revision ${r.revision}`);
    },
  );

  leaf(
    io,
    policy,
    "test [folder]",
    "run the Rego unit tests (opa test) of a policy folder (default: $AGENTGW_POLICY or ./policies)",
    (c) => c.option("--opa <path>", "the opa binary (default: the repo's .tools/bin/opa, then PATH)"),
    async ({ args, opts, out }) => {
      const folder = policyFolder(io, args[0]);
      if (!existsSync(folder) || !statSync(folder).isDirectory()) {
        throw new UsageError(`policy folder ${folder} not found: pass the folder of .rego files`);
      }
      const opa = findOpa(io, opts.opa as string | undefined);
      const testArgs = ["test", "--ignore", "dist", "--ignore", "node_modules"];
      testArgs.push(...(out.json ? ["--format", "json"] : ["-v"]), folder);
      const { code, stdout, stderr } = await out.step(`running opa test on ${folder}`, () =>
        runProcess(opa, testArgs),
      );
      if (out.json) {
        let report: unknown = stdout;
        try {
          report = JSON.parse(stdout);
        } catch {
          // opa printed no JSON (e.g. a parse error): keep its words
        }
        out.result({ ok: code === 0, results: report, errors: stderr.trim() || undefined }, () => "");
      } else {
        io.stdout(stdout);
        if (stderr) io.stderr(stderr);
      }
      if (code !== 0) throw new ReportedFailure("policy tests failed");
    },
  );
}

function findOpa(io: CliIo, flag: string | undefined): string {
  if (flag !== undefined) {
    const path = userPath(io, flag);
    if (!existsSync(path)) throw new UsageError(`--opa ${flag}: no such file`);
    return path;
  }
  const name = process.platform === "win32" ? "opa.exe" : "opa";
  const repoCopy = fileURLToPath(new URL(`../../../.tools/bin/${name}`, import.meta.url));
  if (existsSync(repoCopy)) return repoCopy;
  for (const dir of (io.env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new UsageError(
    'opa not found: run "npm run setup -- --opa" in the repo, put opa on PATH, or pass --opa PATH',
  );
}

function runProcess(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", (error) =>
      reject(new RefusedError(null, { detail: `cannot run ${file}: ${error.message}` })),
    );
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
