/**
 * Model Monitor end to end against a real Vigil: a baselining processing job as the SDKs send it, an hourly
 * schedule on an endpoint with data capture run by advancing the injected clock, a NOW schedule, and a failing
 * preprocessor, driven with @aws-sdk/client-sagemaker, client-sagemaker-runtime and the AWS CLI.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateMonitoringScheduleCommand, CreateProcessingJobCommand, DescribeProcessingJobCommand, ListMonitoringExecutionsCommand, SageMakerClient,
  type MonitoringExecutionSummary,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployEndpoint, executionRole, sagemakerFixture, type Fixture } from '../helpers/sagemaker.js';
import { bodyBytes } from '../helpers/s3.js';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';

const run = promisify(execFile);
const ANALYZER = '156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer';
const HOUR = 3_600_000;

let t = Date.now();
const clock = { now: () => new Date(t) };
let v: TestVigil;
let f: Fixture;
let role: string;
let sm: SageMakerClient;

const row = (i: number, drift: boolean): number[] => [((i % 10) + 0.5) / 10, drift ? 40 + (i % 10) : ((i % 7) + 0.5) / 7, 0.25 + (i % 4) / 8, 1.55 - (i % 3) / 4];

/** Clients sign with the injected clock's time (S3 allows 15 minutes of skew, and the clock jumps hours). */
const offset = () => ({ systemClockOffset: t - Date.now() });
const s3Client = (_v: TestVigil, creds: TestVigil['root']) => new S3Client({ ...v.sdk(creds), forcePathStyle: true, ...offset() });

async function text(key: string): Promise<string> {
  return (await bodyBytes((await s3Client(v, v.root).send(new GetObjectCommand({ Bucket: f.bucket, Key: key }))).Body)).toString('utf8');
}

async function waitJob(name: string): Promise<Record<string, unknown>> {
  for (let n = 0; n < 400; n++) {
    const d = await sm.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
    if (d.ProcessingJobStatus !== 'InProgress' && d.ProcessingJobStatus !== 'Stopping') return d as unknown as Record<string, unknown>;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${name} did not finish`);
}

async function executions(schedule: string): Promise<MonitoringExecutionSummary[]> {
  await v.server.sagemaker.monitoring.idle();
  return (await sm.send(new ListMonitoringExecutionsCommand({ MonitoringScheduleName: schedule }))).MonitoringExecutionSummaries ?? [];
}

function aws(...args: string[]) {
  return run('/usr/bin/aws', [...args, '--endpoint-url', v.url, '--region', 'us-east-1', '--output', 'json'], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: v.root.accessKeyId, AWS_SECRET_ACCESS_KEY: v.root.secretAccessKey, AWS_CA_BUNDLE: v.caPath, AWS_PAGER: '' },
  });
}

function scheduleConfig(extra: Record<string, unknown> = {}, app: Record<string, unknown> = {}) {
  return {
    MonitoringJobDefinition: {
      BaselineConfig: {
        ConstraintsResource: { S3Uri: `s3://${f.bucket}/baseline/constraints.json` }, StatisticsResource: { S3Uri: `s3://${f.bucket}/baseline/statistics.json` },
      },
      MonitoringInputs: [{ EndpointInput: { EndpointName: 'fraud', LocalPath: '/opt/ml/processing/input/endpoint' } }],
      MonitoringOutputConfig: { MonitoringOutputs: [{ S3Output: { S3Uri: `s3://${f.bucket}/reports`, LocalPath: '/opt/ml/processing/output' } }], KmsKeyId: f.keyArn },
      MonitoringResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge' as const, VolumeSizeInGB: 20 } },
      MonitoringAppSpecification: { ImageUri: ANALYZER, ...app },
      RoleArn: role,
    },
    ...extra,
  };
}

