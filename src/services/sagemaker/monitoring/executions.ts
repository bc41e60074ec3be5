/**
 * Scheduled executions: the processing job a schedule run becomes (named and laid out as AWS does), the capture
 * folders it reads, and how executions are summarised and listed.
 */
import path from 'node:path/posix';
import type { BatchTransformInput, MonitoringExecutionSummary, ProcessingInput } from '../api.generated.js';
import { recordId } from '../arns.js';
import type { Sm } from '../context.js';
import { handlers } from '../define.js';
import { accountOf } from '../context.js';
import { parseDestination } from '../../../capture/destination.js';
import { listPage } from '../listing.js';
import { findResource } from '../records.js';
import { SAGEMAKER } from '../store.js';
import type { JobSpec } from './definitions.js';
import { getJob, listAll } from './jobs.js';
import { executionJobName } from './names.js';
import { JobFailure } from './run.js';
import { ObjectTooLarge, parseS3Uri, s3Uri, type RoleS3, type S3Location } from './s3.js';
import { PROCESSING_JOB, SCHEDULE, type ProcessingJobDoc, type ScheduleDoc } from './store.js';
import { hourFolders, isoSeconds, type Window } from './windows.js';

const CAPTURE_FORMAT = JSON.stringify({ sagemakerCaptureJson: { captureIndexNames: ['endpointInput', 'endpointOutput'] } });

/**
 * The execution's dataset_format: AWS's default reads input and output (output first); a schedule whose Environment
 * names another sagemakerCaptureJson format (e.g. inputs only) keeps it, which is what lets an execution use the
 * near-real-time profiles (they hold inputs only; docs/near-real-time-drift.md).
 */
export function captureFormatOf(spec: Pick<JobSpec, 'Environment'>): string {
  const own = spec.Environment?.dataset_format;
  if (own === undefined) return CAPTURE_FORMAT;
  try {
    const names = (JSON.parse(own) as { sagemakerCaptureJson?: { captureIndexNames?: unknown } } | null)?.sagemakerCaptureJson?.captureIndexNames;
    if (Array.isArray(names) && names.length > 0 && names.every((n) => n === 'endpointInput' || n === 'endpointOutput')) return own;
  } catch {
    // Not JSON: the default applies, as before.
  }
  return CAPTURE_FORMAT;
}

/** Whether the execution's rows carry the model output (as `_c0`, ahead of the inputs). */
export const capturesOutput = (spec: Pick<JobSpec, 'Environment'>): boolean => captureFormatOf(spec).includes('endpointOutput');
const BASELINE_DIR = '/opt/ml/processing/baseline';
const CODE_DIR = '/opt/ml/processing/code';

const pad = (n: number): string => String(n).padStart(2, '0');
const hourPath = (t: Date): string => `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}/${pad(t.getUTCHours())}`;

/** Statistics and constraints of a BaselineConfig: given as S3 URIs, or the outputs of the named baselining job. */
export async function baselineUris(sm: Sm, account: string, region: string, spec: JobSpec): Promise<{ statistics?: string; constraints?: string }> {
  const b = spec.BaselineConfig;
  const out = { statistics: b?.StatisticsResource?.S3Uri, constraints: b?.ConstraintsResource?.S3Uri };
  if (b?.BaseliningJobName && (!out.statistics || !out.constraints)) {
    const job = await getJob(sm, account, region, b.BaseliningJobName);
    const outputPath = job?.Environment?.output_path;
    const output = job?.ProcessingOutputConfig?.Outputs.find((o) => o.S3Output && outputPath?.startsWith(o.S3Output.LocalPath));
    if (output?.S3Output && outputPath) {
      const base = output.S3Output.S3Uri.replace(/\/+$/, '') + outputPath.slice(output.S3Output.LocalPath.replace(/\/+$/, '').length);
      out.statistics ??= `${base.replace(/\/+$/, '')}/statistics.json`;
      out.constraints ??= `${base.replace(/\/+$/, '')}/constraints.json`;
    }
  }
  return out;
}

