/**
 * Data-quality job entrypoints shared by `vigil baseline` / `vigil analyze` and the server's processing jobs.
 * Pure: rows (or an already merged profile) in, SageMaker's output documents out; no files, no network.
 */
import { evaluateConstraints, type MonitoringEvaluation, type TypeCounts } from './checks.js';
import type { CategoricalDriftMethod, Constraints } from './constraints.js';
import { driftMetrics as computeDriftMetrics, type DriftMetrics } from './drift-metrics.js';
import { DatasetProfile, profileToStatistics, type Value } from './profile.js';
import type { Statistics } from './schema.js';
import { suggestConstraints } from './suggest.js';
import type { ConstraintViolations } from './violations.js';

type Row = Record<string, Value>;

/** Rows one at a time, or in arrays (the readers in ./inputs yield batches, which is much cheaper to iterate). */
export type RowSource = AsyncIterable<Row> | AsyncIterable<Row[]> | AsyncIterable<Row | Row[]>;

export interface ProfileOptions {
  /** Called after each batch with the number of rows profiled so far. */
  onProgress?(rows: number): void;
}

export interface BaselineOptions extends ProfileOptions {
  /** The one setting SageMaker lets a baselining job override (env `categorical_drift_method`). */
  categoricalDriftMethod?: CategoricalDriftMethod;
}

export interface BaselineResult {
  statistics: Statistics;
  constraints: Constraints;
  profile: DatasetProfile;
}

export interface AnalysisResult {
  statistics: Statistics;
  violations: ConstraintViolations;
  /** Per-feature check values (drift distance vs threshold, completeness, type match), for metrics and reports. */
  evaluation: MonitoringEvaluation;
  profile: DatasetProfile;
  /** PSI / Jensen–Shannon / Wasserstein per feature present on both sides. */
  driftMetrics: Map<string, DriftMetrics>;
}

/** Profiles every row; accepts single rows or batches. */
export async function profileRows(rows: RowSource, opts: ProfileOptions = {}): Promise<DatasetProfile> {
  const profile = DatasetProfile.empty();
  let n = 0;
  for await (const item of rows) {
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) profile.add(item[i]);
      n += item.length;
    } else {
      profile.add(item);
      n++;
    }
    opts.onProgress?.(n);
  }
  return profile;
}

/** A baselining job: statistics.json and suggested constraints.json for the rows. */
export async function suggestBaseline(rows: RowSource, opts: BaselineOptions = {}): Promise<BaselineResult> {
  const profile = await profileRows(rows, opts);
  return baselineFromProfile(profile, opts);
}

export function baselineFromProfile(profile: DatasetProfile, opts: BaselineOptions = {}): BaselineResult {
  const statistics = profileToStatistics(profile);
  const constraints = suggestConstraints(statistics, { categoricalDriftMethod: opts.categoricalDriftMethod });
  return { statistics, constraints, profile };
}

/**
 * A monitoring execution: profile the current rows (or take a profile merged from per-file or per-minute
 * profiles, so hourly runs need not rescan raw data) and check it against the baseline.
 */
export async function analyzeAgainstBaseline(
  rows: RowSource | DatasetProfile,
  baseline: { statistics: Statistics; constraints: Constraints },
  opts: ProfileOptions = {},
): Promise<AnalysisResult> {
  const profile = rows instanceof DatasetProfile ? rows : await profileRows(rows, opts);
  const statistics = profileToStatistics(profile);
  const evaluation = evaluateConstraints(baseline.statistics, statistics, baseline.constraints, { typeCounts: typeCountsOf(profile) });
  return {
    statistics,
    violations: { violations: evaluation.violations },
    evaluation,
    profile,
    driftMetrics: computeDriftMetrics(baseline.statistics, statistics),
  };
}

/** The profiler's per-type value counts in the shape the data_type_check wants. */
function typeCountsOf(profile: DatasetProfile): Map<string, TypeCounts> {
  const out = new Map<string, TypeCounts>();
  for (const f of profile.allFeatures()) {
    const t = f.typeCounts(profile.itemCount - f.present);
    out.set(f.name, { Integral: t.integral, Fractional: t.fractional, String: t.string, Boolean: t.boolean, Unknown: t.unknown });
  }
  return out;
}
