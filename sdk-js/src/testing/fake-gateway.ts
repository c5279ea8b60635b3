// A stand-in for the gateway's agent API, for SDK tests: verifies every signature, mints opaque
// tool tokens at POST /v1/tokens (counting them), refuses revoked or unknown tokens on tool calls
// with the gateway's problem answers, and hands accepted tool calls to the test. Test-only.
import type { Answer, SeenRequest, SignatureServer } from "./signature-server.js";
import { startSignatureServer } from "./signature-server.js";

export interface MintedToken {
  token: string;
  tool: string;
  scopes: string[];
  intent: string | undefined;
}

export interface FakeGateway {
  url: string;
  server: SignatureServer;
  /** Every token request body, in order. */
  mints: MintedToken[];
  /** Tool calls that reached the tool handler or were refused for their token. */
  toolCalls: Array<SeenRequest & { token: string | undefined }>;
  /** Lifetime of the next tokens (expiresIn). */
  expiresIn: number;
  /** How long POST /v1/tokens takes, to let concurrent callers overlap. */
  mintDelayMs: number;
  /** Tokens the gateway refuses from now on, with the code it answers. */
  refuse: Map<string, "token_expired" | "token_revoked" | "token_invalid">;
  /** When set and it returns an answer, POST /v1/tokens answers that instead of minting. */
  onMint: ((request: Omit<MintedToken, "token">) => Answer | undefined) | undefined;
  /** Answers an accepted tool call; default `{"ok":true}`. */
  onToolCall: (call: SeenRequest & { token: string }) => Answer | Promise<Answer>;
  /** Forgets what it saw and puts every setting above back to its starting value (between tests). */
  reset(): void;
  close(): Promise<void>;
}

export function problem(
  status: number,
  code: string,
  extra: Record<string, unknown> = {},
  headers = {},
): Answer {
  return {
    status,
    headers: { "content-type": "application/problem+json", "x-request-id": "req-1", ...headers },
    body: JSON.stringify({
      type: "about:blank",
      title: code,
      status,
      detail: code,
      code,
      requestId: "req-1",
      ...extra,
    }),
  };
}

export async function startFakeGateway(publicKey: Uint8Array): Promise<FakeGateway> {
  const initial = (): Omit<FakeGateway, "url" | "server" | "reset" | "close"> => ({
    mints: [],
    toolCalls: [],
    expiresIn: 300,
    mintDelayMs: 0,
    refuse: new Map(),
    onMint: undefined,
    onToolCall: () => ({ body: '{"ok":true}' }),
  });
  const fake = initial();
  const server = await startSignatureServer(publicKey, async (seen) => {
    if (seen.verdict !== "ok") return problem(401, "signature_invalid");
    const path = seen.target.split("?", 1)[0] ?? "";
    if (seen.method === "POST" && path === "/v1/tokens") {
      await new Promise((r) => setTimeout(r, fake.mintDelayMs));
      const body = JSON.parse(new TextDecoder().decode(seen.body)) as Omit<MintedToken, "token">;
      const refusal = fake.onMint?.(body);
      if (refusal) return refusal;
      const minted = { ...body, token: `tok-${fake.mints.length + 1}` };
      fake.mints.push(minted);
      return {
        status: 201,
        body: JSON.stringify({
          token: minted.token,
          tokenType: "Bearer",
          jti: `jti-${fake.mints.length}`,
          tool: body.tool,
          scopes: body.scopes,
          expiresAt: new Date(Date.now() + fake.expiresIn * 1000).toISOString(),
          expiresIn: fake.expiresIn,
        }),
      };
    }
    if (path.startsWith("/v1/tools/")) {
      const auth = String(seen.headers.authorization ?? "");
      const token = /^Bearer (.+)$/.exec(auth)?.[1];
      fake.toolCalls.push({ ...seen, token });
      if (!token) return problem(401, "token_missing");
      if (!seen.components.includes("authorization")) return problem(401, "signature_invalid");
      const refusal = fake.refuse.get(token);
      if (refusal) return problem(401, refusal);
      if (!fake.mints.some((m) => m.token === token)) return problem(401, "token_invalid");
      return fake.onToolCall({ ...seen, token });
    }
    return problem(404, "not_found");
  });
  return Object.assign(fake, {
    url: server.url,
    server,
    reset: () => Object.assign(fake, initial()),
    close: () => server.close(),
  });
}
