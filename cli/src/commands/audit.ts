// agentgw audit tail|verify: the hash-chained audit trail (admin API).
import type { Command } from "commander";
import { adminFor, leaf, positiveInt, withUrl } from "../command-kit.js";
import { ReportedFailure } from "../errors.js";
import type { CliIo } from "../io.js";
import { table } from "../output.js";

interface AuditRecord {
  seq: number;
  time: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

interface Verification {
  ok: boolean;
  checked: number;
  firstBad?: { seq: number; reason: string };
}

export function registerAudit(program: Command, io: CliIo): void {
  const audit = program.command("audit").description("the audit trail: read it, verify its hash chain");

  leaf(
    io,
    audit,
    "tail",
    "the latest audit records, oldest first",
    (c) =>
      withUrl(c)
        .option("--limit <n>", "how many (default 20)", positiveInt, 20)
        .option("--action <action>", "only this action, e.g. agent.created"),
    async (call) => {
      const page = await adminFor(io, call).request<{ items: AuditRecord[] }>("GET", "/admin/audit", {
        query: { limit: call.opts.limit as number, action: call.opts.action as string | undefined },
      });
      const items = [...page.items].reverse();
      call.out.result({ items }, (p) =>
        table(p.items, [
          ["seq", (r) => r.seq],
          ["time", (r) => r.time],
          ["actor", (r) => r.actor],
          ["action", (r) => r.action],
          ["target", (r) => r.target],
        ]),
      );
    },
  );

  leaf(
    io,
    audit,
    "verify",
    "check the whole hash chain; exit 1 when a record does not match",
    withUrl,
    async (call) => {
      const admin = adminFor(io, call);
      const result = await call.out.step("verifying the audit chain", () =>
        admin.request<Verification>("GET", "/admin/audit/verify"),
      );
      call.out.result(result, (r) =>
        r.ok
          ? `audit chain intact: ${r.checked} records checked`
          : `audit chain BROKEN at record ${r.firstBad?.seq}: ${r.firstBad?.reason} (${r.checked} checked)`,
      );
      if (!result.ok) throw new ReportedFailure("audit chain broken");
    },
  );
}
