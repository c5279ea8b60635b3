// Registering agents through the admin API and sending signed requests, as an
// agent would: with the SDK, over real HTTP.
import { type AgentKeyPair, generateKeyPair, type SignOptions, signRequest, toBase64Url } from "@agentgw/sdk";
import { TOOLS } from "@agentgw/sdk/protocol";
import type { GatewayProcess } from "./gateway-process.js";

export interface RegisteredAgent {
  id: string;
  key: AgentKeyPair;
}

/** Every scope the protocol's tool catalogue defines. */
export const ALL_SCOPES = [...new Set(TOOLS.flatMap((tool) => tool.actions.map((action) => action.scope)))];

export async function registerAgent(
  gw: Pick<GatewayProcess, "admin">,
  body: { name?: string; scopes?: string[]; tier?: string; metadata?: Record<string, unknown> } = {},
): Promise<RegisteredAgent> {
  const key = await generateKeyPair();
  const res = await gw.admin("POST", "/admin/agents", {
    name: body.name ?? "test-agent",
    publicKey: toBase64Url(key.publicKey),
    scopes: body.scopes ?? ALL_SCOPES,
    ...(body.tier ? { tier: body.tier } : {}),
    ...(body.metadata ? { metadata: body.metadata } : {}),
  });
  if (res.status !== 201)
    throw new Error(`registering an agent failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, key };
}

export interface SignedCall {
  method?: string;
  path: string;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  sign?: SignOptions;
  /** Change the request after signing (to tamper with it). */
  mutate?: (request: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body: string | undefined;
  }) => void;
}

export interface CallResult {
  status: number;
  body: any;
  headers: Headers;
}

/** Signs with the SDK and sends with plain fetch; returns the parsed answer. */
export async function signedCall(baseUrl: string, key: AgentKeyPair, call: SignedCall): Promise<CallResult> {
  const method = call.method ?? (call.json !== undefined || call.body !== undefined ? "POST" : "GET");
  const body = call.json !== undefined ? JSON.stringify(call.json) : call.body;
  const headers: Record<string, string> = {
    ...(call.json !== undefined ? { "content-type": "application/json" } : {}),
    ...call.headers,
  };
  const url = baseUrl + call.path;
  const signature = await signRequest({ method, url, headers, body: body ?? null }, key, call.sign);
  const request = { method, url, headers: { ...headers, ...signature } as Record<string, string>, body };
  call.mutate?.(request);
  const res = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export function assertProblemShape(res: CallResult, status: number, code: string): void {
  const where = JSON.stringify(res.body);
  if (res.status !== status) throw new Error(`expected ${status} ${code}, got ${res.status}: ${where}`);
  if (!/^application\/problem\+json/.test(res.headers.get("content-type") ?? ""))
    throw new Error(`not problem+json: ${where}`);
  if (res.body?.code !== code) throw new Error(`expected code ${code}, got ${res.body?.code}: ${where}`);
  if (res.body.requestId !== res.headers.get("x-request-id"))
    throw new Error("requestId does not match X-Request-Id");
}
