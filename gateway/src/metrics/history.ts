// A short history of the key counters for the console's overview: a sample of the
// totals every interval (kept in memory, the last `points` samples), so the charts
// show how the last half hour went without a time-series database. Per process: with
// several workers each shows its own (Prometheus at /metrics is the fleet-wide view).
import type { Registry } from "prom-client";

export interface OverviewTotals {
  requests: number;
  denials: number;
  rateLimited: number;
  upstreamErrors: number;
  budgetUsed: number;
}

export interface OverviewSample extends OverviewTotals {
  /** RFC 3339. */
  time: string;
}

export interface MetricsHistory {
  /** The totals now, and the samples so far (oldest first), the last one taken now. */
  snapshot(): Promise<{ totals: OverviewTotals; samples: OverviewSample[]; intervalSeconds: number }>;
  stop(): void;
}

type MetricJson = { name: string; values: Array<{ value: number; labels: Record<string, string | number> }> };

const sum = (
  metrics: MetricJson[],
  name: string,
  keep: (labels: Record<string, string | number>) => boolean = () => true,
) =>
  metrics
    .find((m) => m.name === name)
    ?.values.filter((v) => keep(v.labels))
    .reduce((total, v) => total + v.value, 0) ?? 0;

export async function readTotals(registry: Registry): Promise<OverviewTotals> {
  const metrics = (await registry.getMetricsAsJSON()) as unknown as MetricJson[];
  return {
    requests: sum(metrics, "agentgw_requests_total"),
    denials: sum(metrics, "agentgw_policy_decisions_total", (l) => String(l.allow) === "false"),
    rateLimited: sum(metrics, "agentgw_rate_limit_hits_total"),
    upstreamErrors: sum(metrics, "agentgw_upstream_errors_total"),
    budgetUsed: sum(metrics, "agentgw_budget_used"),
  };
}

export function startMetricsHistory(
  registry: Registry,
  options: { intervalMs?: number; points?: number; now?: () => number } = {},
): MetricsHistory {
  const intervalMs = options.intervalMs ?? 60_000;
  const points = options.points ?? 30;
  const now = options.now ?? Date.now;
  const samples: OverviewSample[] = [];
  const take = async () => {
    const totals = await readTotals(registry);
    samples.push({ time: new Date(now()).toISOString(), ...totals });
    if (samples.length > points) samples.shift();
    return totals;
  };
  void take();
  const timer = setInterval(() => void take(), intervalMs).unref();
  return {
    async snapshot() {
      const totals = await readTotals(registry);
      return {
        totals,
        samples: [...samples, { time: new Date(now()).toISOString(), ...totals }],
        intervalSeconds: intervalMs / 1000,
      };
    },
    stop() {
      clearInterval(timer);
    },
  };
}
