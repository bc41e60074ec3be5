/** Small builders of statistics.json objects for the constraints/checks tests (exact, uncompacted sketches). */
import type { FeatureStatistics, Statistics } from './schema.js';

export function numericFeature(name: string, values: readonly (number | null)[], type: 'Integral' | 'Fractional' = 'Fractional'): FeatureStatistics {
  const xs = values.filter((v): v is number => v !== null);
  const n = xs.length;
  const sum = xs.reduce((a, b) => a + b, 0);
  const mean = n ? sum / n : 0;
  const std = n ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n) : 0;
  const min = n ? Math.min(...xs) : 0;
  const max = n ? Math.max(...xs) : 0;
  return {
    name,
    inferred_type: type,
    numerical_statistics: {
      common: { num_present: n, num_missing: values.length - n },
      mean,
      sum,
      std_dev: std,
      min,
      max,
      distribution: { kll: { buckets: [], sketch: { parameters: { c: 0.64, k: 2048 }, data: [xs] } } },
    },
  };
}

export function stringFeature(name: string, counts: Record<string, number>, missing = 0): FeatureStatistics {
  const buckets = Object.entries(counts).map(([value, count]) => ({ value, count }));
  const present = buckets.reduce((a, b) => a + b.count, 0);
  return {
    name,
    inferred_type: 'String',
    string_statistics: { common: { num_present: present, num_missing: missing }, distinct_count: buckets.length, distribution: { categorical: { buckets } } },
  };
}

export function statistics(...features: FeatureStatistics[]): Statistics {
  const first = features[0];
  const c = first?.numerical_statistics?.common ?? first?.string_statistics?.common;
  return { version: 0, dataset: { item_count: c ? c.num_present + c.num_missing : 0 }, features };
}
