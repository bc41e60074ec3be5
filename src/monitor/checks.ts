/**
 * Evaluate constraints.json against the current run's statistics (SageMaker data-quality checks, spec §3).
 *
 * Rules (the spec leaves several open; choices are stated here once):
 * - `evaluate_constraints: Disabled` globally → no violations; on a feature override → that feature is skipped.
 * - missing_column_check / extra_column_check: one violation per baseline feature absent from the current
 *   statistics / per current feature absent from the constraints.
 * - data_type_check: match ratio < datatype_check_threshold. The ratio is Deequ's `hasDataType`: values of the
 *   expected type / non-null values (so integer-looking values do not count as Fractional — SageMaker's own
 *   outputs show e.g. 0.4995 for a Fractional fare column). statistics.json carries no per-type counts, so they
 *   come from `opts.typeCounts`; without them the ratio is 1 when the current inferred type equals the expected
 *   one and 0 otherwise. Features with no present value are left to completeness_check.
 * - completeness_check: current non-null fraction < the feature's `completeness`.
 * - categorical_values_check: features with `string_constraints.domains`; share of current histogram counts
 *   whose value is in the domain < domain_content_threshold. Needs the current categorical histogram.
 * - baseline_drift_check (perform_comparison Enabled): numeric features — KLL L∞ (comparison_method Simple|
 *   Robust) > comparison_threshold; String features — LInfinity (same Simple|Robust switch) >
 *   categorical_comparison_threshold, or ChiSquared with p-value < categorical_comparison_threshold (the
 *   threshold read as a significance level). A NaN distance (empty side, < 2 categories) is not a violation.
 */
import { effectiveConfig, type Constraints, type FeatureConstraints, type MonitoringConfig } from './constraints.js';
import * as msg from './checks-messages.js';
import { categoricalChiSquare } from './distance-chisq.js';
import { categoricalLInfinity, numericalDistance, toCategoryCounts } from './distance.js';
import type { FeatureStatistics, Statistics } from './schema.js';
import type { ConstraintViolations, Violation } from './violations.js';

/** Deequ DataType analyzer counts for one feature in the current data. */
export interface TypeCounts {
  Integral?: number;
  Fractional?: number;
  String?: number;
  Boolean?: number;
  Unknown?: number;
}

export interface CheckOptions {
  /** Per-feature value-type counts from the profiler, if it kept them. */
  typeCounts?: ReadonlyMap<string, TypeCounts>;
  /** Tie handling for the numerical KS distance (see distance.ts). */
  ties?: 'sum' | 'deequ';
  /** Significance level for Robust L∞; absent = Deequ's c(α) 1.8. */
  alpha?: number;
}

export interface DriftResult {
  kind: 'numerical' | 'categorical';
  method: 'Simple' | 'Robust' | 'ChiSquared';
  /** The compared value: L∞ distance, or the χ² p-value for ChiSquared. */
  value: number;
  threshold: number;
  violated: boolean;
  linfSimple?: number;
  statistic?: number;
}

export interface FeatureEvaluation {
  name: string;
  /** False when constraints evaluation is disabled for the feature (or globally). */
  evaluated: boolean;
  emitMetrics: boolean;
  dataTypeMatch?: number;
  completeness?: number;
  domainMatch?: number;
  drift?: DriftResult;
}

export interface MonitoringEvaluation extends ConstraintViolations {
  features: FeatureEvaluation[];
}

/** Run all six checks; returns the violations file content. */
export function checkConstraints(baseline: Statistics, current: Statistics, constraints: Constraints, opts: CheckOptions = {}): ConstraintViolations {
  return { violations: evaluateConstraints(baseline, current, constraints, opts).violations };
}

/** Like checkConstraints, also returning per-feature values (drift distances, ratios) for metrics and reports. */
export function evaluateConstraints(baseline: Statistics, current: Statistics, constraints: Constraints, opts: CheckOptions = {}): MonitoringEvaluation {
  const violations: Violation[] = [];
  const features: FeatureEvaluation[] = [];
  const globalOn = constraints.monitoring_config.evaluate_constraints === 'Enabled';
  const cur = byName(current.features);
  const base = byName(baseline.features);
  const known = new Set(constraints.features.map((f) => f.name));

  for (const fc of constraints.features) {
    const cfg = effectiveConfig(constraints, fc);
    const evaluated = globalOn && cfg.evaluate_constraints === 'Enabled';
    const c = cur.get(fc.name);
    if (!c) {
      if (evaluated) violations.push({ feature_name: fc.name, constraint_check_type: 'missing_column_check', description: msg.missingColumnMessage(current.features.length, constraints.features.length) });
      continue;
    }
    const ev: FeatureEvaluation = { name: fc.name, evaluated, emitMetrics: cfg.emit_metrics === 'Enabled' };
    features.push(ev);
    if (!evaluated) {
      // Metrics still want the drift value even when violations are not evaluated.
      ev.drift = drift(base.get(fc.name), c, cfg, opts);
      continue;
    }
    violations.push(...checkFeature(fc, base.get(fc.name), c, cfg, opts, ev));
  }
  for (const f of current.features) {
    if (known.has(f.name)) continue;
    features.push({ name: f.name, evaluated: false, emitMetrics: constraints.monitoring_config.emit_metrics === 'Enabled' });
    if (globalOn) violations.push({ feature_name: f.name, constraint_check_type: 'extra_column_check', description: msg.extraColumnMessage(current.features.length, constraints.features.length) });
  }
  return { violations, features };
}

