// Forwarding throughput: the same N JSON POSTs to a local fake upstream, once with an undici keep-alive Pool
// (what gateway/src/forward/upstream-client.ts uses) and once with axios on a keep-alive http.Agent, side by
// side in one run. Prints requests per second for each and the ratio.
//
//   node bench/forward.mjs [requests=3000] [concurrency=16]
import { once } from "node:events";
import { createServer, Agent as HttpAgent } from "node:http";
import axios from "axios";
import { Pool } from "undici";

const total = Number(process.argv[2] ?? 3000);
const concurrency = Number(process.argv[3] ?? 16);
if (!Number.isInteger(total) || total < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error("usage: node bench/forward.mjs [requests >= 1] [concurrency >= 1]");
  process.exit(2);
}

// A fake OpenAI-like upstream: reads the JSON body, answers a small chat completion.
const answer = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "gpt-4o-mini",
  choices: [{ index: 0, message: { role: "assistant", content: "Echo: hello" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
});
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(answer) });
    res.end(answer);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1");
await once(server, "listening");
const origin = `http://127.0.0.1:${server.address().port}`;

const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] });
const headers = {
  "content-type": "application/json",
  authorization: "Bearer sk-bench",
  "x-request-id": "bench",
};

const pool = new Pool(origin, { connections: concurrency });
async function viaUndici() {
  const res = await pool.request({ path: "/v1/chat/completions", method: "POST", headers, body });
  const json = await res.body.json();
  if (res.statusCode !== 200 || json.usage.total_tokens !== 5) throw new Error("bad answer (undici)");
}

const client = axios.create({
  baseURL: origin,
  httpAgent: new HttpAgent({ keepAlive: true, maxSockets: concurrency }),
  validateStatus: () => true,
});
async function viaAxios() {
  const res = await client.post("/v1/chat/completions", body, { headers });
  if (res.status !== 200 || res.data.usage.total_tokens !== 5) throw new Error("bad answer (axios)");
}

/** Runs `count` calls with `concurrency` in flight; returns requests per second. */
async function measure(call, count) {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        await call();
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return count / seconds;
}

try {
  // Warm both clients (connections, JIT) before measuring, then alternate to share any machine noise.
  await measure(viaUndici, Math.min(500, total));
  await measure(viaAxios, Math.min(500, total));
  const undiciRps = await measure(viaUndici, total);
  const axiosRps = await measure(viaAxios, total);
  const fmt = (n) => n.toFixed(0).padStart(8);
  console.log(`forwarding ${total} JSON POSTs, ${concurrency} in flight, to ${origin}`);
  console.log(`  undici Pool      ${fmt(undiciRps)} req/s`);
  console.log(`  axios keep-alive ${fmt(axiosRps)} req/s`);
  console.log(`  undici / axios = ${(undiciRps / axiosRps).toFixed(2)}x`);
} finally {
  await pool.close();
  server.close();
  server.closeAllConnections();
}
