/**
 * DatasetProfile → SageMaker statistics.json (spec §2.1).
 *
 * Type mapping: Deequ's Fractional/Integral → numerical_statistics; String → string_statistics.
 * SageMaker's inferred_type has no Boolean, so a Boolean-only feature is reported as String (values
 * "true"/"false"). An all-missing feature is `Unknown` with string_statistics holding only counts
 * (num_present 0, distinct_count 0, no buckets): the container's exact output for that case is not
 * documented, and counts are what completeness checks need.
 *
 * Categorical buckets are ordered by count (descending), then value, so output is deterministic.
 */
import { DEFAULT_BUCKETS } from './kll.js';
import type { DatasetProfile } from './profile.js';
import type { FeatureProfile } from './profile-feature.js';
import type { CategoricalBucket, FeatureStatistics, Statistics } from './schema.js';

export function profileToStatistics(p: DatasetProfile): Statistics {
  const items = p.itemCount;
  return {
    version: 0,
    dataset: { item_count: items },
    features: p.allFeatures().map((f) => featureStatistics(f, items)),
  };
}

function featureStatistics(f: FeatureProfile, itemCount: number): FeatureStatistics {
  const present = f.present;
  const common = { num_present: present, num_missing: itemCount - present };
  const t = f.inferredType();
  if (t === 'Fractional' || t === 'Integral') {
    return {
      name: f.name,
      inferred_type: t,
      numerical_statistics: {
        common,
        mean: f.mean,
        sum: f.totalSum,
        std_dev: f.stdDev,
        min: f.min,
        max: f.max,
        distribution: { kll: { buckets: f.kll.buckets(f.min, f.max, DEFAULT_BUCKETS), sketch: f.kll.toJson() } },
      },
    };
  }
  if (t === 'Unknown') {
    return { name: f.name, inferred_type: 'Unknown', string_statistics: { common, distinct_count: 0 } };
  }
  const hist = f.categorical.histogram();
  const out: FeatureStatistics = {
    name: f.name,
    inferred_type: 'String',
    string_statistics: { common, distinct_count: f.categorical.distinctCount() },
  };
  if (hist !== null) {
    const buckets: CategoricalBucket[] = [...hist].map(([value, count]) => ({ value, count }));
    buckets.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    (out.string_statistics as NonNullable<FeatureStatistics['string_statistics']>).distribution = { categorical: { buckets } };
  }
  return out;
}
