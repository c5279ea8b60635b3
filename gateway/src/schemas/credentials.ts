import { z } from "zod";

const secretDoc =
  "The secret, by tool: openai and serpapi {apiKey}; gmail {clientId, clientSecret, refreshToken}; " +
  "mcp.<server> {headers: {name: value}}. Write-only: never returned, logged or recorded.";

// Checked against the tool's own shape by the handler (credentials/secret-shapes.ts), which names the
// failing member without echoing its value.
const secretInput = z.record(z.string(), z.unknown()).meta({ description: secretDoc });

export const credentialNameParams = z.object({ name: z.string().min(1).max(64) });

export const createCredentialBody = z.strictObject({
  name: z.string().min(1).max(64),
  tool: z.string().min(1).max(64),
  secret: secretInput,
  description: z.string().max(500).optional(),
});

export const rotateCredentialBody = z.strictObject({ secret: secretInput });

export const activateCredentialBody = z.strictObject({ version: z.number().int().positive() });

export const credentialSchema = z
  .object({
    name: z.string(),
    tool: z.string(),
    version: z.number().int().meta({ description: "The newest version" }),
    versions: z.array(
      z.object({ version: z.number().int(), fingerprint: z.string(), createdAt: z.string() }),
    ),
    activeVersion: z.number().int().meta({ description: "The version calls use now" }),
    fingerprint: z.string().meta({
      description: "First 8 characters of SHA-256 (base64url) of the active secret's canonical JSON",
    }),
    description: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Credential" });

export const credentialListSchema = z
  .object({ items: z.array(credentialSchema) })
  .meta({ id: "CredentialList" });