function fileInput(name: string, uri: string, dir: string): { input: ProcessingInput; local: string } {
  const local = path.join(dir, path.basename(uri));
  return { input: { InputName: name, S3Input: { S3Uri: uri, LocalPath: dir, S3DataType: 'S3Prefix', S3InputMode: 'File' } }, local };
}

/** The processing job of the run of `schedule` at `scheduledTime` analysing `window`; status Pending until it starts. */
export async function executionJob(sm: Sm, account: string, region: string, schedule: ScheduleDoc, spec: JobSpec,
  scheduledTime: Date, window: Window): Promise<ProcessingJobDoc> {
  const now = sm.now().toISOString();
  const name = executionJobName(schedule.MonitoringScheduleArn, schedule.CreationTime, scheduledTime);
  const endpoint = spec.EndpointInput;
  const batch = spec.BatchTransformInput;
  const output = spec.Output.MonitoringOutputs[0].S3Output;
  const inputs: ProcessingInput[] = [];
  const env: Record<string, string> = { ...(spec.Environment ?? {}) };
  const baseline = await baselineUris(sm, account, region, spec);
  // Each file the container reads: its input name, S3 URI, local directory, and the Environment variable naming it.
  const files: [string, string | undefined, string, string][] = [
    ['baseline_statistics', baseline.statistics, path.join(BASELINE_DIR, 'stats'), 'baseline_statistics'],
    ['baseline_constraints', baseline.constraints, path.join(BASELINE_DIR, 'constraints'), 'baseline_constraints'],
    ['pre_processor_script', spec.RecordPreprocessorSourceUri, path.join(CODE_DIR, 'preprocessing'), 'record_preprocessor_script'],
    ['post_processor_script', spec.PostAnalyticsProcessorSourceUri, path.join(CODE_DIR, 'postprocessing'), 'post_analytics_processor_script'],
  ];
  for (const [name, uri, dir, variable] of files) {
    if (!uri) continue;
    const f = fileInput(name, uri, dir);
    inputs.push(f.input);
    env[variable] = f.local;
  }
  // A batch execution names no endpoint: its metrics go to the batch namespace with no Endpoint dimension (§4.1).
  delete env.sagemaker_endpoint_name;
  Object.assign(env, {
    dataset_format: batch ? batchFormatOf(batch) : captureFormatOf(spec),
    dataset_source: batch ? batch.LocalPath : endpoint!.LocalPath,
    output_path: output.LocalPath,
    publish_cloudwatch_metrics: 'Enabled',
    ...(endpoint ? { sagemaker_endpoint_name: endpoint.EndpointName } : {}),
    sagemaker_monitoring_schedule_name: schedule.MonitoringScheduleName,
    start_time: isoSeconds(window.start),
    end_time: isoSeconds(window.end),
    metric_time: isoSeconds(scheduledTime),
  });
  return {
    ProcessingJobName: name,
    ProcessingJobArn: `arn:aws:sagemaker:${region}:${account}:processing-job/${name}`,
    ProcessingInputs: inputs,
    ProcessingOutputConfig: {
      // AWS files each run's reports under endpoint/schedule/hour of the output URI; a batch run under schedule/hour.
      Outputs: [{ OutputName: 'result', S3Output: {
        S3Uri: `${output.S3Uri.replace(/\/+$/, '')}/${endpoint ? `${endpoint.EndpointName}/` : ''}${schedule.MonitoringScheduleName}/${hourPath(scheduledTime)}`,
        LocalPath: output.LocalPath, S3UploadMode: output.S3UploadMode ?? 'EndOfJob' } }],
      ...(spec.Output.KmsKeyId ? { KmsKeyId: spec.Output.KmsKeyId } : {}),
    },
    ProcessingResources: { ClusterConfig: spec.ClusterConfig },
    StoppingCondition: { MaxRuntimeInSeconds: spec.StoppingCondition?.MaxRuntimeInSeconds ?? 3600 },
    AppSpecification: { ImageUri: spec.ImageUri },
    Environment: env,
    ...(spec.NetworkConfig ? { NetworkConfig: spec.NetworkConfig } : {}),
    RoleArn: spec.RoleArn,
    Tags: [],
    ProcessingJobStatus: 'InProgress',
    CreationTime: now,
    LastModifiedTime: now,
    MonitoringScheduleArn: schedule.MonitoringScheduleArn,
    Execution: {
      MonitoringScheduleName: schedule.MonitoringScheduleName,
      ScheduledTime: scheduledTime.toISOString(),
      Status: 'Pending',
      ...(endpoint ? { EndpointName: endpoint.EndpointName } : {}),
      ...(spec.JobDefinitionName ? { MonitoringJobDefinitionName: spec.JobDefinitionName } : {}),
      MonitoringType: schedule.MonitoringType,
      ...(endpoint
        ? { Capture: { EndpointName: endpoint.EndpointName, LocalPath: endpoint.LocalPath, Start: window.start.toISOString(), End: window.end.toISOString() } }
        : { Batch: { DataCapturedDestinationS3Uri: batch!.DataCapturedDestinationS3Uri, LocalPath: batch!.LocalPath,
          Start: window.start.toISOString(), End: window.end.toISOString() } }),
    },
  };
}

