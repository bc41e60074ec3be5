/**
 * The one seam between the processing-job runner and the Model Monitor core (src/monitor: pure, rows in, reports
 * out). Everything the server needs from the core goes through `MonitorCore`, so when the core's entry points
 * change only this file does.
 */
import { dataQualityMetrics, type MetricDatum } from '../../../monitor/cloudwatch-metrics.js';
import { formatConstraints, jacksonPretty, parseConstraints, type CategoricalDriftMethod, type Constraints } from '../../../monitor/constraints.js';
import { readBatches, type ByteSource, type Preprocessor, type Row } from '../../../monitor/inputs/index.js';
import { analyzeAgainstBaseline, baselineFromProfile, suggestBaseline } from '../../../monitor/jobs.js';
import { positionalNames } from '../../../monitor/live/index.js';
import { DatasetProfile } from '../../../monitor/profile.js';
import { parseStatistics, type Statistics } from '../../../monitor/schema.js';
import { formatViolations, type ConstraintViolations } from '../../../monitor/violations.js';

export type { Constraints, ConstraintViolations, DatasetProfile, MetricDatum, Row, Statistics };

/** The container's `dataset_format` (sagemaker-monitor.md §7.2), parsed. */
export type DatasetFormat =
  | { csv: { header: boolean; outputColumnsPosition: 'START' | 'END' } }
  | { json: { lines: boolean } }
  | { sagemakerCaptureJson: { captureIndexNames: string[] } };

export interface InputFile { name: string; body: ByteSource }

export interface ReadOptions {
  preprocess?: Preprocessor;
  /**
   * Baseline feature names. Capture rows have positional columns (`_c0`, … with the model output first, as the
   * container's default output_columns_position START lays them out); a row with exactly as many columns as the
   * baseline takes the baseline's names by position, so a headed training CSV and headerless traffic compare.
   */
  names?: string[];
}

export interface Baseline { statistics?: Statistics; constraints?: Constraints }

export interface Analysis {
  statistics: Statistics;
  violations: ConstraintViolations;
  /** The execution's CloudWatch metric data (§4.1), empty when the constraints turn metrics off. */
  metrics(ctx: { endpointName?: string; scheduleName: string; timestamp?: string }): MetricDatum[];
}

export interface MonitorCore {
  /** Rows of several files read one after another (each CSV file with its own header), in batches. */
  rows(format: DatasetFormat, files: AsyncIterable<InputFile>, opts?: ReadOptions): AsyncIterable<Row[]>;
  suggestBaseline(rows: AsyncIterable<Row[]>, opts: { categoricalDriftMethod?: string }): Promise<{ statistics: Statistics; constraints: Constraints }>;
  /** Statistics of the rows; violations when the baseline has constraints. */
  analyze(rows: AsyncIterable<Row[]>, baseline: Baseline): Promise<Analysis>;
  /**
   * The same analysis of rows already profiled (the near-real-time profiles of an execution's window). Positional
   * columns (`_c0…`) take `names` by position, as `rows` does with ReadOptions.names.
   */
  analyzeProfile(profile: DatasetProfile, baseline: Baseline, opts?: { names?: string[] }): Promise<Analysis>;
  parseStatistics(text: string): Statistics;
  parseConstraints(text: string): Constraints;
  formatStatistics(s: Statistics): string;
  formatConstraints(c: Constraints): string;
  formatViolations(v: ConstraintViolations): string;
}

function renamer(names: string[] | undefined): (rows: Row[]) => Row[] {
  if (!names?.length || names.every((n, i) => n === `_c${i}`)) return (rows) => rows;
  return (rows) => rows.map((r) => {
    const keys = Object.keys(r);
    if (keys.length !== names.length || !keys.every((k, i) => k === `_c${i}`)) return r;
    const out: Row = {};
    for (let i = 0; i < keys.length; i++) out[names[i]] = r[keys[i]];
    return out;
  });
}

async function* rows(format: DatasetFormat, files: AsyncIterable<InputFile>, opts: ReadOptions = {}): AsyncIterable<Row[]> {
  const rename = renamer(opts.names);
  for await (const f of files) {
    if ('csv' in format) {
      if (opts.preprocess) throw new Error('record_preprocessor_script applies to JSON and capture datasets, not CSV.');
      // Headerless CSV (a batch transform's data) has positional columns: they take the baseline's names as capture rows do.
      for await (const b of readBatches('csv', f.body, { header: format.csv.header, name: f.name })) yield format.csv.header ? b : rename(b);
    } else if ('json' in format) {
      if (!format.json.lines) throw new Error('dataset_format json must be JSON Lines ({"json": {"lines": true}}).');
      for await (const b of readBatches('jsonl', f.body, { preprocess: opts.preprocess, name: f.name })) yield rename(b);
    } else {
      const output = format.sagemakerCaptureJson.captureIndexNames.includes('endpointOutput') ? 'start' : 'omit';
      for await (const b of readBatches('capture', f.body, { output, preprocess: opts.preprocess, name: f.name })) yield rename(b);
    }
  }
}

async function analyze(input: AsyncIterable<Row[]> | DatasetProfile, baseline: Baseline): Promise<Analysis> {
  const own = async () => (input instanceof DatasetProfile ? baselineFromProfile(input) : suggestBaseline(input));
  if (!baseline.constraints) {
    // Nothing to check against: the run reports statistics only.
    const { statistics } = await own();
    return { statistics, violations: { violations: [] }, metrics: () => [] };
  }
  const constraints = baseline.constraints;
  // Without baseline statistics there is no distribution to drift from: compare the data with itself (no drift).
  const r = baseline.statistics
    ? await analyzeAgainstBaseline(input, { statistics: baseline.statistics, constraints })
    : await (async () => {
      const o = await own();
      return analyzeAgainstBaseline(o.profile, { statistics: o.statistics, constraints });
    })();
  return {
    statistics: r.statistics,
    violations: r.violations,
    metrics: (ctx) => dataQualityMetrics(r.statistics, constraints, r.evaluation, {
      endpointName: ctx.endpointName, monitoringScheduleName: ctx.scheduleName, timestamp: ctx.timestamp,
    }),
  };
}

/** The core as built into this server. */
export const monitorCore: MonitorCore = {
  rows,
  suggestBaseline: async (input, opts) => {
    const r = await suggestBaseline(input, { categoricalDriftMethod: opts.categoricalDriftMethod as CategoricalDriftMethod | undefined });
    return { statistics: r.statistics, constraints: r.constraints };
  },
  analyze,
  analyzeProfile: (profile, baseline, opts = {}) => analyze(opts.names?.length ? positionalNames(profile, opts.names) : profile, baseline),
  parseStatistics,
  parseConstraints,
  formatStatistics: (s) => `${jacksonPretty(s, '')}\n`,
  formatConstraints,
  formatViolations,
};
