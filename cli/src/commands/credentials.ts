// agentgw credentials …: upstream secrets managed live (admin API). A secret is read from stdin,
// a file or an environment variable — never from the command line, where shell history and
// process listings would keep it — and never printed: the gateway answers with fingerprints.
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { adminFor, leaf, positiveInt, segment, withUrl } from "../command-kit.js";
import { UsageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { fields, table } from "../output.js";
import { userPath } from "../settings.js";

interface Credential {
  name: string;
  tool: string;
  version: number;
  activeVersion: number;
  fingerprint: string;
  description?: string | null;
  versions: { version: number; fingerprint: string; createdAt: string }[];
  createdAt: string;
  updatedAt: string;
}

const SECRET_HELP =
  "the secret comes from --secret-env VAR, --secret-file FILE or stdin: a JSON object " +
  "(gmail: {clientId, clientSecret, refreshToken}) or, for API-key tools, the bare key";

export function registerCredentials(program: Command, io: CliIo): void {
  const credentials = program
    .command("credentials")
    .description("upstream credentials: set, rotate, roll back (admin; secrets are never shown)");

  const withSecret = (c: Command) =>
    withUrl(c)
      .option("--secret-env <var>", "read the secret from this environment variable")
      .option("--secret-file <file>", "read the secret from this file");

  leaf(
    io,
    credentials,
    "set <name>",
    `create a credential; ${SECRET_HELP}`,
    (c) =>
      withSecret(c)
        .requiredOption("--tool <tool>", "the tool it is for, e.g. openai")
        .option("--description <text>", "what it is for"),
    async (call) => {
      const admin = adminFor(io, call);
      const secret = await readSecret(io, call.opts);
      const credential = await admin.request<Credential>("POST", "/admin/credentials", {
        json: {
          name: call.args[0],
          tool: call.opts.tool,
          secret,
          ...(call.opts.description === undefined ? {} : { description: call.opts.description }),
        },
      });
      call.out.result(credential, describeCredential);
    },
  );

  leaf(
    io,
    credentials,
    "rotate <name>",
    `store a new secret version, active at once; ${SECRET_HELP}`,
    withSecret,
    async (call) => {
      const admin = adminFor(io, call);
      const secret = await readSecret(io, call.opts);
      const credential = await admin.request<Credential>(
        "PUT",
        `/admin/credentials/${segment(call.args[0]!)}`,
        { json: { secret } },
      );
      call.out.result(credential, describeCredential);
    },
  );

  leaf(io, credentials, "list", "list credentials (fingerprints only)", withUrl, async (call) => {
    const page = await adminFor(io, call).request<{ items: Credential[] }>("GET", "/admin/credentials");
    call.out.result(page, (p) =>
      table(p.items, [
        ["name", (c) => c.name],
        ["tool", (c) => c.tool],
        ["active", (c) => `v${c.activeVersion}`],
        ["versions", (c) => c.versions.length],
        ["fingerprint", (c) => c.fingerprint],
        ["updated", (c) => c.updatedAt],
      ]),
    );
  });

  leaf(io, credentials, "get <name>", "show a credential and its versions", withUrl, async (call) => {
    const credential = await adminFor(io, call).request<Credential>(
      "GET",
      `/admin/credentials/${segment(call.args[0]!)}`,
    );
    call.out.result(credential, describeCredential);
  });

  leaf(
    io,
    credentials,
    "activate <name> <version>",
    "make an earlier or later version the active one (roll back or forward)",
    withUrl,
    async (call) => {
      let version: number;
      try {
        version = positiveInt(call.args[1]!);
      } catch {
        throw new UsageError(`version must be a whole number ≥ 1, got ${JSON.stringify(call.args[1])}`);
      }
      const credential = await adminFor(io, call).request<Credential>(
        "POST",
        `/admin/credentials/${segment(call.args[0]!)}/activate`,
        { json: { version } },
      );
      call.out.result(credential, describeCredential);
    },
  );

  leaf(
    io,
    credentials,
    "delete <name>",
    "delete a credential and all its versions",
    withUrl,
    async (call) => {
      const name = call.args[0]!;
      await adminFor(io, call).request("DELETE", `/admin/credentials/${segment(name)}`);
      call.out.result({ name, deleted: true }, () => `deleted ${name}`);
    },
  );
}

/** The secret object to send: JSON as given, or a bare API key as {apiKey}. */
async function readSecret(io: CliIo, opts: Record<string, unknown>): Promise<Record<string, unknown>> {
  const sources = ["secretEnv", "secretFile"].filter((s) => opts[s] !== undefined);
  if (sources.length > 1) throw new UsageError("pass only one of --secret-env and --secret-file");
  let text: string;
  if (typeof opts.secretEnv === "string") {
    const value = io.env[opts.secretEnv];
    if (value === undefined || value === "") throw new UsageError(`${opts.secretEnv} is not set`);
    text = value;
  } else if (typeof opts.secretFile === "string") {
    try {
      text = await readFile(userPath(io, opts.secretFile), "utf8");
    } catch {
      throw new UsageError(`cannot read --secret-file ${opts.secretFile}`);
    }
  } else if (io.stdinIsTTY) {
    throw new UsageError(`no secret given: ${SECRET_HELP}, e.g. printf %s "$OPENAI_API_KEY" | agentgw …`);
  } else {
    text = await io.readStdin();
  }
  const trimmed = text.trim();
  if (trimmed === "") throw new UsageError("the secret is empty");
  if (trimmed.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // falls through: the message must not echo the secret
    }
    throw new UsageError("the secret starts with { but is not a JSON object");
  }
  return { apiKey: trimmed };
}

function describeCredential(c: Credential): string {
  return [
    fields([
      ["name", c.name],
      ["tool", c.tool],
      ["active", `v${c.activeVersion} (${c.fingerprint})`],
      ["description", c.description],
      ["updated", c.updatedAt],
    ]),
    "",
    table(c.versions, [
      ["version", (v) => (v.version === c.activeVersion ? `v${v.version} *` : `v${v.version}`)],
      ["fingerprint", (v) => v.fingerprint],
      ["created", (v) => v.createdAt],
    ]),
  ].join("\n");
}
