import { describe, expect, it } from 'vitest';
import { evaluateConstraints } from './checks.js';
import { numericFeature, statistics, stringFeature } from './checks-testkit.js';
import { BATCH_DATA_NAMESPACE, dataQualityMetrics, ENDPOINT_DATA_NAMESPACE } from './cloudwatch-metrics.js';
import { suggestConstraints } from './suggest.js';

const base = statistics(numericFeature('amount', [1, 2, 3, null]), stringFeature('plan', { gold: 3, silver: 1 }));
const cons = suggestConstraints(base);
const ev = evaluateConstraints(base, base, cons);

describe('dataQualityMetrics', () => {
  it('emits the per-feature data-metrics for an endpoint schedule', () => {
    const m = dataQualityMetrics(base, cons, ev, { endpointName: 'fraud', monitoringScheduleName: 'hourly', timestamp: '2024-01-01T00:00:00Z' });
    expect(new Set(m.map((x) => x.namespace))).toEqual(new Set([ENDPOINT_DATA_NAMESPACE]));
    const names = m.map((x) => x.metricName);
    expect(names).toEqual([
      'feature_non_null_amount',
      'feature_null_amount',
      'feature_completeness_amount',
      'feature_baseline_drift_amount',
      'feature_data_amount',
      'feature_non_null_plan',
      'feature_null_plan',
      'feature_completeness_plan',
      'feature_estimated_unique_values_plan',
      'feature_baseline_drift_plan',
    ]);
    const drift = m.find((x) => x.metricName === 'feature_baseline_drift_amount');
    expect(drift).toEqual({
      namespace: ENDPOINT_DATA_NAMESPACE,
      metricName: 'feature_baseline_drift_amount',
      dimensions: [
        { Name: 'Endpoint', Value: 'fraud' },
        { Name: 'MonitoringSchedule', Value: 'hourly' },
        { Name: 'Feature', Value: 'amount' },
      ],
      value: 0,
      unit: 'None',
      timestamp: '2024-01-01T00:00:00Z',
    });
    expect(m.find((x) => x.metricName === 'feature_non_null_amount')).toMatchObject({ value: 3, unit: 'Count' });
    expect(m.find((x) => x.metricName === 'feature_data_amount')?.statisticValues).toEqual({ SampleCount: 3, Sum: 6, Minimum: 1, Maximum: 3 });
  });

  it('uses the batch namespace without the Endpoint dimension', () => {
    const m = dataQualityMetrics(base, cons, ev, { monitoringScheduleName: 's' });
    expect(m[0].namespace).toBe(BATCH_DATA_NAMESPACE);
    expect(m[0].dimensions.map((d) => d.Name)).toEqual(['MonitoringSchedule', 'Feature']);
  });

  it('honours emit_metrics, per-feature overrides, publish and type counts', () => {
    expect(dataQualityMetrics(base, { ...cons, monitoring_config: { ...cons.monitoring_config, emit_metrics: 'Disabled' } }, ev, { monitoringScheduleName: 's' })).toEqual([]);
    expect(dataQualityMetrics(base, cons, ev, { monitoringScheduleName: 's', publish: false })).toEqual([]);
    const c2 = { ...cons, features: cons.features.map((f) => (f.name === 'plan' ? { ...f, monitoringConfigOverrides: { emit_metrics: 'Disabled' as const } } : f)) };
    const m = dataQualityMetrics(base, c2, evaluateConstraints(base, base, c2), { monitoringScheduleName: 's', typeCounts: new Map([['amount', { Fractional: 3, Unknown: 1 }]]) });
    expect(m.some((x) => x.metricName.endsWith('_plan'))).toBe(false);
    expect(m.find((x) => x.metricName === 'feature_fractional_counts_amount')?.value).toBe(3);
    expect(m.find((x) => x.metricName === 'feature_unknown_counts_amount')?.value).toBe(1);
  });
});
