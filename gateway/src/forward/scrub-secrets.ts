// Defence in depth: an upstream that echoes a secret of ours (its API key in an error
// message, say) must not hand it to the agent. Plain answers and stream events alike.

export const REDACTED = "[redacted]";

/** Secrets shorter than this are not searched for: they would match ordinary text. */
const MIN_SECRET_LENGTH = 4;

export function hasScrubbableSecret(secrets: readonly string[]): boolean {
  return secrets.some((secret) => secret.length >= MIN_SECRET_LENGTH);
}

export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH) out = out.replaceAll(secret, REDACTED);
  }
  return out;
}

export function scrubSecrets(body: Buffer, secrets: readonly string[]): Buffer {
  const present = secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH && body.includes(secret));
  if (present.length === 0) return body;
  return Buffer.from(scrubText(body.toString("utf8"), present));
}
