// The agentgw program: every command registered on one commander tree, and `run`, which parses
// argv and turns every outcome into an exit code (0 ok, 1 refused, 2 usage) with the reason shown.
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerAgents } from "./commands/agents.js";
import { registerApprovals } from "./commands/approvals.js";
import { registerAudit } from "./commands/audit.js";
import { registerCall } from "./commands/call.js";
import { registerCredentials } from "./commands/credentials.js";
import { registerDecisions } from "./commands/decisions.js";
import { registerKeygen } from "./commands/keygen.js";
import { registerKeys } from "./commands/keys.js";
import { registerMcp } from "./commands/mcp.js";
import { registerPolicy } from "./commands/policy.js";
import { registerToken } from "./commands/token.js";
import { registerTokens } from "./commands/tokens.js";
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE, RefusedError, ReportedFailure, UsageError } from "./errors.js";
import type { CliIo } from "./io.js";

const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

export function createProgram(io: CliIo): Command {
  const program = new Command("agentgw")
    .description(
      "Agent Gateway from the command line: keys, agents, tokens, signed calls, credentials, approvals, policy, audit.\n" +
        "Admin commands read AGENTGW_URL and AGENTGW_ADMIN_TOKEN; agent commands sign with --key (default ./agent-key.pem).",
    )
    .version(VERSION, "-V, --version")
    // Settings below are inherited by every command added after them.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
    })
    .showSuggestionAfterError()
    .showHelpAfterError("(run with --help for usage)");
  registerKeygen(program, io);
  registerAgents(program, io);
  registerKeys(program, io);
  registerToken(program, io);
  registerTokens(program, io);
  registerCall(program, io);
  registerCredentials(program, io);
  registerApprovals(program, io);
  registerMcp(program, io);
  registerPolicy(program, io);
  registerDecisions(program, io);
  registerAudit(program, io);
  return program;
}

/** Runs one command line (without "node agentgw") and returns the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (error) {
    return report(error, io, argv.includes("--json"));
  }
}

function report(error: unknown, io: CliIo, json: boolean): number {
  if (error instanceof CommanderError) {
    // Commander has printed the message (or the help) already.
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT_OK;
    return EXIT_USAGE;
  }
  if (error instanceof UsageError) {
    io.stderr(`agentgw: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof RefusedError) {
    if (json) io.stdout(`${JSON.stringify(error.problem, null, 2)}\n`);
    io.stderr(describeRefusal(error));
    return EXIT_REFUSED;
  }
  if (error instanceof ReportedFailure) return EXIT_REFUSED;
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`agentgw: ${message}\n`);
  if (io.env.AGENTGW_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return EXIT_REFUSED;
}

function describeRefusal(error: RefusedError): string {
  const { problem } = error;
  const lines = [`agentgw: ${error.status === null ? "" : "refused: "}${error.message}`];
  if (Array.isArray(problem.reasons) && problem.reasons.length > 0) {
    lines.push(`  reasons: ${problem.reasons.join("; ")}`);
  }
  if (typeof problem.approvalId === "string") {
    lines.push(
      `  approval: ${problem.approvalId} (an admin runs: agentgw approvals approve ${problem.approvalId})`,
    );
  }
  if (typeof problem.requestId === "string") lines.push(`  requestId: ${problem.requestId}`);
  return `${lines.join("\n")}\n`;
}