/**
 * The capture hour folders of the window, one ProcessingInput each (`input_1`, …), placed under the endpoint
 * input's LocalPath as `{endpoint}/{variant}/yyyy/mm/dd/hh`, as AWS lays them out.
 */
export async function captureInputs(sm: Sm, s3: RoleS3, account: string, region: string, job: ProcessingJobDoc): Promise<ProcessingInput[]> {
  const c = job.Execution!.Capture!;
  const endpoint = await findResource(sm, account, region, 'endpoint', c.EndpointName);
  if (!endpoint) throw new JobFailure(`Endpoint ${c.EndpointName} does not exist.`);
  const capture = endpoint.Deployment?.DataCaptureConfig;
  if (!capture || capture.EnableCapture === false) throw new JobFailure(`Endpoint ${c.EndpointName} does not capture data (DataCaptureConfig is not enabled).`);
  const dest = parseDestination(capture.DestinationS3Uri);
  if (!dest) throw new JobFailure(`The capture destination ${capture.DestinationS3Uri} of endpoint ${c.EndpointName} is not an S3 URI.`);
  const endpointPrefix = `${dest.prefix ? `${dest.prefix}/` : ''}${endpoint.EndpointName}/`;
  const hours = hourFolders({ start: new Date(c.Start), end: new Date(c.End) });
  const out: ProcessingInput[] = [];
  for (const variantPrefix of await s3.folders(dest.bucket, endpointPrefix)) {
    const variant = variantPrefix.slice(endpointPrefix.length).replace(/\/$/, '');
    for (const hour of hours) {
      const key = `${variantPrefix}${hour}`;
      if ((await s3.list(dest.bucket, `${key}/`)).length === 0) continue;
      out.push({ InputName: `input_${out.length + 1}`, S3Input: {
        S3Uri: s3Uri({ bucket: dest.bucket, key }), LocalPath: path.join(c.LocalPath, endpoint.EndpointName, variant, hour),
        S3DataType: 'S3Prefix', S3InputMode: 'File', S3DataDistributionType: 'FullyReplicated' } });
    }
  }
  return out;
}

/** The container's dataset_format of a BatchTransformInput (spec §7.2): `{"csv": {"header": …}}` or `{"json": {"line": …}}`. */
export function batchFormatOf(b: Pick<BatchTransformInput, 'DatasetFormat'>): string {
  const f = b.DatasetFormat;
  if (f.Csv) return JSON.stringify({ csv: { header: f.Csv.Header === true } });
  if (f.Json) return JSON.stringify({ json: { line: f.Json.Line !== false } });
  return JSON.stringify({ parquet: {} });
}

