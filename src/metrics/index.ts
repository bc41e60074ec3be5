export { EndpointMetrics, SAGEMAKER_NAMESPACE, type EndpointMetricsOptions } from './endpoint-metrics.js';
export { SqlMetricStore } from './sql-store.js';
export { PrometheusExporter, type PrometheusSources, type CaptureCounters } from './prometheus.js';
export { canonicalDimensions, parseDimensions } from './dimensions.js';
export { isLoopback, metricsAllowed, type MetricsAccess } from './access.js';
export type * from './types.js';
