// A local HTTP server (127.0.0.1, port 0) that verifies each request's RFC 9421 signature
// with the SDK's own parsing and @noble/ed25519, and records what it saw. Test-only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import * as ed from "@noble/ed25519";
import { utf8 } from "../encoding.js";
import { checkContentDigest } from "../httpsig/content-digest.js";
import { requestPartsFromTarget } from "../httpsig/message.js";
import { buildSignatureBase } from "../httpsig/signature-base.js";
import {
  parseSignatureField,
  parseSignatureInputField,
  signatureParameters,
} from "../httpsig/signature-fields.js";

export interface SeenRequest {
  method: string;
  target: string;
  headers: IncomingMessage["headers"];
  body: Uint8Array;
  /** "ok" or why verification failed. */
  verdict: string;
  components: string[];
  params: ReturnType<typeof signatureParameters>;
}

export interface SignatureServer {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Writes the body itself after the head (e.g. SSE chunks with pauses); ends the response when it resolves. */
  stream?: (res: ServerResponse) => Promise<void>;
}

export type Responder = (seen: SeenRequest) => Answer | Promise<Answer>;

export async function startSignatureServer(
  publicKey: Uint8Array,
  respond: Responder = () => ({ body: '{"ok":true}' }),
): Promise<SignatureServer> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = new Uint8Array(Buffer.concat(chunks));
    const record = await verify(req, body, publicKey);
    seen.push(record);
    const answer = await respond(record);
    res.writeHead(answer.status ?? 200, { "content-type": "application/json", ...answer.headers });
    if (answer.stream) {
      await answer.stream(res).catch(() => {});
      res.end();
    } else {
      res.end(answer.body ?? "");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function verify(req: IncomingMessage, body: Uint8Array, publicKey: Uint8Array): Promise<SeenRequest> {
  const base = {
    method: req.method ?? "",
    target: req.url ?? "",
    headers: req.headers,
    body,
    components: [] as string[],
    params: {},
  };
  try {
    const input = parseSignatureInputField(String(req.headers["signature-input"]));
    const signatures = parseSignatureField(String(req.headers.signature));
    const [label] = [...input.keys()];
    const member = input.get(label!)!;
    const parts = requestPartsFromTarget(
      base.method,
      "http",
      req.headers.host ?? "",
      base.target,
      req.headers,
    );
    const signatureBase = buildSignatureBase(parts, member);
    const valid = await ed.verifyAsync(signatures.get(label!)!, utf8(signatureBase), publicKey);
    let verdict = valid ? "ok" : "bad signature";
    if (valid && member.components.some((c) => c.name === "content-digest")) {
      const digest = await checkContentDigest(String(req.headers["content-digest"]), body);
      if (!digest.ok) verdict = `digest ${digest.reason}`;
    }
    return {
      ...base,
      verdict,
      components: member.components.map((c) => c.name),
      params: signatureParameters(member),
    };
  } catch (error) {
    return { ...base, verdict: `unverifiable: ${(error as Error).message}` };
  }
}