/** A batch transform capture manifest (spec §1.2): `[{"prefix": "s3://bucket/path/"}, "file_0.csv", …]`, as S3 URIs. */
export function manifestFiles(text: string): string[] | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const head = v[0] as { prefix?: unknown } | null;
  if (!head || typeof head !== 'object' || typeof head.prefix !== 'string') return undefined;
  const prefix = head.prefix.endsWith('/') ? head.prefix : `${head.prefix}/`;
  return v.slice(1).filter((x): x is string => typeof x === 'string' && x.length > 0).map((x) => `${prefix}${x.replace(/^\/+/, '')}`);
}

/** Only objects this small may be manifests; larger ones are data files (never read whole to find out). */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

/** The files a manifest candidate lists, or undefined when it is a data file (not a manifest, or too large for one). */
async function manifestOf(s3: RoleS3, l: S3Location, size: number | undefined): Promise<string[] | undefined> {
  if (size !== undefined && size > MAX_MANIFEST_BYTES) return undefined;
  if (!(await startsWithBracket(s3, l))) return undefined;
  try {
    return manifestFiles(await s3.getText(l, MAX_MANIFEST_BYTES));
  } catch (err) {
    if (err instanceof ObjectTooLarge) return undefined;
    throw err;
  }
}

/** Whether an object's first non-blank character is `[` (a manifest candidate); reads only as far as that character. */
async function startsWithBracket(s3: RoleS3, l: S3Location): Promise<boolean> {
  const body = await s3.get(l);
  try {
    for await (const chunk of body) {
      const text = Buffer.from(chunk as Buffer).toString('utf8').replace(/^\uFEFF/, '').trimStart();
      if (text) return text.startsWith('[');
    }
    return false;
  } finally {
    body.destroy();
  }
}

/**
 * The data files of a batch execution's window, one ProcessingInput each (`input_1`, …) under the input's LocalPath
 * as `yyyy/mm/dd/hh/{file}`. Every object in the window's hour folders under `{DataCapturedDestinationS3Uri}/input/`
 * is a manifest (spec §1.2: the files it lists, relative to its prefix, are read) or, as Vigil's convenience, a data
 * file itself in the input's DatasetFormat.
 */
export async function batchInputs(s3: RoleS3, job: ProcessingJobDoc): Promise<ProcessingInput[]> {
  const b = job.Execution!.Batch!;
  const dest = parseS3Uri(b.DataCapturedDestinationS3Uri);
  if (!dest) throw new JobFailure(`DataCapturedDestinationS3Uri ${b.DataCapturedDestinationS3Uri} is not an S3 URI.`);
  const root = `${dest.key.replace(/\/+$/, '')}${dest.key.replace(/\/+$/, '') ? '/' : ''}input/`;
  const out: ProcessingInput[] = [];
  const add = (uri: string, hour: string, rel: string): void => {
    out.push({ InputName: `input_${out.length + 1}`, S3Input: {
      S3Uri: uri, LocalPath: path.join(b.LocalPath, hour, path.dirname(rel)), S3DataType: 'S3Prefix', S3InputMode: 'File',
      S3DataDistributionType: 'FullyReplicated' } });
  };
  for (const hour of hourFolders({ start: new Date(b.Start), end: new Date(b.End) })) {
    for (const { key, size } of await s3.listObjects(dest.bucket, `${root}${hour}/`)) {
      if (key.endsWith('/')) continue;
      const loc = { bucket: dest.bucket, key };
      const listed = await manifestOf(s3, loc, size);
      if (!listed) {
        add(s3Uri(loc), hour, key.slice(`${root}${hour}/`.length));
        continue;
      }
      for (const uri of listed) {
        if (!parseS3Uri(uri)) throw new JobFailure(`The manifest ${s3Uri(loc)} lists ${uri}, which is not an S3 URI.`);
        add(uri, hour, uri.slice(uri.lastIndexOf('/') + 1));
      }
    }
  }
  return out;
}

