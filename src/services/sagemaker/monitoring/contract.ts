/**
 * The analyzer container's contract (sagemaker-monitor.md §7.2): what a processing job's Environment asks of it.
 * Values are checked here and a bad one fails the job with the reason, as the container would exit with it.
 */
import type { DatasetFormat } from './analyzer.js';

export interface AnalyzerEnv {
  datasetFormat: DatasetFormat;
  datasetSource: string;
  outputPath: string;
  baselineStatistics?: string;
  baselineConstraints?: string;
  publishMetrics: boolean;
  recordPreprocessorScript?: string;
  postAnalyticsProcessorScript?: string;
  startTime?: string;
  endTime?: string;
  metricTime?: string;
  endpointName?: string;
  scheduleName?: string;
  categoricalDriftMethod?: string;
  /** Variables not reserved by the contract: handed to the user's scripts. */
  userEnv: Record<string, string>;
}

const RESERVED = new Set([
  'dataset_format', 'dataset_source', 'output_path', 'baseline_statistics', 'baseline_constraints', 'publish_cloudwatch_metrics',
  'record_preprocessor_script', 'post_analytics_processor_script', 'start_time', 'end_time', 'metric_time', 'sagemaker_endpoint_name',
  'sagemaker_monitoring_schedule_name', 'sagemaker_endpoint_datacapture_prefix', 'analysis_type', 'problem_type', 'inference_attribute',
  'probability_attribute', 'ground_truth_attribute', 'probability_threshold_attribute', 'positive_label', 'exclude_features_attribute',
  'categorical_drift_method', 'monitoring_input_type', 'report_enabled', 'CLOUDWATCH_METRICS_DIRECTORY',
]);

/** A contract violation: the job fails with this message (AWS's container exits with it). */
export class ContractError extends Error {}

function parseDatasetFormat(text: string | undefined): DatasetFormat {
  if (text === undefined) throw new ContractError('Environment variable dataset_format is required.');
  let v: Record<string, Record<string, unknown> | undefined>;
  try {
    v = JSON.parse(text) as typeof v;
  } catch {
    throw new ContractError(`dataset_format is not valid JSON: ${text}`);
  }
  if (!v || typeof v !== 'object') throw new ContractError(`dataset_format must be a JSON object: ${text}`);
  if (v.csv) {
    const pos = v.csv.output_columns_position ?? 'START';
    if (pos !== 'START' && pos !== 'END') throw new ContractError(`dataset_format csv output_columns_position must be START or END, not ${String(pos)}.`);
    return { csv: { header: v.csv.header === true || v.csv.header === 'true', outputColumnsPosition: pos } };
  }
  if (v.json) return { json: { lines: v.json.lines !== false && v.json.line !== false } };
  if (v.sagemakerCaptureJson) {
    const names = v.sagemakerCaptureJson.captureIndexNames;
    return { sagemakerCaptureJson: { captureIndexNames: Array.isArray(names) ? names.map(String) : ['endpointInput', 'endpointOutput'] } };
  }
  if (v.parquet) throw new ContractError('dataset_format parquet is not supported by Vigil; use csv, json or sagemakerCaptureJson.');
  throw new ContractError(`dataset_format must have one of csv, json, sagemakerCaptureJson: ${text}`);
}

export function parseAnalyzerEnv(env: Record<string, string> = {}): AnalyzerEnv {
  if (env.analysis_type && env.analysis_type !== 'DATA_QUALITY') {
    throw new ContractError(`analysis_type ${env.analysis_type} is not supported by Vigil yet; only data quality analysis is.`);
  }
  const datasetSource = env.dataset_source;
  if (!datasetSource) throw new ContractError('Environment variable dataset_source is required.');
  const outputPath = env.output_path;
  if (!outputPath) throw new ContractError('Environment variable output_path is required.');
  const publish = env.publish_cloudwatch_metrics ?? 'Disabled';
  if (publish !== 'Enabled' && publish !== 'Disabled') throw new ContractError(`publish_cloudwatch_metrics must be Enabled or Disabled, not ${publish}.`);
  const drift = env.categorical_drift_method;
  if (drift !== undefined && drift !== 'LInfinity' && drift !== 'ChiSquared') {
    throw new ContractError(`categorical_drift_method must be LInfinity or ChiSquared, not ${drift}.`);
  }
  const userEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (!RESERVED.has(k)) userEnv[k] = v;
  return {
    datasetFormat: parseDatasetFormat(env.dataset_format),
    datasetSource,
    outputPath,
    baselineStatistics: env.baseline_statistics || undefined,
    baselineConstraints: env.baseline_constraints || undefined,
    publishMetrics: publish === 'Enabled',
    recordPreprocessorScript: env.record_preprocessor_script || undefined,
    postAnalyticsProcessorScript: env.post_analytics_processor_script || undefined,
    startTime: env.start_time,
    endTime: env.end_time,
    metricTime: env.metric_time,
    endpointName: env.sagemaker_endpoint_name,
    scheduleName: env.sagemaker_monitoring_schedule_name,
    categoricalDriftMethod: env.categorical_drift_method,
    userEnv,
  };
}
