import { EventEmitter, once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type Behaviour, MisbehaviourScript, type Plan } from "./misbehaviour.js";
import { type RecordedRequest, recordRequest } from "./recorded-request.js";

/** Headers a handler sets on its reply; names are written as given. */
export type ReplyHeaders = Record<string, string>;

/** What a handler answers: a JSON document, raw bytes/text, or a stream written chunk by chunk. */
export type Reply =
  | { status: number; headers?: ReplyHeaders; json: unknown }
  | { status: number; headers?: ReplyHeaders; body: string | Uint8Array }
  | { status: number; headers?: ReplyHeaders; stream: AsyncIterable<string | Uint8Array> };

/**
 * Serves one recorded request. `signal` aborts when the client goes away, so slow or streaming
 * handlers stop working for nobody.
 */
export type Handler = (request: RecordedRequest, signal: AbortSignal) => Reply | Promise<Reply>;

export interface FakeServerSpec {
  handle: Handler;
  /** A reply in this upstream's own error shape, used for scripted failures and oversized bodies. */
  errorReply(status: number, message: string, request: RecordedRequest): Reply;
  /** Restores the fake's own state when `reset()` is called. */
  onReset?: () => void;
}

/** The controls every fake shares. */
export interface FakeServer {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** Every request received, in arrival order; cleared by `reset()`. */
  readonly received: RecordedRequest[];
  /** Scripts misbehaviour for the next requests (see `Behaviour`); members not named stay as they are. */
  behave(behaviour: Behaviour): void;
  /** Forgets received requests, scripted misbehaviour and the fake's state. */
  reset(): void;
  /** Resolves with the first received request that satisfies `predicate`, now or later. */
  waitForRequest(
    predicate: (request: RecordedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest>;
  /** Stops listening and cuts every open connection, hung ones included. */
  close(): Promise<void>;
}

/** Bodies above this are refused with 413 so a runaway test cannot exhaust memory. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const STATUS_TEXT_FALLBACK = "Scripted failure";

async function readBody(req: IncomingMessage): Promise<Buffer | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return "too-large";
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function withRetryAfter(reply: Reply, retryAfter: number | string | undefined): Reply {
  if (retryAfter === undefined) return reply;
  return { ...reply, headers: { ...reply.headers, "Retry-After": String(retryAfter) } };
}

/** Starts a fake upstream on 127.0.0.1 with an ephemeral port. */
export async function startFakeServer(spec: FakeServerSpec): Promise<FakeServer> {
  if (typeof spec.handle !== "function" || typeof spec.errorReply !== "function") {
    throw new TypeError("startFakeServer needs handle and errorReply functions");
  }
  const received: RecordedRequest[] = [];
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  const script = new MisbehaviourScript();
  let closing = false;

  const changed = (): void => {
    changes.emit("change");
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const controller = new AbortController();
    const arrivedAt = Date.now();
    let body: Buffer | "too-large";
    try {
      body = await readBody(req);
    } catch {
      return; // The client went away while sending its body; there is nobody to answer.
    }
    const record = recordRequest(req, body === "too-large" ? "" : body.toString("utf8"), arrivedAt);
    received.push(record);
    res.on("finish", () => {
      if (record.outcome === "pending") record.outcome = "completed";
      record.finishedAt = Date.now();
      changed();
    });
    res.on("close", () => {
      controller.abort();
      if (!res.writableFinished && record.outcome !== "dropped" && !closing) {
        record.clientDisconnected = true;
        changed();
      }
    });
    changed();

    const plan = script.planFor(record);
    if (plan.hang) {
      record.outcome = "hung";
      changed();
      return;
    }
    if (plan.delayMs > 0) {
      try {
        await sleep(plan.delayMs, undefined, { signal: controller.signal });
      } catch {
        return; // Client disconnected during the delay.
      }
    }
    const reply = await replyFor(record, body, plan, controller.signal);
    await writeReply(res, record, reply, plan.dropAfterChunks, controller.signal);
  }

  async function replyFor(
    record: RecordedRequest,
    body: Buffer | "too-large",
    plan: Plan,
    signal: AbortSignal,
  ): Promise<Reply> {
    if (body === "too-large") return spec.errorReply(413, "Request body too large for the fake", record);
    if (plan.fail) {
      const { status, message, retryAfter } = plan.fail;
      return withRetryAfter(spec.errorReply(status, message ?? STATUS_TEXT_FALLBACK, record), retryAfter);
    }
    try {
      return await spec.handle(record, signal);
    } catch (error) {
      // A handler waiting on `signal` throws when the client leaves; nothing will be written then.
      if (signal.aborted) return spec.errorReply(499, "Client closed the request", record);
      // A bug in the fake itself: say so loudly rather than hide it behind a plausible answer.
      console.error("fake upstream handler failed:", error);
      return spec.errorReply(500, "The fake upstream failed; see the test output", record);
    }
  }

  async function writeReply(
    res: ServerResponse,
    record: RecordedRequest,
    reply: Reply,
    dropAfterChunks: number | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    if (signal.aborted) return;
    const drop = (): void => {
      record.outcome = "dropped";
      record.finishedAt = Date.now();
      res.socket?.destroy();
      changed();
    };
    record.status = reply.status;
    if ("stream" in reply) {
      res.writeHead(reply.status, reply.headers);
      res.flushHeaders();
      let chunks = 0;
      try {
        for await (const chunk of reply.stream) {
          if (signal.aborted) return;
          if (dropAfterChunks !== undefined && chunks >= dropAfterChunks) return drop();
          chunks += 1;
          if (!res.write(chunk)) await Promise.race([once(res, "drain"), once(res, "close")]);
        }
      } catch (error) {
        if (signal.aborted) return; // The stream's sleep was cut short by the client leaving.
        throw error;
      }
      if (signal.aborted) return;
      if (dropAfterChunks !== undefined && chunks >= dropAfterChunks) return drop();
      res.end();
      return;
    }
    // 204 and 304 carry no body and must not declare a length (RFC 9110 §8.6).
    const bodiless = reply.status === 204 || reply.status === 304;
    const bytes = bodiless
      ? Buffer.alloc(0)
      : "json" in reply
        ? Buffer.from(JSON.stringify(reply.json))
        : Buffer.from(reply.body as string | Uint8Array);
    const headers: ReplyHeaders = { ...reply.headers };
    if ("json" in reply && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
      headers["Content-Type"] = "application/json; charset=utf-8";
    }
    if (!bodiless) headers["Content-Length"] = String(bytes.length);
    res.writeHead(reply.status, headers);
    if (dropAfterChunks !== undefined) {
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => drop());
      return;
    }
    res.end(bytes);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      console.error("fake upstream failed to answer:", error);
      res.destroy();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    behave(behaviour) {
      script.apply(behaviour);
    },
    reset() {
      received.length = 0;
      script.clear();
      spec.onReset?.();
    },
    waitForRequest(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = received.find(predicate);
          if (!found) return false;
          cleanup();
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching request within ${timeoutMs} ms (received ${received.length})`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          changes.off("change", check);
        };
        changes.on("change", check);
        check();
      });
    },
    async close() {
      closing = true;
      const closed = once(server, "close");
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
