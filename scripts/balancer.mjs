// A small HTTP load balancer for local runs of several gateways (npm run cluster:demo) and
// for the tests. It forwards each request unchanged — method, path, headers (Host too, so
// signatures naming the balancer's authority verify on every backend), body — to the next
// backend in turn, and streams the answer back. A request may pick its backend with the
// header `x-agentgw-backend: <index>` (tests use it to aim at one instance); the header is
// removed before forwarding. A backend that refuses the connection answers 502.
import { createServer, request } from "node:http";

export const BACKEND_HEADER = "x-agentgw-backend";

/**
 * @param {{ backends: string[], port?: number, host?: string }} options backends as http://host:port
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export function startBalancer({ backends, port = 0, host = "127.0.0.1" }) {
  if (!Array.isArray(backends) || backends.length === 0)
    throw new TypeError("backends must be a non-empty list");
  const targets = backends.map((b) => new URL(b));
  let next = 0;
  const server = createServer((req, res) => {
    const asked = Number(req.headers[BACKEND_HEADER]);
    const index =
      Number.isInteger(asked) && asked >= 0 && asked < targets.length ? asked : next++ % targets.length;
    const target = targets[index];
    const headers = { ...req.headers };
    delete headers[BACKEND_HEADER];
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`backend ${index} unreachable\n`);
    });
    req.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      resolve({
        url: `http://${host}:${bound}`,
        port: bound,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
