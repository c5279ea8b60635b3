import { setTimeout as sleep } from "node:timers/promises";
import { type FakeServer, type Reply, startFakeServer } from "./fake-server.js";
import type { RecordedRequest } from "./recorded-request.js";

export interface FakeWebsiteOptions {
  /** Size of `/large` in bytes when the request gives no `?bytes=` (default 2 MiB). */
  largePageBytes?: number;
  /** How long `/slow` waits before answering when the request gives no `?ms=` (default 3000). */
  slowMs?: number;
}

/** A plain website for the `http` tool: pages, a large and a slow page, redirects and a JSON echo. */
export type FakeWebsite = FakeServer;

const HTML = { "Content-Type": "text/html; charset=utf-8" };
const TEXT = { "Content-Type": "text/plain; charset=utf-8" };
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_LARGE_BYTES = 256 * 1024 * 1024;
const MAX_WAIT_MS = 600_000;
const MAX_HOPS = 100;
const CHUNK_BYTES = 64 * 1024;

const HOME = `<!doctype html>
<html><head><title>Fake website</title></head>
<body><h1>Fake website</h1>
<ul>
<li><a href="/page">A page</a></li>
<li><a href="/json">A JSON document</a></li>
<li><a href="/large">A large page</a></li>
<li><a href="/slow">A slow page</a></li>
<li><a href="/redirect?to=/page">A redirect</a></li>
<li><a href="/echo">An echo of your request</a></li>
</ul></body></html>
`;

const PAGE = `<!doctype html>
<html><head><title>A page</title></head>
<body><h1>A page</h1><p>Hello from the fake website.</p></body></html>
`;

function html(status: number, body: string): Reply {
  return { status, headers: HTML, body };
}

function text(status: number, body: string): Reply {
  return { status, headers: TEXT, body };
}

