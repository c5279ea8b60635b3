// Runs the installed `agentgw` command as a user would: a child process with its own working
// directory and environment, stdin optional; resolves with its exit code and both outputs.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./gateway-process.js";

const BIN = join(REPO_ROOT, "cli/bin/agentgw.mjs");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json(): any;
}

export function runCli(
  args: string[],
  options: { cwd: string; env: Record<string, string>; stdin?: string },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "", HOME: options.cwd, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.stdin.end(options.stdin ?? "");
    child.on("close", (code) =>
      resolve({
        code,
        stdout,
        stderr,
        json() {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(`agentgw ${args.join(" ")} printed no JSON:\n${stdout}\n${stderr}`);
          }
        },
      }),
    );
  });
}
