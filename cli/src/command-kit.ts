// What every command shares: --json on each one, --url on those that talk to the gateway,
// --key on agent commands, and argument parsers whose refusals are usage errors (exit 2).
import { type Command, InvalidArgumentError } from "commander";
import { type AdminClient, createAdminClient } from "./admin-client.js";
import type { CliIo } from "./io.js";
import { Output } from "./output.js";
import { adminToken, DEFAULT_KEY_FILE, gatewayUrl } from "./settings.js";

export interface Invocation {
  /** Positional arguments, in order. */
  args: string[];
  opts: Record<string, unknown>;
  out: Output;
}

/** A leaf command: adds --json and runs `handler` with its arguments and an Output. */
export function leaf(
  io: CliIo,
  parent: Command,
  nameAndArgs: string,
  description: string,
  define: (command: Command) => Command,
  handler: (call: Invocation) => Promise<void>,
): Command {
  const command = define(parent.command(nameAndArgs).description(description)).option(
    "--json",
    "print the result as JSON on stdout",
  );
  command.action(async (...received: unknown[]) => {
    const self = received.at(-1) as Command;
    const opts = self.opts();
    await handler({
      args: self.processedArgs.filter((a): a is string => typeof a === "string"),
      opts,
      out: new Output(io, opts.json === true),
    });
  });
  return command;
}

export const withUrl = (command: Command): Command =>
  command.option("--url <url>", "the gateway's URL (default: $AGENTGW_URL or http://localhost:8080)");

export const withKey = (command: Command): Command =>
  withUrl(command).option("--key <file>", `the agent's private key file (default: ${DEFAULT_KEY_FILE})`);

/** The admin API client for an admin command (needs AGENTGW_ADMIN_TOKEN). */
export function adminFor(io: CliIo, call: Invocation): AdminClient {
  const url = gatewayUrl(io, call.opts.url as string | undefined);
  const token = adminToken(io);
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    call.out.warn(`sending the admin token to ${url.origin} without TLS`);
  }
  return createAdminClient(io, url, token);
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** "a, b,,c" → ["a","b","c"] for --scopes. */
export function commaList(value: string): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) throw new InvalidArgumentError("expected a comma-separated list, e.g. a,b");
  return items;
}

export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("expected a whole number ≥ 1");
  return Number(value);
}

/** A JSON value given on the command line. */
export function jsonArgument(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('expected JSON, e.g. \'{"team":"sales"}\'');
  }
}

export function jsonObject(value: string): Record<string, unknown> {
  const parsed = jsonArgument(value);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError("expected a JSON object");
  }
  return parsed as Record<string, unknown>;
}

/** Path segments from the user go into URLs escaped. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