/** A query parameter as an integer in [min, max], the fallback when absent, or undefined when invalid. */
function intParam(request: RecordedRequest, name: string, fallback: number, min: number, max: number) {
  const raw = request.query[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  return Number.isInteger(value) && value >= min && value <= max ? value : undefined;
}

async function* filler(bytes: number): AsyncGenerator<Uint8Array> {
  const line = Buffer.from("The quick brown fox jumps over the lazy dog. 0123456789\n");
  const chunk = Buffer.alloc(CHUNK_BYTES);
  for (let i = 0; i < CHUNK_BYTES; i += line.length) line.copy(chunk, i);
  for (let sent = 0; sent < bytes; sent += CHUNK_BYTES)
    yield chunk.subarray(0, Math.min(CHUNK_BYTES, bytes - sent));
}

async function* drip(chunks: number, intervalMs: number, signal: AbortSignal): AsyncGenerator<string> {
  for (let i = 1; i <= chunks; i++) {
    if (i > 1) await sleep(intervalMs, undefined, { signal });
    yield `chunk ${i} of ${chunks}\n`;
  }
}

function checkOptions(options: FakeWebsiteOptions): void {
  const { largePageBytes, slowMs } = options;
  if (largePageBytes !== undefined && (!Number.isInteger(largePageBytes) || largePageBytes < 0)) {
    throw new RangeError("largePageBytes must be a non-negative integer");
  }
  if (largePageBytes !== undefined && largePageBytes > MAX_LARGE_BYTES) {
    throw new RangeError(`largePageBytes must be at most ${MAX_LARGE_BYTES}`);
  }
  if (slowMs !== undefined && (!Number.isInteger(slowMs) || slowMs < 0 || slowMs > MAX_WAIT_MS)) {
    throw new RangeError(`slowMs must be an integer from 0 to ${MAX_WAIT_MS}`);
  }
}

/**
 * Starts the fake website. Routes (GET unless said otherwise; HEAD works too):
 * `/`, `/page`, `/json`; `/large?bytes=N`; `/slow?ms=N` (waits, then answers);
 * `/drip?chunks=N&intervalMs=M` (answers at once, then trickles the body);
 * `/redirect?to=<url>&status=301|302|303|307|308` (default 302, any method); `/redirect-chain?hops=N` (N redirects, then
 * `/page`); `/status/<code>`; `/echo` (any method: the request as JSON).
 */
export async function startFakeWebsite(options: FakeWebsiteOptions = {}): Promise<FakeWebsite> {
  checkOptions(options);
  const largePageBytes = options.largePageBytes ?? 2 * 1024 * 1024;
  const slowMs = options.slowMs ?? 3000;

  async function handle(request: RecordedRequest, signal: AbortSignal): Promise<Reply> {
    const { path } = request;
    if (path === "/echo") {
      const { method, url, query, headers, body, json } = request;
      return { status: 200, json: { method, url, path, query, headers, body, json: json ?? null } };
    }
    // Redirects answer any method, as a form handler's would (307/308 keep the method and body).
    if (request.method !== "GET" && request.method !== "HEAD" && path !== "/redirect") {
      return { status: 405, headers: { ...TEXT, Allow: "GET, HEAD" }, body: "Method Not Allowed\n" };
    }
    switch (path) {
      case "/":
        return html(200, HOME);
      case "/page":
        return html(200, PAGE);
      case "/json":
        return { status: 200, json: { name: "fake website", items: [1, 2, 3], nested: { ok: true } } };
      case "/large": {
        const bytes = intParam(request, "bytes", largePageBytes, 0, MAX_LARGE_BYTES);
        if (bytes === undefined) return text(400, `bytes must be an integer from 0 to ${MAX_LARGE_BYTES}\n`);
        return { status: 200, headers: { ...TEXT, "Content-Length": String(bytes) }, stream: filler(bytes) };
      }
      case "/slow": {
        const ms = intParam(request, "ms", slowMs, 0, MAX_WAIT_MS);
        if (ms === undefined) return text(400, `ms must be an integer from 0 to ${MAX_WAIT_MS}\n`);
        await sleep(ms, undefined, { signal });
        return html(200, PAGE);
      }
      case "/drip": {
        const chunks = intParam(request, "chunks", 5, 1, 1000);
        const intervalMs = intParam(request, "intervalMs", 200, 0, MAX_WAIT_MS);
        if (chunks === undefined || intervalMs === undefined)
          return text(400, "invalid chunks or intervalMs\n");
        return { status: 200, headers: TEXT, stream: drip(chunks, intervalMs, signal) };
      }
      case "/redirect": {
        const to = request.query.to;
        const status = intParam(request, "status", 302, 300, 399);
        if (to === undefined || to === "") return text(400, "the to parameter is required\n");
        if (status === undefined || !REDIRECT_STATUSES.has(status)) {
          return text(400, "status must be one of 301, 302, 303, 307, 308\n");
        }
        return { status, headers: { ...TEXT, Location: to }, body: `Redirecting to ${to}\n` };
      }
      case "/redirect-chain": {
        const hops = intParam(request, "hops", 3, 0, MAX_HOPS);
        if (hops === undefined) return text(400, `hops must be an integer from 0 to ${MAX_HOPS}\n`);
        const location = hops === 0 ? "/page" : `/redirect-chain?hops=${hops - 1}`;
        return {
          status: 302,
          headers: { ...TEXT, Location: location },
          body: `Redirecting to ${location}\n`,
        };
      }
    }
    const code = /^\/status\/(\d{3})$/.exec(path)?.[1];
    if (code !== undefined && Number(code) >= 200 && Number(code) <= 599) {
      return text(Number(code), `Status ${code}\n`);
    }
    return html(404, "<!doctype html><title>Not Found</title><h1>Not Found</h1>\n");
  }

  return startFakeServer({
    handle,
    errorReply: (status, message) => text(status, `${message}\n`),
  });
}