export function executionSummary(j: ProcessingJobDoc): MonitoringExecutionSummary {
  const e = j.Execution!;
  return {
    MonitoringScheduleName: e.MonitoringScheduleName,
    ScheduledTime: new Date(e.ScheduledTime),
    CreationTime: new Date(j.CreationTime),
    LastModifiedTime: new Date(j.LastModifiedTime),
    MonitoringExecutionStatus: e.Status,
    ProcessingJobArn: j.ProcessingJobArn,
    ...(e.EndpointName ? { EndpointName: e.EndpointName } : {}),
    ...(e.FailureReason ? { FailureReason: e.FailureReason } : {}),
    ...(e.MonitoringJobDefinitionName ? { MonitoringJobDefinitionName: e.MonitoringJobDefinitionName } : {}),
    MonitoringType: e.MonitoringType,
  };
}

async function executionsOf(sm: Sm, account: string, region: string, scheduleName?: string): Promise<ProcessingJobDoc[]> {
  let parentId: string | undefined;
  if (scheduleName) {
    const s = (await sm.res.get<ScheduleDoc>(account, SAGEMAKER, SCHEDULE, recordId(region, scheduleName)))?.doc;
    if (!s) return [];
    parentId = s.ExecutionsKey;
  }
  return (await listAll<ProcessingJobDoc>(sm, account, PROCESSING_JOB, region, parentId)).filter((j) => j.Execution);
}

export function executionHandlers(sm: Sm) {
  return handlers({
    ListMonitoringExecutions: {
      readOnly: true,
      handler: async (i, ctx) => {
        const all = await executionsOf(sm, accountOf(ctx), ctx.region, i.MonitoringScheduleName);
        const t = (d: Date | undefined) => d?.getTime();
        const rows = all.filter((j) => {
          const e = j.Execution!;
          const at = Date.parse(e.ScheduledTime);
          if (i.EndpointName && e.EndpointName !== i.EndpointName) return false;
          if (i.MonitoringJobDefinitionName && e.MonitoringJobDefinitionName !== i.MonitoringJobDefinitionName) return false;
          if (i.MonitoringTypeEquals && e.MonitoringType !== i.MonitoringTypeEquals) return false;
          if (i.ScheduledTimeBefore && !(at < t(i.ScheduledTimeBefore)!)) return false;
          if (i.ScheduledTimeAfter && !(at > t(i.ScheduledTimeAfter)!)) return false;
          return true;
        });
        // ScheduledTime sorts like CreationTime, on the scheduled time.
        const byScheduled = i.SortBy === 'ScheduledTime';
        const page = listPage(rows.map((j) => ({
          name: j.ProcessingJobName, creationTime: byScheduled ? j.Execution!.ScheduledTime : j.CreationTime,
          lastModifiedTime: j.LastModifiedTime, status: j.Execution!.Status, item: j,
        })).filter((x) => (!i.CreationTimeBefore || Date.parse(x.item.CreationTime) < t(i.CreationTimeBefore)!)
          && (!i.CreationTimeAfter || Date.parse(x.item.CreationTime) > t(i.CreationTimeAfter)!)), {
          SortBy: byScheduled ? 'CreationTime' : (i.SortBy as 'CreationTime' | 'Status' | undefined), SortOrder: i.SortOrder, MaxResults: i.MaxResults, NextToken: i.NextToken,
          LastModifiedTimeBefore: i.LastModifiedTimeBefore, LastModifiedTimeAfter: i.LastModifiedTimeAfter,
          StatusEquals: i.StatusEquals as never,
        });
        return { MonitoringExecutionSummaries: page.items.map(executionSummary), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
      },
    },
  });
}
