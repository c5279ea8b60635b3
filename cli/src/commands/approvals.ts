// agentgw approvals …: the requests a policy held for a person's decision (admin API).
import type { Command } from "commander";
import { adminFor, leaf, positiveInt, segment, withUrl } from "../command-kit.js";
import type { CliIo } from "../io.js";
import { fields, table } from "../output.js";

interface Approval {
  id: string;
  status: string;
  agentId: string;
  phase: string;
  tool: string;
  action: string | null;
  scopes: string[];
  intent: string | null;
  reason: string;
  request?: { method?: string; path?: string; bodyPreview?: string } | null;
  createdAt: string;
  expiresAt: string;
  decidedAt?: string | null;
  decidedBy?: string | null;
  note?: string | null;
}

export function registerApprovals(program: Command, io: CliIo): void {
  const approvals = program.command("approvals").description("approve or deny held requests (admin)");

  leaf(
    io,
    approvals,
    "list",
    "list approvals (newest first)",
    (c) =>
      withUrl(c)
        .option("--status <status>", "pending, approved, denied or expired")
        .option("--agent <id>", "only this agent's")
        .option("--limit <n>", "how many", positiveInt)
        .option("--cursor <cursor>", "the page after this cursor"),
    async (call) => {
      const { opts } = call;
      const page = await adminFor(io, call).request<{ items: Approval[]; nextCursor: string | null }>(
        "GET",
        "/admin/approvals",
        {
          query: {
            status: opts.status as string | undefined,
            agentId: opts.agent as string | undefined,
            limit: opts.limit as number | undefined,
            cursor: opts.cursor as string | undefined,
          },
        },
      );
      call.out.result(page, (p) => {
        const rows = table(p.items, [
          ["id", (a) => a.id],
          ["status", (a) => a.status],
          ["agent", (a) => a.agentId],
          ["tool", (a) => (a.action ? `${a.tool} ${a.action}` : a.tool)],
          ["phase", (a) => a.phase],
          ["reason", (a) => a.reason],
          ["expires", (a) => a.expiresAt],
        ]);
        return p.nextCursor ? `${rows}\nmore: agentgw approvals list --cursor ${p.nextCursor}` : rows;
      });
    },
  );

  leaf(io, approvals, "get <id>", "show one approval and the request it holds", withUrl, async (call) => {
    const approval = await adminFor(io, call).request<Approval>(
      "GET",
      `/admin/approvals/${segment(call.args[0]!)}`,
    );
    call.out.result(approval, describeApproval);
  });

  for (const verb of ["approve", "deny"] as const) {
    leaf(
      io,
      approvals,
      `${verb} <id>`,
      verb === "approve" ? "let the held request through (once)" : "refuse the held request",
      (c) => withUrl(c).option("--note <text>", "recorded with the decision"),
      async (call) => {
        const approval = await adminFor(io, call).request<Approval>(
          "POST",
          `/admin/approvals/${segment(call.args[0]!)}/${verb}`,
          { json: call.opts.note === undefined ? {} : { note: call.opts.note } },
        );
        call.out.result(approval, describeApproval);
      },
    );
  }
}

function describeApproval(a: Approval): string {
  return fields([
    ["id", a.id],
    ["status", a.status],
    ["agent", a.agentId],
    ["tool", a.action ? `${a.tool} ${a.action}` : a.tool],
    ["scopes", a.scopes],
    ["intent", a.intent],
    ["reason", a.reason],
    ["request", a.request ? `${a.request.method ?? ""} ${a.request.path ?? ""}`.trim() : null],
    ["decided", a.decidedAt ? `${a.decidedAt} by ${a.decidedBy ?? "?"}` : null],
    ["note", a.note],
  ]);
}
