// Token discovery (RFC 8414, OAuth 2.0 Authorization Server Metadata): a third party that verifies tool
// tokens needs only the issuer URL (the tokens' `iss`): from it, this document, and from the document
// the JWKS. The gateway runs no OAuth authorization or token endpoint (agents get tokens with a signed
// POST /v1/tokens), so the response and grant types it lists are empty, as the RFC asks them to be stated.
import { z } from "zod";
import { defineRoute, type Route } from "../http/route.js";

export interface DiscoveryDeps {
  /** The gateway's public URL: the `iss` of every tool token. */
  issuer: string;
}

const metadataSchema = z
  .object({
    issuer: z.string(),
    jwks_uri: z.string(),
    response_types_supported: z.array(z.string()),
    grant_types_supported: z.array(z.string()),
    token_endpoint_auth_methods_supported: z.array(z.string()),
    /** Not OAuth: where agents get tool tokens (RFC 9421-signed POST), for humans reading the document. */
    agentgw_token_endpoint: z.string(),
    agentgw_token_signing_alg_values_supported: z.array(z.string()),
  })
  .meta({ id: "AuthorizationServerMetadata" });

export function discoveryRoutes(deps: DiscoveryDeps): Route[] {
  return [
    defineRoute({
      method: "get",
      path: "/.well-known/oauth-authorization-server",
      operationId: "authorizationServerMetadata",
      summary: "Token discovery (RFC 8414): the issuer of tool tokens and where its public keys are",
      tag: "tokens",
      auth: "none",
      responses: { 200: { description: "Authorization server metadata", schema: metadataSchema } },
      async handle() {
        const { issuer } = deps;
        const body = {
          issuer,
          jwks_uri: `${issuer}/.well-known/jwks.json`,
          response_types_supported: [],
          grant_types_supported: [],
          token_endpoint_auth_methods_supported: [],
          agentgw_token_endpoint: `${issuer}/v1/tokens`,
          agentgw_token_signing_alg_values_supported: ["EdDSA"],
        };
        return { status: 200, body, headers: { "Cache-Control": "public, max-age=3600" } };
      },
    }),
  ];
}
