/**
 * Test helpers for Model Monitor (tests only): the SageMaker harness's S3 double grown the calls processing jobs
 * make (ListObjectsV2 with Delimiter, PutObject with its SSE parameters), and polling helpers.
 */
import { ACCOUNT, ROLE, type SmHarness } from '../testing.js';

export interface PutRecord { key: string; principal: string; sse?: string; kmsKeyId?: string; viaService?: string }

/** Routes the jobs' S3 calls to `h.s3.objects` ("bucket/key" → text); returns the PutObject log. */
export function withMemoryS3(h: SmHarness): PutRecord[] {
  const puts: PutRecord[] = [];
  const inner = h.deps.internal.call.bind(h.deps.internal);
  h.deps.internal.call = async (principal, service, operation, input, opts) => {
    if (service === 's3' && operation === 'PutObject') {
      const key = `${input.Bucket as string}/${input.Key as string}`;
      h.s3.objects.set(key, Buffer.from(input.Body as Buffer).toString('utf8'));
      puts.push({ key, principal: principal.arn, sse: input.ServerSideEncryption as string, kmsKeyId: input.SSEKMSKeyId as string | undefined, viaService: opts?.viaService });
      return {};
    }
    if (service === 's3' && operation === 'ListObjectsV2') {
      const bucket = input.Bucket as string;
      const prefix = (input.Prefix as string | undefined) ?? '';
      const keys = [...h.s3.objects.keys()].filter((k) => k.startsWith(`${bucket}/`)).map((k) => k.slice(bucket.length + 1))
        .filter((k) => k.startsWith(prefix)).sort();
      if (input.Delimiter) {
        const folders = [...new Set(keys.map((k) => k.slice(prefix.length)).filter((r) => r.includes('/')).map((r) => `${prefix}${r.split('/')[0]}/`))];
        return { CommonPrefixes: folders.map((Prefix) => ({ Prefix })), Contents: [], IsTruncated: false };
      }
      return { Contents: keys.map((Key) => ({ Key, Size: Buffer.byteLength(h.s3.objects.get(`${bucket}/${Key}`) ?? '') })), IsTruncated: false };
    }
    return inner(principal, service, operation, input, opts);
  };
  return puts;
}

/** Waits until the processing job leaves InProgress/Stopping (runs are in the background). */
export async function settled(h: SmHarness, name: string): Promise<Record<string, unknown>> {
  await h.sm.monitoring.idle();
  const out = await h.call('DescribeProcessingJob', { ProcessingJobName: name });
  if (out.ProcessingJobStatus === 'InProgress' || out.ProcessingJobStatus === 'Stopping') throw new Error(`job ${name} is still ${out.ProcessingJobStatus}`);
  return out;
}

export const ANALYZER = '156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer';
export const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/**
 * CreateMonitoringSchedule input: hourly, DataQuality on endpoint `ep`, baseline under s3://data/baseline/, reports to
 * s3://data/reports under KEY. `config` extends MonitoringScheduleConfig, `app` the app specification, `definition`
 * the inline job definition.
 */
export function scheduleRequest(name: string, opts: { config?: Record<string, unknown>; app?: Record<string, unknown>; definition?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    MonitoringScheduleName: name,
    MonitoringScheduleConfig: {
      ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' },
      MonitoringJobDefinition: {
        BaselineConfig: { ConstraintsResource: { S3Uri: 's3://data/baseline/constraints.json' }, StatisticsResource: { S3Uri: 's3://data/baseline/statistics.json' } },
        MonitoringInputs: [{ EndpointInput: { EndpointName: 'ep', LocalPath: '/opt/ml/processing/input/endpoint' } }],
        MonitoringOutputConfig: { MonitoringOutputs: [{ S3Output: { S3Uri: 's3://data/reports', LocalPath: '/opt/ml/processing/output' } }], KmsKeyId: KEY },
        MonitoringResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 20 } },
        MonitoringAppSpecification: { ImageUri: ANALYZER, ...opts.app },
        StoppingCondition: { MaxRuntimeInSeconds: 1800 },
        RoleArn: ROLE,
        ...opts.definition,
      },
      ...opts.config,
    },
  };
}

/** CreateProcessingJob input of a baselining job as the Python SDK's DefaultModelMonitor.suggest_baseline sends it. */
export function baselineJob(name: string, role: string, dataset: string, output: string, extra: Record<string, string> = {}): Record<string, unknown> {
  return {
    ProcessingJobName: name,
    ProcessingInputs: [{
      InputName: 'baseline_dataset_input', AppManaged: false,
      S3Input: { S3Uri: dataset, LocalPath: '/opt/ml/processing/input/baseline_dataset_input', S3DataType: 'S3Prefix',
        S3InputMode: 'File', S3DataDistributionType: 'FullyReplicated', S3CompressionType: 'None' },
    }],
    ProcessingOutputConfig: { Outputs: [{ OutputName: 'monitoring_output', AppManaged: false,
      S3Output: { S3Uri: output, LocalPath: '/opt/ml/processing/output', S3UploadMode: 'EndOfJob' } }] },
    ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 20 } },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    AppSpecification: { ImageUri: ANALYZER },
    Environment: {
      dataset_format: '{"csv": {"header": true, "output_columns_position": "START"}}',
      dataset_source: '/opt/ml/processing/input/baseline_dataset_input',
      output_path: '/opt/ml/processing/output',
      publish_cloudwatch_metrics: 'Disabled',
      ...extra,
    },
    RoleArn: role,
  };
}
