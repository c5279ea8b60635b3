// Metrics with AGENTGW_WORKERS=N: each worker counts what it serves, and a scrape of
// /metrics lands on whichever worker the kernel picks, so on its own it would show one
// worker's share. Instead the worker that is scraped asks the primary, which gathers every
// worker's registry over the cluster's IPC channel (prom-client's AggregatorRegistry:
// counters and histograms summed, each gauge as it declares) and answers with the whole,
// so a scrape shows the gateway as one, as separate instances do to a Prometheus that
// scrapes each of them.
import cluster from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";

const REQUEST = "agentgw:cluster-metrics-request";
const RESPONSE = "agentgw:cluster-metrics-response";

interface MetricsMessage {
  type?: unknown;
  id?: unknown;
  text?: unknown;
  error?: unknown;
}

/** In the primary: answers workers asking for the whole cluster's metrics. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: MetricsMessage) => {
    if (message?.type !== REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: RESPONSE, id: message.id, text }),
      (error: unknown) =>
        worker.send({ type: RESPONSE, id: message.id, error: (error as Error)?.message ?? String(error) }),
    );
  });
}

/**
 * In a worker: offers `registry` to the primary's aggregation, and returns what renders
 * the whole cluster's metrics (rejects when the primary does not answer in time).
 */
export function clusterMetricsRenderer(registry: Registry, timeoutMs = 5_000): () => Promise<string> {
  new AggregatorRegistry(); // installs the worker's answer to the primary's requests
  AggregatorRegistry.setRegistries([registry]);
  const waiting = new Map<number, { resolve(text: string): void; reject(error: Error): void }>();
  let next = 0;
  process.on("message", (message: MetricsMessage) => {
    if (message?.type !== RESPONSE || typeof message.id !== "number") return;
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (typeof message.text === "string") pending.resolve(message.text);
    else pending.reject(new Error(`cluster metrics: ${String(message.error)}`));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error("cluster metrics: the primary did not answer"));
      }, timeoutMs);
      timer.unref();
      waiting.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      process.send?.({ type: REQUEST, id });
    });
}
