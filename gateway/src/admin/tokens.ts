// Admin control over tool tokens and the keys that sign them.
import { z } from "zod";
import type { AuditLog } from "../audit/audit-log.js";
import { GatewayError } from "../errors.js";
import { defineRoute, type Route } from "../http/route.js";
import { jwksSchema, revokeTokensBody } from "../schemas/tokens.js";
import type { AgentStore } from "../store/types.js";
import type { TokenRevoker } from "../tokens/revocation.js";
import type { SigningKeyRing } from "../tokens/signing-keys.js";

export interface TokenAdminDeps {
  revoker: TokenRevoker;
  keyRing: Pick<SigningKeyRing, "rotate" | "jwks">;
  agents: Pick<AgentStore, "get">;
  audit: AuditLog;
}

export function tokenAdminRoutes({ revoker, keyRing, agents, audit }: TokenAdminDeps): Route[] {
  return [
    defineRoute({
      method: "post",
      path: "/admin/tokens/revoke",
      operationId: "revokeTokens",
      summary: "Revoke one token by jti, or every live token of an agent",
      tag: "admin",
      auth: "admin",
      body: revokeTokensBody,
      responses: {
        200: { description: "How many tokens were revoked", schema: z.object({ revoked: z.number().int() }) },
      },
      async handle({ body, res }) {
        let revoked: number;
        if ("jti" in body) {
          revoked = await revoker.revokeToken(body.jti);
        } else {
          if (!(await agents.get(body.agentId)))
            throw new GatewayError("not_found", `no agent ${body.agentId}`);
          revoked = await revoker.revokeAgentTokens(body.agentId);
        }
        await audit.record(res, {
          actor: "admin",
          action: "token.revoked",
          target: "jti" in body ? body.jti : body.agentId,
          details: { by: "jti" in body ? "jti" : "agent", revoked },
        });
        return { status: 200, body: { revoked } };
      },
    }),
    defineRoute({
      method: "post",
      path: "/admin/signing-keys/rotate",
      operationId: "rotateSigningKey",
      summary: "Make a new token signing key current; the old one stays in the JWKS until its tokens expire",
      tag: "admin",
      auth: "admin",
      responses: { 200: { description: "The new current key", schema: z.object({ kid: z.string() }) } },
      async handle({ res }) {
        const { kid } = await keyRing.rotate();
        await audit.record(res, { actor: "admin", action: "signing_key.rotated", target: kid });
        return { status: 200, body: { kid } };
      },
    }),
    defineRoute({
      method: "get",
      path: "/.well-known/jwks.json",
      operationId: "jwks",
      summary: "Public keys that verify tool tokens (RFC 7517 JWK Set)",
      tag: "tokens",
      auth: "none",
      responses: { 200: { description: "JWKS", schema: jwksSchema } },
      async handle() {
        // Short caching: verifiers must see a rotated-in key soon after rotation.
        return { status: 200, body: keyRing.jwks(), headers: { "Cache-Control": "public, max-age=60" } };
      },
    }),
  ];
}
