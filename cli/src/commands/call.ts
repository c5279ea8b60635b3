// agentgw call METHOD PATH: one signed request to the agent API. Under /v1/tools/{tool}/ the SDK
// adds the tool token (asked for with the scope the action needs, kept between runs in the token
// cache, replaced once if the gateway refuses it), exactly as an agent using the SDK would.
import { readFile } from "node:fs/promises";
import { type AgentGateway, isToolName, scopeFor } from "@agentgw/sdk";
import { type Command, InvalidArgumentError } from "commander";
import { asProblem } from "../admin-client.js";
import { agentGateway, loadAgentKey } from "../agent-client.js";
import { commaList, leaf, withKey } from "../command-kit.js";
import { RefusedError, ReportedFailure, UsageError } from "../errors.js";
import { refusalsOf } from "../gateway-errors.js";
import type { CliIo } from "../io.js";
import type { Output } from "../output.js";
import { cacheDir, gatewayUrl, userPath } from "../settings.js";
import { FileTokenStore } from "../token-file-store.js";

const TOOL_PATH = /^\/v1\/tools\/([^/?#]+)(\/[^#]*)?$/;

export function registerCall(program: Command, io: CliIo): void {
  leaf(
    io,
    program,
    "call <method> <path>",
    "send a signed request, e.g. call POST /v1/tools/openai/v1/chat/completions --data '{…}'",
    (c) =>
      withKey(c)
        .option("--data <json>", "JSON body; @FILE reads a file, @- reads stdin")
        .option("-H, --header <name:value>", "an extra request header (repeatable)", collectHeader, [])
        .option("--scopes <a,b>", "token scopes (default: the scope the action needs)", commaList)
        .option("--intent <text>", "sent with the token request")
        .option("--no-token-cache", "do not keep tool tokens between runs"),
    async ({ args, opts, out }) => {
      const [method, path] = [args[0]!.toUpperCase(), args[1]!];
      if (!/^[A-Z]+$/.test(method)) throw new UsageError(`not an HTTP method: ${args[0]}`);
      if (!path.startsWith("/")) throw new UsageError(`the path must start with /, e.g. /v1/whoami`);
      const tool = TOOL_PATH.exec(path);
      if (tool) checkToolCall(tool[1]!, method, tool[2] ?? "/", opts.scopes !== undefined);
      const url = gatewayUrl(io, opts.url as string | undefined);
      const key = await loadAgentKey(io, out, opts.key as string | undefined);
      const store = opts.tokenCache === false ? undefined : new FileTokenStore(cacheDir(io), key.kid, url);
      const gateway = agentGateway(io, url, key, store);
      const headers = new Headers(opts.header as [string, string][]);
      const body = await readData(io, opts.data as string | undefined);
      if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");

      const response = await refusalsOf(url, () =>
        tool
          ? gateway.callTool(tool[1]!, method, tool[2] ?? "/", {
              headers,
              ...(body === undefined ? {} : { body }),
              ...(opts.scopes ? { scopes: opts.scopes as string[] } : {}),
              ...(opts.intent === undefined ? {} : { intent: opts.intent as string }),
            })
          : sendPlain(gateway, method, path, headers, body),
      );
      await printResponse(io, out, response);
      if (!response.ok) throw new ReportedFailure(`HTTP ${response.status}`);
    },
  );
}

/** Before any key is used: a tool name the protocol refuses, or an action whose scope is unknown. */
function checkToolCall(tool: string, method: string, path: string, scopesGiven: boolean): void {
  if (!isToolName(tool)) {
    throw new UsageError(`not a tool name: ${JSON.stringify(tool)} (lower case, e.g. openai or mcp.files)`);
  }
  if (!scopesGiven && scopeFor(tool, method, path) === undefined) {
    throw new UsageError(
      `${method} ${path.split("?", 1)[0]} is no ${tool} action the catalogue knows: pass --scopes for the token`,
    );
  }
}

/** A request outside the tools (whoami, tools …): a problem answer is the gateway refusing. */
async function sendPlain(
  gateway: AgentGateway,
  method: string,
  path: string,
  headers: Headers,
  body: string | undefined,
): Promise<Response> {
  const response = await gateway.send(method, path, { headers, ...(body === undefined ? {} : { body }) });
  if (response.ok || !/^application\/problem\+json/i.test(response.headers.get("content-type") ?? "")) {
    return response;
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  throw new RefusedError(response.status, asProblem(response, parsed, text));
}

/** Streams (Server-Sent Events) print as they arrive; JSON is pretty-printed; --json wraps it all. */
async function printResponse(io: CliIo, out: Output, response: Response): Promise<void> {
  const type = response.headers.get("content-type") ?? "";
  if (!out.json && /^text\/event-stream/i.test(type) && response.body) {
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      io.stdout(decoder.decode(read.value, { stream: true }));
    }
    io.stdout(decoder.decode());
  } else {
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = /json/i.test(type) && text !== "" ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    out.result(
      { status: response.status, headers: Object.fromEntries(response.headers), body: parsed ?? text },
      () => (parsed === undefined ? text : JSON.stringify(parsed, null, 2)),
    );
  }
  if (!response.ok && !out.json) io.stderr(`HTTP ${response.status} ${response.statusText}\n`);
}

async function readData(io: CliIo, data: string | undefined): Promise<string | undefined> {
  if (data === undefined) return undefined;
  let text = data;
  if (data === "@-") text = await io.readStdin();
  else if (data.startsWith("@")) {
    try {
      text = await readFile(userPath(io, data.slice(1)), "utf8");
    } catch {
      throw new UsageError(`--data ${data}: cannot read ${data.slice(1)}`);
    }
  }
  try {
    JSON.parse(text);
  } catch {
    throw new UsageError("--data must be JSON (or @FILE / @- holding JSON)");
  }
  return text;
}

function collectHeader(value: string, previous: [string, string][]): [string, string][] {
  const colon = value.indexOf(":");
  const name = colon > 0 ? value.slice(0, colon).trim() : "";
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new InvalidArgumentError(`expected "Name: value", got ${JSON.stringify(value)}`);
  }
  return [...previous, [name, value.slice(colon + 1).trim()]];
}