beforeAll(async () => {
  // The clock moves hours ahead of the SDK's signing time: allow that skew.
  v = await startTestVigil({ clock, clockSkewSeconds: 3 * 86_400, captureFlushIntervalMs: 60_000 });
  f = await sagemakerFixture(v, 'mon');
  role = await executionRole(v, 'mon-monitor', {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::${f.bucket}/*` },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${f.bucket}` },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: f.keyArn },
    ],
  });
  sm = new SageMakerClient(v.sdk(v.root));
  const training = ['prediction,f0,f1,f2,f3'].concat(Array.from({ length: 400 }, (_, i) => {
    const x = row(i, false);
    return [1 / (1 + Math.exp(-(x[0] * 0.8 - x[1] * 1.2 + x[2] * 0.5 + x[3] * 2 - 0.3))), ...x].join(',');
  })).join('\n') + '\n';
  await s3Client(v, v.root).send(new PutObjectCommand({ Bucket: f.bucket, Key: 'train/train.csv', Body: training }));
}, 60_000);

afterAll(async () => {
  await v?.stop();
});

describe('Model Monitor against a real Vigil', () => {
  it('runs a baselining job: statistics.json and constraints.json in S3', async () => {
    await sm.send(new CreateProcessingJobCommand({
      ProcessingJobName: 'baseline-suggestion',
      ProcessingInputs: [{ InputName: 'baseline_dataset_input', S3Input: {
        S3Uri: `s3://${f.bucket}/train/train.csv`, LocalPath: '/opt/ml/processing/input/baseline_dataset_input', S3DataType: 'S3Prefix', S3InputMode: 'File' } }],
      ProcessingOutputConfig: { Outputs: [{ OutputName: 'monitoring_output', S3Output: {
        S3Uri: `s3://${f.bucket}/baseline`, LocalPath: '/opt/ml/processing/output', S3UploadMode: 'EndOfJob' } }], KmsKeyId: f.keyArn },
      ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 20 } },
      AppSpecification: { ImageUri: ANALYZER },
      Environment: {
        dataset_format: '{"csv": {"header": true, "output_columns_position": "START"}}',
        dataset_source: '/opt/ml/processing/input/baseline_dataset_input', output_path: '/opt/ml/processing/output', publish_cloudwatch_metrics: 'Disabled',
      },
      RoleArn: role,
    }));
    expect(await waitJob('baseline-suggestion')).toMatchObject({ ProcessingJobStatus: 'Completed' });
    expect(JSON.parse(await text('baseline/statistics.json')).dataset.item_count).toBe(400);
    expect(JSON.parse(await text('baseline/constraints.json')).features.map((x: { name: string }) => x.name)).toEqual(['prediction', 'f0', 'f1', 'f2', 'f3']);
  }, 60_000);

  it('runs an hourly schedule over captured traffic and reports the drifted feature', async () => {
    await deployEndpoint(v, v.root, f, 'fraud', { DataCaptureConfig: {
      EnableCapture: true, InitialSamplingPercentage: 100, DestinationS3Uri: `s3://${f.bucket}/capture`, KmsKeyId: f.keyArn,
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }], CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'] } } });
    const runtime = new SageMakerRuntimeClient(v.sdk(v.root));
    for (let i = 0; i < 120; i++) {
      await runtime.send(new InvokeEndpointCommand({ EndpointName: 'fraud', ContentType: 'text/csv', Body: row(i, true).join(',') }));
    }
    await v.server.capture.flush();
    await aws('sagemaker', 'create-monitoring-schedule', '--monitoring-schedule-name', 'fraud-hourly',
      '--monitoring-schedule-config', JSON.stringify(scheduleConfig({ ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' } })));
    const described = JSON.parse((await aws('sagemaker', 'describe-monitoring-schedule', '--monitoring-schedule-name', 'fraud-hourly')).stdout);
    expect(described).toMatchObject({ MonitoringScheduleStatus: 'Scheduled', EndpointName: 'fraud', MonitoringType: 'DataQuality' });
    const listed = JSON.parse((await aws('sagemaker', 'list-monitoring-schedules', '--endpoint-name', 'fraud')).stdout);
    expect(listed.MonitoringScheduleSummaries.map((s: { MonitoringScheduleName: string }) => s.MonitoringScheduleName)).toEqual(['fraud-hourly']);

    t = Math.floor(t / HOUR) * HOUR + 2 * HOUR + 60_000;
    sm = new SageMakerClient({ ...v.sdk(v.root), ...offset() });
    await v.server.jobs.runDue();
    const execs = await executions('fraud-hourly');
    const hit = execs.find((e) => e.MonitoringExecutionStatus === 'CompletedWithViolations');
    expect(hit, JSON.stringify(execs)).toBeDefined();
    const job = await waitJob(hit!.ProcessingJobArn!.split('/')[1]);
    const out = (job.ProcessingOutputConfig as { Outputs: { S3Output: { S3Uri: string } }[] }).Outputs[0].S3Output.S3Uri;
    const prefix = out.replace(`s3://${f.bucket}/`, '');
    const violations = JSON.parse(await text(`${prefix}/constraint_violations.json`)).violations as { feature_name: string }[];
    expect(violations.map((x) => x.feature_name)).toContain('f1');
    expect(violations.map((x) => x.feature_name)).not.toContain('f2');
    expect(JSON.parse(await text(`${prefix}/statistics.json`)).dataset.item_count).toBe(120);
  }, 120_000);

  it('runs a NOW schedule once', async () => {
    const runtime = new SageMakerRuntimeClient({ ...v.sdk(v.root), ...offset() });
    for (let i = 0; i < 50; i++) await runtime.send(new InvokeEndpointCommand({ EndpointName: 'fraud', ContentType: 'text/csv', Body: row(i, false).join(',') }));
    await v.server.capture.flush();
    await sm.send(new CreateMonitoringScheduleCommand({ MonitoringScheduleName: 'fraud-now', MonitoringScheduleConfig: scheduleConfig({
      ScheduleConfig: { ScheduleExpression: 'NOW', DataAnalysisStartTime: '-PT1H', DataAnalysisEndTime: '-PT0H' } }) as never }));
    await v.server.jobs.runDue();
    const execs = await executions('fraud-now');
    expect(execs).toHaveLength(1);
    const job = await waitJob(execs[0].ProcessingJobArn!.split('/')[1]);
    const out = (job.ProcessingOutputConfig as { Outputs: { S3Output: { S3Uri: string } }[] }).Outputs[0].S3Output.S3Uri;
    expect(JSON.parse(await text(`${out.replace(`s3://${f.bucket}/`, '')}/constraint_violations.json`)).violations).toEqual([]);
    expect(execs[0].MonitoringExecutionStatus).toBe('Completed');
  }, 60_000);

  it('runs a schedule over a batch transform capture: manifest, data files, reports without an endpoint', async () => {
    const at = new Date(t - 30 * 60_000);
    const hour = `${at.getUTCFullYear()}/${String(at.getUTCMonth() + 1).padStart(2, '0')}/${String(at.getUTCDate()).padStart(2, '0')}/${String(at.getUTCHours()).padStart(2, '0')}`;
    // Headerless transform input (prediction first, as the baseline's columns), f1 drifted; the manifest as spec §1.2 shows it.
    const data = Array.from({ length: 80 }, (_, i) => [0.5, ...row(i, true)].join(',')).join('\n') + '\n';
    // A client per call: the SDK re-learns its clock offset from each response, and the injected clock is hours ahead.
    await s3Client(v, v.root).send(new PutObjectCommand({ Bucket: f.bucket, Key: 'transform/in/part_0.csv', Body: data }));
    await s3Client(v, v.root).send(new PutObjectCommand({ Bucket: f.bucket, Key: `batch-capture/input/${hour}/manifest.json`,
      Body: JSON.stringify([{ prefix: `s3://${f.bucket}/transform/in/` }, 'part_0.csv']) }));
    const cfg = scheduleConfig({ ScheduleConfig: { ScheduleExpression: 'NOW', DataAnalysisStartTime: '-PT1H', DataAnalysisEndTime: '-PT0H' } });
    cfg.MonitoringJobDefinition.MonitoringInputs = [{ BatchTransformInput: {
      DataCapturedDestinationS3Uri: `s3://${f.bucket}/batch-capture`, DatasetFormat: { Csv: { Header: false } }, LocalPath: '/opt/ml/processing/input/batch' } } as never];
    await sm.send(new CreateMonitoringScheduleCommand({ MonitoringScheduleName: 'transform-now', MonitoringScheduleConfig: cfg as never }));
    await v.server.jobs.runDue();
    const execs = await executions('transform-now');
    expect(execs).toHaveLength(1);
    expect(execs[0].MonitoringExecutionStatus, JSON.stringify(execs)).toBe('CompletedWithViolations');
    expect(execs[0].EndpointName).toBeUndefined();
    const job = await waitJob(execs[0].ProcessingJobArn!.split('/')[1]);
    const out = (job.ProcessingOutputConfig as { Outputs: { S3Output: { S3Uri: string } }[] }).Outputs[0].S3Output.S3Uri;
    expect(out).toMatch(new RegExp(`^s3://${f.bucket}/reports/transform-now/\\d{4}/\\d{2}/\\d{2}/\\d{2}$`));
    const violations = JSON.parse(await text(`${out.replace(`s3://${f.bucket}/`, '')}/constraint_violations.json`)).violations as { feature_name: string }[];
    expect(violations.map((x) => x.feature_name)).toContain('f1');
    const parquet = scheduleConfig({ ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' } });
    parquet.MonitoringJobDefinition.MonitoringInputs = [{ BatchTransformInput: {
      DataCapturedDestinationS3Uri: `s3://${f.bucket}/batch-capture`, DatasetFormat: { Parquet: {} }, LocalPath: '/opt/ml/processing/input/batch' } } as never];
    await expect(sm.send(new CreateMonitoringScheduleCommand({ MonitoringScheduleName: 'transform-pq', MonitoringScheduleConfig: parquet as never })))
      .rejects.toMatchObject({ name: 'NotImplemented' });
  }, 60_000);

  it('fails an execution whose record preprocessor throws, with its reason', async () => {
    await s3Client(v, v.root).send(new PutObjectCommand({ Bucket: f.bucket, Key: 'code/pre.js',
      Body: 'function preprocess_handler(record) { throw new Error("no features in " + record.eventVersion); }' }));
    await sm.send(new CreateMonitoringScheduleCommand({ MonitoringScheduleName: 'fraud-pre', MonitoringScheduleConfig: scheduleConfig({
      ScheduleConfig: { ScheduleExpression: 'NOW', DataAnalysisStartTime: '-PT1H', DataAnalysisEndTime: '-PT0H' } },
    { RecordPreprocessorSourceUri: `s3://${f.bucket}/code/pre.js` }) as never }));
    await v.server.jobs.runDue();
    const [e] = await executions('fraud-pre');
    expect(e).toMatchObject({ MonitoringExecutionStatus: 'Failed' });
    expect(e.FailureReason).toMatch(/record_preprocessor_script failed: .*no features in 0/);
  }, 60_000);
});
