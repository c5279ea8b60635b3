// Starts the real gateway (node gateway/dist/main.js) on a free loopback port
// with a temporary data dir, the way an operator would, and stops it again.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const MAIN = join(REPO_ROOT, "gateway/dist/main.js");

export interface GatewayOptions {
  env?: Record<string, string>;
  /** Reuse a data dir (e.g. to restart over the same store). */
  dataDir?: string;
  args?: string[];
  /** Wait for /readyz (default) or only for the port to answer /healthz. */
  waitFor?: "ready" | "alive";
}

export interface GatewayProcess {
  url: string;
  port: number;
  adminToken: string;
  dataDir: string;
  /** Every line the process wrote to stdout and stderr so far. */
  output(): string;
  /** Parsed JSON log lines. */
  logs(): Array<Record<string, unknown>>;
  admin(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Stops and starts again over the same data dir and port. */
  restart(): Promise<GatewayProcess>;
  /** Removes the data dir; call after stop. */
  cleanup(): void;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise((r) => server.close(r));
  return port;
}

export async function startGateway(
  options: GatewayOptions = {},
  fixedPort?: number,
): Promise<GatewayProcess> {
  const port = fixedPort ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "agentgw-e2e-"));
  const adminToken = options.env?.AGENTGW_ADMIN_TOKEN ?? randomBytes(24).toString("base64url");
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? tmpdir(),
    PORT: String(port),
    HOST: "127.0.0.1",
    AGENTGW_PUBLIC_URL: url,
    AGENTGW_DATA_DIR: dataDir,
    AGENTGW_ADMIN_TOKEN: adminToken,
    AGENTGW_POLICY: join(REPO_ROOT, "policies"),
    AGENTGW_LOG_LEVEL: "info",
    ...options.env,
  };
  const child: ChildProcess = spawn(process.execPath, [MAIN, ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const exited = once(child, "exit");

  const probe = options.waitFor === "alive" ? "/healthz" : "/readyz";
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`gateway exited with ${child.exitCode} before it was ready:\n${output}`);
    try {
      const res = await fetch(url + probe);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`gateway not ready within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const gateway: GatewayProcess = {
    url,
    port,
    adminToken,
    dataDir,
    output: () => output,
    logs: () =>
      output
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    async admin(method, path, body) {
      const res = await fetch(url + path, {
        method,
        headers: {
          authorization: `Bearer ${adminToken}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
    async restart() {
      await gateway.stop();
      return startGateway(
        { ...options, dataDir, env: { ...options.env, AGENTGW_ADMIN_TOKEN: adminToken } },
        port,
      );
    },
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return gateway;
}
