/**
 * CloudWatch metric data a data-quality monitoring execution emits (spec §4.1), as plain objects for the
 * metrics store / PutMetricData path.
 *
 * - Emitted only when the job publishes (`publish_cloudwatch_metrics` Enabled, the caller's switch) and
 *   `monitoring_config.emit_metrics` is Enabled, per feature after its overrides.
 * - Namespace: real-time `aws/sagemaker/Endpoints/data-metrics` with dimensions Endpoint, MonitoringSchedule,
 *   Feature; batch `aws/sagemaker/ModelMonitoring/data-metrics` with MonitoringSchedule, Feature (SDK dashboard
 *   SEARCH schemas). The Feature dimension carries the feature name.
 * - Per feature: `feature_baseline_drift_<f>` (the compared drift value), `feature_non_null_<f>`,
 *   `feature_null_<f>`, `feature_completeness_<f>`, `feature_data_<f>` (numeric: StatisticValues from the
 *   profile), `feature_estimated_unique_values_<f>` (String), and `feature_<type>_counts_<f>` when per-type
 *   counts are known. Counts use unit Count, ratios and distances None.
 */
import type { FeatureEvaluation, MonitoringEvaluation, TypeCounts } from './checks.js';
import type { Constraints } from './constraints.js';
import type { FeatureStatistics, Statistics } from './schema.js';

export const ENDPOINT_DATA_NAMESPACE = 'aws/sagemaker/Endpoints/data-metrics';
export const BATCH_DATA_NAMESPACE = 'aws/sagemaker/ModelMonitoring/data-metrics';

export interface Dimension {
  Name: string;
  Value: string;
}

export interface StatisticValues {
  SampleCount: number;
  Sum: number;
  Minimum: number;
  Maximum: number;
}

/** One datum; exactly one of value / statisticValues is set (as in the BYOC metrics file). */
export interface MetricDatum {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  value?: number;
  statisticValues?: StatisticValues;
  unit: 'Count' | 'None';
  /** ISO-8601, when the caller gave a metric time. */
  timestamp?: string;
}

export interface MetricContext {
  /** Real-time endpoint name; absent for batch-transform monitoring. */
  endpointName?: string;
  monitoringScheduleName: string;
  /** Job env `publish_cloudwatch_metrics`; default Enabled (schedules set it). */
  publish?: boolean;
  timestamp?: string;
  typeCounts?: ReadonlyMap<string, TypeCounts>;
}

const TYPE_METRICS: [keyof TypeCounts, string][] = [
  ['Fractional', 'fractional'],
  ['Integral', 'integral'],
  ['String', 'string'],
  ['Boolean', 'boolean'],
  ['Unknown', 'unknown'],
];

/**
 * Metric data for one execution. `evaluation` is evaluateConstraints' result (it knows per-feature overrides
 * and drift values); `current` the execution's statistics.
 */
export function dataQualityMetrics(current: Statistics, constraints: Constraints, evaluation: MonitoringEvaluation, ctx: MetricContext): MetricDatum[] {
  if (ctx.publish === false || constraints.monitoring_config.emit_metrics !== 'Enabled') return [];
  const namespace = ctx.endpointName === undefined ? BATCH_DATA_NAMESPACE : ENDPOINT_DATA_NAMESPACE;
  const base: Dimension[] = ctx.endpointName === undefined ? [] : [{ Name: 'Endpoint', Value: ctx.endpointName }];
  base.push({ Name: 'MonitoringSchedule', Value: ctx.monitoringScheduleName });
  const evals = new Map<string, FeatureEvaluation>(evaluation.features.map((f) => [f.name, f]));
  const out: MetricDatum[] = [];
  for (const f of current.features) {
    const ev = evals.get(f.name);
    if (ev && !ev.emitMetrics) continue;
    const dims = [...base, { Name: 'Feature', Value: f.name }];
    const put = (name: string, unit: MetricDatum['unit'], value: number): void => {
      if (!Number.isFinite(value)) return; // CloudWatch rejects NaN/Infinity
      out.push({ namespace, metricName: `${name}_${f.name}`, dimensions: dims, value, unit, ...(ctx.timestamp ? { timestamp: ctx.timestamp } : {}) });
    };
    featureMetrics(f, ev, put);
    const tc = ctx.typeCounts?.get(f.name);
    if (tc) for (const [k, label] of TYPE_METRICS) put(`feature_${label}_counts`, 'Count', tc[k] ?? 0);
    const ns = f.numerical_statistics;
    if (ns && ns.common.num_present > 0) {
      out.push({
        namespace,
        metricName: `feature_data_${f.name}`,
        dimensions: dims,
        statisticValues: { SampleCount: ns.common.num_present, Sum: ns.sum, Minimum: ns.min, Maximum: ns.max },
        unit: 'None',
        ...(ctx.timestamp ? { timestamp: ctx.timestamp } : {}),
      });
    }
  }
  return out;
}

function featureMetrics(f: FeatureStatistics, ev: FeatureEvaluation | undefined, put: (name: string, unit: MetricDatum['unit'], value: number) => void): void {
  const common = f.numerical_statistics?.common ?? f.string_statistics?.common;
  if (common) {
    put('feature_non_null', 'Count', common.num_present);
    put('feature_null', 'Count', common.num_missing);
    const total = common.num_present + common.num_missing;
    if (total > 0) put('feature_completeness', 'None', common.num_present / total);
  }
  if (f.string_statistics) put('feature_estimated_unique_values', 'Count', f.string_statistics.distinct_count);
  if (ev?.drift) put('feature_baseline_drift', 'None', ev.drift.value);
}
