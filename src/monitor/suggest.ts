/**
 * Suggest constraints.json from baseline statistics, as the built-in container does (spec §2.2):
 *
 * - `inferred_type`: copied from the statistics.
 * - `completeness`: num_present / (num_present + num_missing); 0 for an empty feature.
 * - `num_constraints.is_non_negative`: min ≥ 0 (Deequ NonNegativeNumbersRule), written for numeric features.
 * - `string_constraints.domains`: for String features with a categorical histogram, when at most 10% of the
 *   histogram entries are singletons (Deequ CategoricalRangeRule, `uniqueValueRatio <= 0.1`); values ordered
 *   by descending count, ties in reverse histogram order (Deequ sorts ascending, then reverses). Deequ would
 *   also apply the rule to Integral columns, but statistics.json keeps no histogram for them, so none is made.
 * - `monitoring_config`: the container defaults (formatConstraints leaves the categorical pair out while it
 *   holds the defaults, as the container's files do).
 */
import { defaultMonitoringConfig, type CategoricalDriftMethod, type Constraints, type FeatureConstraints } from './constraints.js';
import type { CategoricalBucket, FeatureStatistics, Statistics } from './schema.js';

export interface SuggestOptions {
  /** The one setting SageMaker lets a baselining job override (env `categorical_drift_method`). */
  categoricalDriftMethod?: CategoricalDriftMethod;
}

/** Deequ CategoricalRangeRule threshold on the share of values seen exactly once. */
const MAX_UNIQUE_VALUE_RATIO = 0.1;

export function suggestConstraints(stats: Statistics, opts: SuggestOptions = {}): Constraints {
  const mc = defaultMonitoringConfig();
  if (opts.categoricalDriftMethod) mc.distribution_constraints.categorical_drift_method = opts.categoricalDriftMethod;
  return { version: 0, features: stats.features.map(suggestFeature), monitoring_config: mc };
}

function suggestFeature(f: FeatureStatistics): FeatureConstraints {
  const common = f.numerical_statistics?.common ?? f.string_statistics?.common;
  const total = common ? common.num_present + common.num_missing : 0;
  const out: FeatureConstraints = { name: f.name, inferred_type: f.inferred_type, completeness: total === 0 ? 0 : common!.num_present / total };
  if ((f.inferred_type === 'Integral' || f.inferred_type === 'Fractional') && f.numerical_statistics && f.numerical_statistics.common.num_present > 0) {
    out.num_constraints = { is_non_negative: f.numerical_statistics.min >= 0 };
  }
  if (f.inferred_type === 'String') {
    const buckets = f.string_statistics?.distribution?.categorical.buckets;
    const domains = buckets ? suggestDomain(buckets) : undefined;
    if (domains) out.string_constraints = { domains };
  }
  return out;
}

/** The domain for a categorical histogram, or undefined when the column does not look categorical. */
export function suggestDomain(buckets: readonly CategoricalBucket[]): string[] | undefined {
  if (buckets.length === 0) return undefined;
  const singletons = buckets.filter((b) => b.count === 1).length;
  if (singletons / buckets.length > MAX_UNIQUE_VALUE_RATIO) return undefined;
  const ascending = [...buckets].sort((a, b) => a.count - b.count); // stable, like Scala sortBy
  return ascending.reverse().map((b) => b.value);
}
