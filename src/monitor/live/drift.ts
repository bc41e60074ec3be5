import { effectiveConfig, type Constraints } from '../constraints.js';
import { categoricalLInfinity, numericalDistance, toCategoryCounts } from '../distance.js';
import { featureDriftMetrics } from '../drift-metrics.js';
import { DatasetProfile, FeatureProfile, profileToStatistics } from '../profile.js';
import type { FeatureStatistics, Statistics } from '../schema.js';
import { suggestConstraints } from '../suggest.js';

/** What the rolling drift metric compares against: a monitoring schedule's baseline. */
export interface LiveBaseline {
  statistics: Statistics;
  /** The schedule's constraints.json; absent → the constraints a baselining job would suggest (Robust L∞). */
  constraints?: Constraints;
  /**
   * The baseline's first feature is the model output (a schedule whose captureIndexNames include
   * endpointOutput): live profiles hold inputs only, so `_c0` is the baseline's second feature.
   */
  outputFirst?: boolean;
}

export interface FeatureDrift {
  feature: string;
  /**
   * baseline_drift_check's distance with the feature's comparison_method: KLL L∞ (two-sample KS) for numeric
   * features, categorical L∞ for String ones. Always L∞, also where the constraints choose ChiSquared, whose
   * compared value is a p-value (lower = more drift) and would turn alarm thresholds upside down.
   */
  distance: number;
  /** Population stability index over the baseline's bins (drift-metrics.ts), when comparable. */
  psi?: number;
}

/** The baseline's features and per-feature config, prepared once per setBaseline rather than every minute. */
export interface PreparedBaseline {
  features: Map<string, { stats: FeatureStatistics; method: 'Simple' | 'Robust' }>;
  names: string[];
  outputFirst: boolean;
}

const NUMERIC = new Set(['Integral', 'Fractional']);

export function prepareBaseline(b: LiveBaseline): PreparedBaseline {
  const constraints = b.constraints ?? suggestConstraints(b.statistics);
  const byName = new Map(constraints.features.map((f) => [f.name, f]));
  const features: PreparedBaseline['features'] = new Map();
  for (const stats of b.statistics.features) {
    const cfg = effectiveConfig(constraints, byName.get(stats.name));
    // Features whose schedule would neither compare nor emit metrics get no rolling metric either.
    if (cfg.distribution_constraints.perform_comparison !== 'Enabled' || cfg.emit_metrics !== 'Enabled') continue;
    features.set(stats.name, { stats, method: cfg.distribution_constraints.comparison_method });
  }
  return { features, names: b.statistics.features.map((f) => f.name), outputFirst: b.outputFirst ?? false };
}

/**
 * Positional columns under the baseline's names, as a monitoring execution renames capture rows: when the
 * profile's features are exactly `_c0…_c{n-1}` and the baseline has n features (n + 1 with the output first),
 * `_c{i}` takes the baseline's i-th input name. Otherwise the profile is returned as it is. Hourly executions
 * that merge live profiles call this before analyzeAgainstBaseline.
 */
export function positionalNames(profile: DatasetProfile, baselineNames: readonly string[], outputFirst = false): DatasetProfile {
  const offset = outputFirst ? 1 : 0;
  const fs = profile.allFeatures();
  if (fs.length === 0 || fs.length + offset !== baselineNames.length || !fs.every((f, i) => f.name === `_c${i}`)) return profile;
  if (fs.every((f, i) => baselineNames[i + offset] === f.name)) return profile;
  // Merging into an empty feature is an exact copy under the new name.
  return DatasetProfile.fromParts(profile.itemCount, fs.map((f, i) => new FeatureProfile(baselineNames[i + offset]).merge(f)));
}

/** Per-feature drift of a window's merged profile against the baseline; features not comparable are left out. */
export function profileDrift(baseline: PreparedBaseline, profile: DatasetProfile, withPsi: boolean): FeatureDrift[] {
  const current = profileToStatistics(positionalNames(profile, baseline.names, baseline.outputFirst));
  const out: FeatureDrift[] = [];
  for (const c of current.features) {
    const b = baseline.features.get(c.name);
    if (!b) continue;
    const distance = linf(b.stats, c, b.method);
    if (distance === undefined) continue;
    const d: FeatureDrift = { feature: c.name, distance };
    if (withPsi) {
      const psi = featureDriftMetrics(b.stats, c)?.psi;
      if (psi !== undefined && Number.isFinite(psi)) d.psi = psi;
    }
    out.push(d);
  }
  return out;
}

function linf(b: FeatureStatistics, c: FeatureStatistics, method: 'Simple' | 'Robust'): number | undefined {
  const bs = b.numerical_statistics?.distribution?.kll.sketch;
  const cs = c.numerical_statistics?.distribution?.kll.sketch;
  if (NUMERIC.has(b.inferred_type) && NUMERIC.has(c.inferred_type) && bs && cs) {
    const r = numericalDistance(bs, cs, { method });
    return Number.isNaN(r.distance) ? undefined : r.distance;
  }
  const bb = b.string_statistics?.distribution?.categorical.buckets;
  const cb = c.string_statistics?.distribution?.categorical.buckets;
  if (b.inferred_type !== 'String' || c.inferred_type !== 'String' || !bb || !cb) return undefined;
  const r = categoricalLInfinity(toCategoryCounts(bb), toCategoryCounts(cb), { method });
  return Number.isNaN(r.distance) ? undefined : r.distance;
}
