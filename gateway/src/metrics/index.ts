export {
  type BreakerState,
  createMetrics,
  type Metrics,
  type MetricsOptions,
  type RatePolicy,
  type RequestObservation,
  type RouteClass,
  type Stage,
} from "./metrics.js";
export { type MetricsHandlerOptions, metricsHandler } from "./metrics-handler.js";
