export { DurationBaseline, MIN_BASELINE_RUNS } from './duration-baseline.js';
export { EMF_NAMESPACE, EmfMetrics, emfLine, emfLineOf, queueDepthLine } from './emf-metrics.js';
export type {
  CheckSample,
  MetricSample,
  MetricSink,
  RetrySample,
  RunSample,
  StepSample,
} from './metric-sample.js';
export { type MetricsEndpoint, serveMetrics } from './metrics-endpoint.js';
export { type FreshnessSource, PrometheusMetrics } from './prometheus-metrics.js';
export { StepMetrics } from './step-metrics.js';
