// agentgw decisions: what the policy decided, newest first (admin API).
import type { Command } from "commander";
import { adminFor, leaf, positiveInt, withUrl } from "../command-kit.js";
import type { CliIo } from "../io.js";
import { table } from "../output.js";

interface Decision {
  decisionId: string;
  time: string;
  agentId: string | null;
  tool: string | null;
  action: string | null;
  phase: string;
  allow: boolean;
  reasons: string[];
}

export function registerDecisions(program: Command, io: CliIo): void {
  leaf(
    io,
    program,
    "decisions",
    "policy decisions, newest first",
    (c) =>
      withUrl(c)
        .option("--agent <id>", "only this agent's")
        .option("--tool <tool>", "only this tool's")
        .option("--denied", "only denials")
        .option("--allowed", "only allows")
        .option("--limit <n>", "how many", positiveInt),
    async (call) => {
      const { opts } = call;
      const allow = opts.denied ? "false" : opts.allowed ? "true" : undefined;
      const page = await adminFor(io, call).request<{ items: Decision[]; nextCursor?: string | null }>(
        "GET",
        "/admin/decisions",
        {
          query: {
            agentId: opts.agent as string | undefined,
            tool: opts.tool as string | undefined,
            allow,
            limit: opts.limit as number | undefined,
          },
        },
      );
      call.out.result(page, (p) =>
        table(p.items, [
          ["time", (d) => d.time],
          ["agent", (d) => d.agentId],
          ["tool", (d) => d.tool],
          ["action", (d) => d.action],
          ["phase", (d) => d.phase],
          ["allow", (d) => (d.allow ? "allow" : "deny")],
          ["reasons", (d) => d.reasons.join("; ")],
        ]),
      );
    },
  );
}
