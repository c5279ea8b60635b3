// Several gateway processes on one PostgreSQL and one Redis, behind the small balancer
// (scripts/balancer.mjs), as an operator would run them. Every instance has the same
// public URL (the balancer's), so a request signed once may be sent to any of them;
// `call(i, …)` aims at instance i through the balancer.
import { randomBytes } from "node:crypto";
import type { AgentKeyPair } from "@agentgw/sdk";
import { BACKEND_HEADER, startBalancer } from "../../scripts/balancer.mjs";
import { freshDatabaseUrl, testRedisUrl } from "../../scripts/test-services.mjs";
import { type CallResult, type SignedCall, signedCall } from "./agents.js";
import { freePort, type GatewayOptions, type GatewayProcess, startGateway } from "./gateway-process.js";

export interface SharedGateways {
  /** The balancer's URL: every instance's public URL and token issuer. */
  url: string;
  instances: GatewayProcess[];
  env: Record<string, string>;
  admin: GatewayProcess["admin"];
  /** A signed request sent through the balancer to instance `i`. */
  call(i: number, key: AgentKeyPair, call: SignedCall): Promise<CallResult>;
  stop(): Promise<void>;
}

export interface SharedGatewayOptions extends Pick<GatewayOptions, "args"> {
  instances?: number;
  /** AGENTGW_WORKERS for every instance. */
  workers?: number;
  env?: Record<string, string>;
  databaseUrl?: string;
  redisUrl?: string;
}

export async function startSharedGateways(options: SharedGatewayOptions = {}): Promise<SharedGateways> {
  const count = options.instances ?? 2;
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const balancer = await startBalancer({ backends: ports.map((p) => `http://127.0.0.1:${p}`) });
  const env: Record<string, string> = {
    AGENTGW_PUBLIC_URL: balancer.url,
    AGENTGW_DATABASE_URL: options.databaseUrl ?? (await freshDatabaseUrl()),
    AGENTGW_REDIS_URL: options.redisUrl ?? (await testRedisUrl()),
    AGENTGW_REDIS_KEY_PREFIX: `e2e${randomBytes(6).toString("hex")}:`,
    AGENTGW_MASTER_KEY: randomBytes(32).toString("base64url"),
    AGENTGW_ADMIN_TOKEN: randomBytes(24).toString("base64url"),
    AGENTGW_WORKERS: String(options.workers ?? 1),
    ...options.env,
  };
  const instances: GatewayProcess[] = [];
  try {
    for (const port of ports) {
      const gateway = await startGateway({ env, ...(options.args ? { args: options.args } : {}) }, port);
      instances.push(gateway);
      await allWorkersListening(gateway, options.workers ?? 1);
    }
  } catch (error) {
    await Promise.all(instances.map((g) => g.stop()));
    await balancer.close();
    throw error;
  }
  return {
    url: balancer.url,
    instances,
    env,
    admin: (method, path, body) => instances[0]!.admin(method, path, body),
    call: (i, key, call) =>
      signedCall(balancer.url, key, { ...call, headers: { ...call.headers, [BACKEND_HEADER]: String(i) } }),
    async stop() {
      await Promise.all(instances.map((g) => g.stop()));
      for (const g of instances) g.cleanup();
      await balancer.close();
    },
  };
}

/**
 * With AGENTGW_WORKERS=N the port answers as soon as one worker listens, and node:cluster hands
 * connections only to the workers already listening: wait until every worker has said
 * "listening", so a test that expects all of them to serve does not race their start-up.
 */
async function allWorkersListening(gateway: GatewayProcess, workers: number, timeoutMs = 60_000) {
  if (workers <= 1) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listening = new Set<unknown>();
    for (const line of gateway.output().split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        const entry = JSON.parse(line) as { msg?: unknown; worker?: unknown };
        if (entry.msg === "listening" && entry.worker !== undefined) listening.add(entry.worker);
      } catch {
        // a line still being written
      }
    }
    if (listening.size >= workers) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${listening.size} of ${workers} workers listening after ${timeoutMs / 1000} s:\n${gateway.output()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