function checkFeature(fc: FeatureConstraints, b: FeatureStatistics | undefined, c: FeatureStatistics, cfg: MonitoringConfig, opts: CheckOptions, ev: FeatureEvaluation): Violation[] {
  const out: Violation[] = [];
  const add = (constraint_check_type: Violation['constraint_check_type'], description: string): void => {
    out.push({ feature_name: fc.name, constraint_check_type, description });
  };
  const common = c.numerical_statistics?.common ?? c.string_statistics?.common;
  const present = common?.num_present ?? 0;
  const total = present + (common?.num_missing ?? 0);

  if (fc.inferred_type !== 'Unknown' && present > 0) {
    ev.dataTypeMatch = typeMatch(fc.inferred_type, c, opts.typeCounts?.get(fc.name));
    if (ev.dataTypeMatch < cfg.datatype_check_threshold) add('data_type_check', msg.dataTypeMessage(fc.inferred_type, cfg.datatype_check_threshold, ev.dataTypeMatch));
  }

  if (total > 0) {
    ev.completeness = present / total;
    if (fc.completeness !== undefined && ev.completeness < fc.completeness) add('completeness_check', msg.completenessMessage(fc.completeness, ev.completeness));
  }

  const domains = fc.string_constraints?.domains;
  const buckets = c.string_statistics?.distribution?.categorical.buckets;
  if (domains && domains.length > 0 && buckets) {
    const allowed = new Set(domains);
    let inside = 0;
    let all = 0;
    const unexpected: string[] = [];
    for (const bk of buckets) {
      all += bk.count;
      if (allowed.has(bk.value)) inside += bk.count;
      else unexpected.push(bk.value);
    }
    if (all > 0) {
      ev.domainMatch = inside / all;
      if (ev.domainMatch < cfg.domain_content_threshold) add('categorical_values_check', msg.domainMessage(cfg.domain_content_threshold, ev.domainMatch, unexpected));
    }
  }

  ev.drift = drift(b, c, cfg, opts);
  if (ev.drift?.violated) {
    const d = ev.drift;
    const text =
      d.kind === 'numerical'
        ? msg.numericalDriftMessage(d.value, d.threshold)
        : d.method === 'ChiSquared'
          ? msg.chiSquaredDriftMessage(d.value, d.statistic ?? NaN, d.threshold)
          : msg.categoricalDriftMessage(d.value, d.threshold);
    add('baseline_drift_check', text);
  }
  return out;
}

const NUMERIC = new Set(['Integral', 'Fractional']);

function typeMatch(expected: string, c: FeatureStatistics, counts: TypeCounts | undefined): number {
  if (!counts) return c.inferred_type === expected ? 1 : 0;
  const of = (k: keyof TypeCounts): number => counts[k] ?? 0;
  const hits = of(expected as keyof TypeCounts);
  if (hits === 0) return 0;
  const nonNull = of('Integral') + of('Fractional') + of('String') + of('Boolean');
  return hits / nonNull;
}

/** Distribution distance baseline → current for one feature, or undefined when not comparable. */
function drift(b: FeatureStatistics | undefined, c: FeatureStatistics, cfg: MonitoringConfig, opts: CheckOptions): DriftResult | undefined {
  const dc = cfg.distribution_constraints;
  if (!b || dc.perform_comparison !== 'Enabled') return undefined;
  const bs = b.numerical_statistics?.distribution?.kll.sketch;
  const cs = c.numerical_statistics?.distribution?.kll.sketch;
  if (NUMERIC.has(b.inferred_type) && NUMERIC.has(c.inferred_type) && bs && cs) {
    const r = numericalDistance(bs, cs, { method: dc.comparison_method, alpha: opts.alpha, ties: opts.ties });
    if (Number.isNaN(r.distance)) return undefined;
    return { kind: 'numerical', method: dc.comparison_method, value: r.distance, threshold: dc.comparison_threshold, violated: r.distance > dc.comparison_threshold, linfSimple: r.linfSimple };
  }
  const bb = b.string_statistics?.distribution?.categorical.buckets;
  const cb = c.string_statistics?.distribution?.categorical.buckets;
  if (b.inferred_type !== 'String' || c.inferred_type !== 'String' || !bb || !cb) return undefined;
  const threshold = dc.categorical_comparison_threshold;
  if (dc.categorical_drift_method === 'ChiSquared') {
    const r = categoricalChiSquare(toCategoryCounts(cb), toCategoryCounts(bb));
    if (Number.isNaN(r.pValue)) return undefined;
    return { kind: 'categorical', method: 'ChiSquared', value: r.pValue, threshold, violated: r.pValue < threshold, statistic: r.statistic };
  }
  const r = categoricalLInfinity(toCategoryCounts(bb), toCategoryCounts(cb), { method: dc.comparison_method, alpha: opts.alpha });
  if (Number.isNaN(r.distance)) return undefined;
  return { kind: 'categorical', method: dc.comparison_method, value: r.distance, threshold, violated: r.distance > threshold, linfSimple: r.linfSimple };
}

function byName(fs: readonly FeatureStatistics[]): Map<string, FeatureStatistics> {
  return new Map(fs.map((f) => [f.name, f]));
}
