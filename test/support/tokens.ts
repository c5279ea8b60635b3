// Tool tokens as an agent gets them, and forged ones made with the gateway's own
// signing key (read from its data dir) to reach edge cases without waiting.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AgentKeyPair } from "@agentgw/sdk";
import { importJWK, type JWTPayload, SignJWT } from "jose";
import { signedCall } from "./agents.js";
import type { GatewayProcess } from "./gateway-process.js";

export interface IssuedToken {
  token: string;
  jti: string;
  tool: string;
  scopes: string[];
  expiresAt: string;
  expiresIn: number;
}

export async function getToken(
  gw: Pick<GatewayProcess, "url">,
  key: AgentKeyPair,
  body: { tool: string; scopes: string[]; intent?: string; ttlSeconds?: number },
): Promise<IssuedToken> {
  const res = await signedCall(gw.url, key, { path: "/v1/tokens", json: body });
  if (res.status !== 201) throw new Error(`token request failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as IssuedToken;
}

/**
 * Gets `agent` a token for `tool` and returns a signed caller that sends it as the bearer
 * (`headers` add to it): `call(path)` GETs, `call(path, json)` POSTs the JSON.
 */
export async function toolCaller(
  gw: Pick<GatewayProcess, "url">,
  agent: { key: AgentKeyPair },
  tool: string,
  scopes: string[],
) {
  const { token } = await getToken(gw, agent.key, { tool, scopes });
  return (path: string, json?: unknown, headers: Record<string, string> = {}) =>
    signedCall(gw.url, agent.key, {
      path,
      ...(json === undefined ? {} : { json }),
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
}

/** The gateway's current signing key, as a test with access to its data dir can read it. */
export async function gatewaySigningKey(dataDir: string) {
  const folder = join(dataDir, "signing-keys");
  const files = readdirSync(folder)
    .filter((f) => f.endsWith(".json"))
    .map(
      (f) =>
        JSON.parse(readFileSync(join(folder, f), "utf8")) as {
          kid: string;
          privateJwk: Record<string, string>;
          retiredAt: string | null;
        },
    );
  const current = files.find((f) => f.retiredAt === null) ?? files[0]!;
  return { kid: current.kid, key: await importJWK({ ...current.privateJwk, alg: "EdDSA" }, "EdDSA") };
}

export async function forgeToken(
  signing: { kid: string; key: CryptoKey | Uint8Array },
  claims: JWTPayload,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "EdDSA", kid: signing.kid, typ: "at+jwt" })
    .sign(signing.key);
}

/** A tool call that gets past the token stage answers upstream_unavailable when the tool has no upstream configured. */
export async function callModels(gw: Pick<GatewayProcess, "url">, key: AgentKeyPair, token: string) {
  return signedCall(gw.url, key, {
    path: "/v1/tools/openai/v1/models",
    headers: { authorization: `Bearer ${token}` },
  });
}
