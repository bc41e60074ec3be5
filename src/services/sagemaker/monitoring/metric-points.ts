/**
 * The core's CloudWatch metric data (src/monitor/cloudwatch-metrics.ts, spec §4.1) as rows of the metric store,
 * so alarms see them like metrics sent with PutMetricData: one-minute period at the run's metric time.
 */
import type { MetricPoint } from '../../../metrics/types.js';
import type { MetricDatum } from './analyzer.js';

const PERIOD_SECONDS = 60;

export function metricPoints(accountId: string, region: string, time: Date, data: MetricDatum[]): MetricPoint[] {
  const periodStart = Math.floor(time.getTime() / (PERIOD_SECONDS * 1000)) * PERIOD_SECONDS * 1000;
  return data.map((m) => {
    const s = m.statisticValues;
    const v = m.value ?? 0;
    return {
      accountId, region, namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, periodStart, periodSeconds: PERIOD_SECONDS,
      ...(s ? { sum: s.Sum, count: s.SampleCount, min: s.Minimum, max: s.Maximum } : { sum: v, count: 1, min: v, max: v }),
      unit: m.unit,
    };
  });
}
