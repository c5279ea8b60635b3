// What a credential's secret looks like for each tool, and its fingerprint.
//   openai, serpapi  {apiKey}
//   gmail            {clientId, clientSecret, refreshToken}
//   mcp.<server>     {headers: {name: value}}
// The http tool calls public sites without credentials and takes none.
import { createHash } from "node:crypto";
import { z } from "zod";

const secretText = z.string().min(1).max(8192);

export const apiKeySecret = z.strictObject({ apiKey: secretText });
export const gmailSecret = z.strictObject({
  clientId: secretText,
  clientSecret: secretText,
  refreshToken: secretText,
});
// Header names as RFC 9110 tokens; values without line breaks (no header injection).
export const headersSecret = z.strictObject({
  headers: z
    .record(
      z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/, "must be an HTTP header name"),
      z
        .string()
        .min(1)
        .max(8192)
        .regex(/^[^\r\n\0]*$/, "must not contain line breaks"),
    )
    .refine((h) => Object.keys(h).length > 0, "must name at least one header"),
});

export type ApiKeySecret = z.output<typeof apiKeySecret>;
export type GmailSecret = z.output<typeof gmailSecret>;
export type HeadersSecret = z.output<typeof headersSecret>;

/** Tools whose calls carry a credential, and the secret each takes. */
const SHAPES: Record<string, z.ZodType> = {
  openai: apiKeySecret,
  serpapi: apiKeySecret,
  gmail: gmailSecret,
};

export const MCP_TOOL = /^mcp\.[a-z0-9][a-z0-9_-]{0,62}$/;

/** The secret schema for a tool, or null when the tool takes no credential. */
export function secretShapeFor(tool: string): z.ZodType | null {
  if (Object.hasOwn(SHAPES, tool)) return SHAPES[tool]!;
  if (MCP_TOOL.test(tool)) return headersSecret;
  return null;
}

/** The tools a credential may be made for (MCP servers aside). */
export const CREDENTIAL_TOOLS = Object.keys(SHAPES);

/** JSON with members sorted at every level and no spaces: one text per secret, whatever order it came in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The first 8 characters of SHA-256 over the secret's canonical JSON, base64url. Enough to tell versions apart
 * and to check "is this the key I set?", never enough to recover or test a guess of a high-entropy secret.
 */
export function fingerprintOf(secret: unknown): string {
  return createHash("sha256").update(canonicalJson(secret)).digest("base64url").slice(0, 8);
}

/** Every string in a secret, long enough to be worth scrubbing from upstream answers. */
export function secretValues(secret: unknown): string[] {
  if (typeof secret === "string") return secret.length >= 4 ? [secret] : [];
  if (Array.isArray(secret)) return secret.flatMap(secretValues);
  if (typeof secret === "object" && secret !== null) return Object.values(secret).flatMap(secretValues);
  return [];
}
