import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../../state/testing.js';
import { ACCOUNT, ROLE, deployEcho, expectError, smHarness, type SmHarness } from '../testing.js';
import { recordId } from '../arns.js';
import { SAGEMAKER } from '../store.js';
import { ACTIVE_JOB } from './jobs.js';
import { PROCESSING_JOB } from './store.js';
import { ANALYZER, KEY, baselineJob, scheduleRequest, settled, withMemoryS3 } from './testing.js';

const TRAIN = ['label,f0,f1'].concat(Array.from({ length: 200 }, (_, i) => `${i % 2},${(i % 10) / 10 + 0.05},${i % 7}`)).join('\n') + '\n';

/** One capture record (spec §1.3) with CSV features and a CSV output. */
function record(features: number[], output: number, time: string): string {
  return JSON.stringify({
    captureData: {
      endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: features.join(','), encoding: 'CSV' },
      endpointOutput: { observedContentType: 'text/csv', mode: 'OUTPUT', data: String(output), encoding: 'CSV' },
    },
    eventMetadata: { eventId: `e-${time}-${features.join('-')}`, inferenceTime: time },
    eventVersion: '0',
  });
}

async function baseline(h: SmHarness): Promise<void> {
  h.s3.objects.set('data/train/train.csv', TRAIN);
  await h.call('CreateProcessingJob', baselineJob('base', ROLE, 's3://data/train/train.csv', 's3://data/baseline'));
  expect((await settled(h, 'base')).ProcessingJobStatus).toBe('Completed');
}

/** An echo endpoint with capture to s3://cap/capture, and one hour of traffic in the capture folder of 2026-01-01 00h. */
async function endpointWithTraffic(h: SmHarness, drift: boolean): Promise<void> {
  await deployEcho(h, 'ep', { capture: { InitialSamplingPercentage: 100, DestinationS3Uri: 's3://cap/capture', CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }] } });
  await h.waitFor('ep', ['InService']);
  const lines = Array.from({ length: 100 }, (_, i) => record([drift ? 50.5 + i : (i % 10) / 10 + 0.05, i % 7], i % 2, '2026-01-01T00:10:00Z'));
  h.s3.objects.set('cap/capture/ep/AllTraffic/2026/01/01/00/10-00-000-uuid.jsonl', lines.join('\n') + '\n');
}

const schedule = (name: string, config: Record<string, unknown> = {}, app: Record<string, unknown> = {}) => scheduleRequest(name, { config, app });

/** Headerless CSV rows in the baseline's column order (label,f0,f1); drifted rows move f0 far from the baseline. */
function batchCsv(n: number, drift: boolean, offset = 0): string {
  return Array.from({ length: n }, (_, k) => {
    const i = k + offset;
    return `${i % 2},${drift ? 50.5 + i : (i % 10) / 10 + 0.05},${i % 7}`;
  }).join('\n') + '\n';
}

/** A schedule over a batch transform's captured data at s3://cap/batch (spec §1.2). */
function batchSchedule(name: string, format: Record<string, unknown> = { Csv: { Header: false } }, input: Record<string, unknown> = {}): Record<string, unknown> {
  const s = schedule(name);
  const def = (s.MonitoringScheduleConfig as Record<string, Record<string, unknown>>).MonitoringJobDefinition;
  def.MonitoringInputs = [{ BatchTransformInput: {
    DataCapturedDestinationS3Uri: 's3://cap/batch', DatasetFormat: format, LocalPath: '/opt/ml/processing/input/batch', ...input } }];
  return s;
}

async function executions(h: SmHarness, name: string): Promise<Record<string, unknown>[]> {
  await h.sm.monitoring.idle();
  return (await h.call('ListMonitoringExecutions', { MonitoringScheduleName: name })).MonitoringExecutionSummaries;
}

describe('Model Monitor processing jobs and schedules', () => {
  withEachBackend((backend, open) => {
    it('runs a baselining job as the SDK sends it: statistics.json and constraints.json written as the role, SSE-KMS', async () => {
      const h = await smHarness(await open());
      const puts = withMemoryS3(h);
      h.s3.objects.set('data/train/train.csv', TRAIN);
      const job = baselineJob('Base-1', ROLE, 's3://data/train/train.csv', 's3://data/baseline');
      (job.ProcessingOutputConfig as Record<string, unknown>).KmsKeyId = KEY;
      const out = await h.call('CreateProcessingJob', job);
      expect(out.ProcessingJobArn).toBe(`arn:aws:sagemaker:us-east-1:${ACCOUNT}:processing-job/base-1`);
      const d = await settled(h, 'Base-1');
      expect(d).toMatchObject({ ProcessingJobStatus: 'Completed', ProcessingJobName: 'Base-1', RoleArn: ROLE });
      expect(d.ProcessingStartTime).toBeInstanceOf(Date);
      expect(d.ProcessingEndTime).toBeInstanceOf(Date);
      const stats = JSON.parse(h.s3.objects.get('data/baseline/statistics.json')!);
      expect(stats.dataset.item_count).toBe(200);
      expect(stats.features.map((f: { name: string }) => f.name)).toEqual(['label', 'f0', 'f1']);
      expect(JSON.parse(h.s3.objects.get('data/baseline/constraints.json')!).features).toHaveLength(3);
      expect(puts.every((p) => p.principal === `${ROLE}/SageMaker` && p.sse === 'aws:kms' && p.kmsKeyId === KEY && p.viaService === 'sagemaker.amazonaws.com')).toBe(true);
      const list = await h.call('ListProcessingJobs', { StatusEquals: 'Completed' });
      expect(list.ProcessingJobSummaries.map((j: { ProcessingJobName: string }) => j.ProcessingJobName)).toEqual(['Base-1']);
      await expectError(h.call('CreateProcessingJob', job), 'ResourceInUse', /already exists/);
      await expectError(h.call('StopProcessingJob', { ProcessingJobName: 'Base-1' }), 'ValidationException', /Completed and cannot be stopped/);
      await expectError(h.call('DescribeProcessingJob', { ProcessingJobName: 'nope' }), 'ResourceNotFound', /nope/);
    });

    it('refuses images it cannot run, naming the supported ones', async () => {
      const h = await smHarness(await open());
      const job = baselineJob('x', ROLE, 's3://data/a.csv', 's3://data/out');
      job.AppSpecification = { ImageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-training:latest' };
      await expectError(h.call('CreateProcessingJob', job), 'ValidationException', /sagemaker-model-monitor-analyzer/);
      job.AppSpecification = { ImageUri: 'vigil/model-monitor-analyzer:1.0' };
      await h.call('CreateProcessingJob', job);
      // No input data: the job fails the way the container does.
      withMemoryS3(h);
      const d = await settled(h, 'x');
      expect(d).toMatchObject({ ProcessingJobStatus: 'Failed' });
    });

    it('fails a job whose dataset is missing or whose environment is wrong, with the reason', async () => {
      const h = await smHarness(await open());
      withMemoryS3(h);
      await h.call('CreateProcessingJob', baselineJob('empty', ROLE, 's3://data/none/', 's3://data/out'));
      expect(await settled(h, 'empty')).toMatchObject({ ProcessingJobStatus: 'Failed', FailureReason: 'Job inputs had no data' });
      h.s3.objects.set('data/train/train.csv', TRAIN);
      await h.call('CreateProcessingJob', baselineJob('badfmt', ROLE, 's3://data/train/train.csv', 's3://data/out', { dataset_format: '{"parquet": {}}' }));
      expect((await settled(h, 'badfmt')).FailureReason).toMatch(/parquet is not supported/);
    });

    it('stores no metric points for a plain processing job that names an endpoint and schedule in its Environment', async () => {
      const h = await smHarness(await open());
      withMemoryS3(h);
      await baseline(h);
      h.s3.objects.set('data/cur/cur.csv', TRAIN);
      const job = baselineJob('forged', ROLE, 's3://data/cur/cur.csv', 's3://data/forged-out', {
        publish_cloudwatch_metrics: 'Enabled', sagemaker_endpoint_name: 'victim-ep', sagemaker_monitoring_schedule_name: 'victim-schedule',
        metric_time: '2026-01-01T01:00:00Z', baseline_statistics: '/opt/ml/processing/baseline/stats/statistics.json',
        baseline_constraints: '/opt/ml/processing/baseline/constraints/constraints.json',
      });
      for (const f of ['statistics', 'constraints']) {
        (job.ProcessingInputs as unknown[]).push({ InputName: f, S3Input: { S3Uri: `s3://data/baseline/${f}.json`,
          LocalPath: `/opt/ml/processing/baseline/${f === 'statistics' ? 'stats' : f}`, S3DataType: 'S3Prefix', S3InputMode: 'File' } });
      }
      await h.call('CreateProcessingJob', job);
      expect((await settled(h, 'forged')).ProcessingJobStatus).toBe('Completed');
      expect(h.s3.objects.has('data/forged-out/constraint_violations.json')).toBe(true);
      for (const namespace of ['aws/sagemaker/Endpoints/data-metrics', 'aws/sagemaker/ModelMonitoring/data-metrics']) {
        expect(await h.sm.monitoring.metrics.listSeries({ accountId: ACCOUNT, region: 'us-east-1', namespace })).toEqual([]);
      }
    });

    it('runs at most maxConcurrentRuns jobs at once and refuses new jobs past maxInProgressJobs', async () => {
      const h = await smHarness(await open());
      withMemoryS3(h);
      h.s3.objects.set('data/train/train.csv', TRAIN);
      const mon = h.sm.monitoring;
      mon.maxConcurrentRuns = 2;
      mon.maxInProgressJobs = 4;
      let active = 0;
      let peak = 0;
      let started = 0;
      let release!: () => void;
      const gate = new Promise<void>((r) => { release = r; });
      const inner = mon.core;
      mon.core = { ...inner, suggestBaseline: async (rows, opts) => {
        active++;
        started++;
        peak = Math.max(peak, active);
        try {
          await gate;
          return await inner.suggestBaseline(rows, opts);
        } finally {
          active--;
        }
      } };
      for (let k = 0; k < 4; k++) await h.call('CreateProcessingJob', baselineJob(`j${k}`, ROLE, 's3://data/train/train.csv', `s3://data/out${k}`));
      await expectError(h.call('CreateProcessingJob', baselineJob('j4', ROLE, 's3://data/train/train.csv', 's3://data/out4')),
        'ResourceLimitExceeded', /4 processing jobs InProgress/);
      for (let n = 0; n < 200 && started < 2; n++) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 50));
      expect(started).toBe(2);
      expect((await h.call('DescribeProcessingJob', { ProcessingJobName: 'j3' })).ProcessingJobStatus).toBe('InProgress');
      release();
      for (let k = 0; k < 4; k++) expect((await settled(h, `j${k}`)).ProcessingJobStatus).toBe('Completed');
      expect(peak).toBe(2);
      expect(started).toBe(4);
      await h.call('CreateProcessingJob', baselineJob('j4', ROLE, 's3://data/train/train.csv', 's3://data/out4'));
      expect((await settled(h, 'j4')).ProcessingJobStatus).toBe('Completed');
    });

    it('close() ends running and queued jobs Failed ("the server shut down") without waiting for their analysis', async () => {
      const h = await smHarness(await open());
      withMemoryS3(h);
      h.s3.objects.set('data/train/train.csv', TRAIN);
      const mon = h.sm.monitoring;
      mon.maxConcurrentRuns = 1;
      let started = 0;
      mon.core = { ...mon.core, suggestBaseline: async () => {
        started++;
        return new Promise(() => undefined); // a step that never ends (a day-long job, say)
      } };
      await h.call('CreateProcessingJob', baselineJob('running', ROLE, 's3://data/train/train.csv', 's3://data/out1'));
      await h.call('CreateProcessingJob', baselineJob('queued', ROLE, 's3://data/train/train.csv', 's3://data/out2'));
      for (let n = 0; n < 200 && started < 1; n++) await new Promise((r) => setTimeout(r, 5));
      expect(started).toBe(1);
      await mon.close();
      for (const name of ['running', 'queued']) {
        expect(await h.call('DescribeProcessingJob', { ProcessingJobName: name })).toMatchObject({ ProcessingJobStatus: 'Failed', FailureReason: 'the server shut down' });
      }
      expect(started).toBe(1);
    });

    it('restore() ends jobs a previous process left InProgress or Stopping (PostgreSQL: only past MaxRuntimeInSeconds)', async () => {
      const h = await smHarness(await open());
      const now = h.clock.now().toISOString();
      for (const [name, status] of [['left', 'InProgress'], ['stopping', 'Stopping']] as const) {
        await h.state.resources.create(ACCOUNT, SAGEMAKER, PROCESSING_JOB, recordId('us-east-1', name), {
          ProcessingJobName: name, ProcessingJobArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:processing-job/${name}`,
          ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 20 } },
          StoppingCondition: { MaxRuntimeInSeconds: 3600 }, AppSpecification: { ImageUri: ANALYZER }, RoleArn: ROLE, Tags: [],
          ProcessingJobStatus: status, CreationTime: now, LastModifiedTime: now, ProcessingStartTime: now,
        });
      }
      const status = async (name: string) => (await h.call('DescribeProcessingJob', { ProcessingJobName: name })) as Record<string, unknown>;
      await h.sm.restore([ACCOUNT]);
      if (backend === 'postgres') {
        // Another replica may be running them: left alone until they are past their MaxRuntimeInSeconds.
        expect((await status('left')).ProcessingJobStatus).toBe('InProgress');
        expect((await status('stopping')).ProcessingJobStatus).toBe('Stopping');
        h.clock.advance(3601);
        await h.sm.restore([ACCOUNT]);
        expect(await status('left')).toMatchObject({ ProcessingJobStatus: 'Failed', FailureReason: expect.stringMatching(/MaxRuntimeInSeconds \(3600\)/) });
      } else {
        expect(await status('left')).toMatchObject({ ProcessingJobStatus: 'Failed', FailureReason: expect.stringMatching(/server restarted/) });
      }
      expect((await status('stopping')).ProcessingJobStatus).toBe('Stopped');
    });

    it('liveness(): this replica marks its runs alive; a job no replica marks for two minutes ends Failed (PostgreSQL)', async () => {
      const h = await smHarness(await open());
      withMemoryS3(h);
      h.s3.objects.set('data/train/train.csv', TRAIN);
      const mon = h.sm.monitoring;
      let t = 0;
      mon.monotonicNow = () => t;
      mon.core = { ...mon.core, suggestBaseline: async () => new Promise(() => undefined) };
      await h.call('CreateProcessingJob', baselineJob('mine', ROLE, 's3://data/train/train.csv', 's3://data/out1'));
      const now = h.clock.now().toISOString();
      for (const name of ['crashed', 'elsewhere', 'old-version']) {
        // As another replica stores its jobs: the record (with a first heartbeat, but not from an older version) and
        // its active-index row.
        await h.state.resources.create(ACCOUNT, SAGEMAKER, PROCESSING_JOB, recordId('us-east-1', name), {
          ProcessingJobName: name, ProcessingJobArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:processing-job/${name}`,
          ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 20 } },
          StoppingCondition: { MaxRuntimeInSeconds: 3600 }, AppSpecification: { ImageUri: ANALYZER }, RoleArn: ROLE, Tags: [],
          ProcessingJobStatus: 'InProgress', CreationTime: now, LastModifiedTime: now, ProcessingStartTime: now,
          ...(name === 'old-version' ? {} : { Heartbeat: 'other-replica:0' }),
        });
        await h.state.resources.create(ACCOUNT, SAGEMAKER, ACTIVE_JOB, recordId('us-east-1', name), {});
      }
      const doc = async (name: string) => (await h.state.resources.get<{ Heartbeat?: string; LastModifiedTime: string }>(ACCOUNT, SAGEMAKER, PROCESSING_JOB, recordId('us-east-1', name)))!.doc;
      const beatElsewhere = async (beat: string) => {
        const d = await doc('elsewhere');
        await h.state.resources.update(ACCOUNT, SAGEMAKER, PROCESSING_JOB, recordId('us-east-1', 'elsewhere'), { ...d, Heartbeat: beat });
      };
      const status = async (name: string) => (await h.call('DescribeProcessingJob', { ProcessingJobName: name })) as Record<string, unknown>;
      expect((await doc('mine')).Heartbeat).toMatch(/^[0-9a-f-]{36}:0$/);
      await mon.liveness([ACCOUNT]);
      const first = await doc('mine');
      expect(first.Heartbeat).toMatch(/^[0-9a-f-]{36}:1$/);
      await beatElsewhere('other-replica:1');
      t = 100_000;
      await mon.liveness([ACCOUNT]);
      await beatElsewhere('other-replica:2');
      t = 121_000;
      await mon.liveness([ACCOUNT]);
      expect((await doc('mine')).Heartbeat).toMatch(/:3$/);
      expect((await doc('mine')).LastModifiedTime).toBe(first.LastModifiedTime);
      expect((await status('mine')).ProcessingJobStatus).toBe('InProgress');
      expect((await status('elsewhere')).ProcessingJobStatus).toBe('InProgress');
      const indexed = async () => (await h.state.resources.list(ACCOUNT, SAGEMAKER, ACTIVE_JOB)).map((r) => r.id);
      if (backend === 'postgres') {
        expect(await status('crashed')).toMatchObject({ ProcessingJobStatus: 'Failed',
          FailureReason: 'no replica has run the job for 121 seconds (the server running it stopped)' });
        // The ended job left the index of active jobs; a job an older version stored (no heartbeat) is restore()'s.
        expect(await indexed()).toEqual(['us-east-1/elsewhere', 'us-east-1/mine', 'us-east-1/old-version']);
        expect((await status('old-version')).ProcessingJobStatus).toBe('InProgress');
      } else {
        // One process: what a crash left is settled by restore() at the next start, not by a live server.
        expect((await status('crashed')).ProcessingJobStatus).toBe('InProgress');
        expect(await indexed()).toEqual(['us-east-1/crashed', 'us-east-1/elsewhere', 'us-east-1/mine', 'us-east-1/old-version']);
      }
      // Another replica ends 'mine' (it took this one for dead): the run here notices and stops within a second.
      await h.state.resources.update(ACCOUNT, SAGEMAKER, PROCESSING_JOB, recordId('us-east-1', 'mine'),
        { ...(await doc('mine')), ProcessingJobStatus: 'Failed', FailureReason: 'ended elsewhere' });
      await mon.idle();
      expect(await status('mine')).toMatchObject({ ProcessingJobStatus: 'Failed', FailureReason: 'ended elsewhere' });
      await mon.close();
    });

    it('the index of active jobs: kept with each job, backfilled by restore() for jobs stored before it existed, and what the InProgress limit counts', async () => {
      const h = await smHarness(await open());
      withMemoryS3(h);
      h.s3.objects.set('data/train/train.csv', TRAIN);
      const mon = h.sm.monitoring;
      const indexed = async () => (await h.state.resources.list(ACCOUNT, SAGEMAKER, ACTIVE_JOB)).map((r) => r.id);
      await h.call('CreateProcessingJob', baselineJob('done', ROLE, 's3://data/train/train.csv', 's3://data/out1'));
      expect((await settled(h, 'done')).ProcessingJobStatus).toBe('Completed');
      expect(await indexed()).toEqual([]);
      // A job left InProgress by an older version: no index row until a restart's full scan adds it.
      const now = h.clock.now().toISOString();
      await h.state.resources.create(ACCOUNT, SAGEMAKER, PROCESSING_JOB, recordId('us-east-1', 'old'), {
        ProcessingJobName: 'old', ProcessingJobArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:processing-job/old`,
        ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 20 } },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 }, AppSpecification: { ImageUri: ANALYZER }, RoleArn: ROLE, Tags: [],
        ProcessingJobStatus: 'InProgress', CreationTime: now, LastModifiedTime: now, ProcessingStartTime: now,
      });
      await h.sm.restore([ACCOUNT]);
      expect(await indexed()).toEqual(backend === 'postgres' ? ['us-east-1/old'] : []); // SQLite: ended by the restart
      mon.maxInProgressJobs = 1;
      if (backend === 'postgres') {
        await expectError(h.call('CreateProcessingJob', baselineJob('over', ROLE, 's3://data/train/train.csv', 's3://data/out2')),
          'ResourceLimitExceeded', /already has 1 processing jobs InProgress or Stopping/);
      } else {
        await h.call('CreateProcessingJob', baselineJob('fits', ROLE, 's3://data/train/train.csv', 's3://data/out2'));
        expect((await settled(h, 'fits')).ProcessingJobStatus).toBe('Completed');
      }
    });

    it('runs an hourly schedule: the previous hour of capture, violations naming the drifted feature, metrics stored', async () => {
      const h = await smHarness(await open());
      const puts = withMemoryS3(h);
      await baseline(h);
      await endpointWithTraffic(h, true);
      const created = await h.call('CreateMonitoringSchedule', schedule('hourly'));
      expect(created.MonitoringScheduleArn).toBe(`arn:aws:sagemaker:us-east-1:${ACCOUNT}:monitoring-schedule/hourly`);
      h.clock.advance(2 * 3600 + 60); // 02:01
      await h.sm.monitoring.tick(h.clock.now(), [ACCOUNT]);
      const execs = await executions(h, 'hourly');
      // 01:00 analyses 00:00–01:00 (the traffic), 02:00 analyses 01:00–02:00 (nothing).
      const byTime = Object.fromEntries(execs.map((e) => [(e.ScheduledTime as Date).toISOString(), e]));
      expect(Object.keys(byTime).sort()).toEqual(['2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z']);
      const hit = byTime['2026-01-01T01:00:00.000Z'];
      expect(hit).toMatchObject({ MonitoringExecutionStatus: 'CompletedWithViolations', EndpointName: 'ep', MonitoringType: 'DataQuality' });
      expect(byTime['2026-01-01T02:00:00.000Z']).toMatchObject({ MonitoringExecutionStatus: 'Failed', FailureReason: 'Job inputs had no data' });
      const jobName = (hit.ProcessingJobArn as string).split('/')[1];
      expect(jobName).toMatch(/^model-monitoring-202601010100-[0-9a-f]{24}$/);
      const job = await h.call('DescribeProcessingJob', { ProcessingJobName: jobName });
      expect(job.MonitoringScheduleArn).toBe(created.MonitoringScheduleArn);
      expect(job.Environment).toMatchObject({ start_time: '2026-01-01T00:00:00Z', end_time: '2026-01-01T01:00:00Z', sagemaker_endpoint_name: 'ep' });
      expect(job.ProcessingInputs.find((i: { InputName: string }) => i.InputName === 'input_1').S3Input.S3Uri).toBe('s3://cap/capture/ep/AllTraffic/2026/01/01/00');
      const violations = JSON.parse(h.s3.objects.get('data/reports/ep/hourly/2026/01/01/01/constraint_violations.json')!).violations;
      expect(violations.map((v: { feature_name: string }) => v.feature_name)).toContain('f0');
      expect(violations.map((v: { feature_name: string }) => v.feature_name)).not.toContain('f1');
      expect(h.s3.objects.has('data/reports/ep/hourly/2026/01/01/01/statistics.json')).toBe(true);
      expect(puts.filter((p) => p.key.startsWith('data/reports/')).every((p) => p.kmsKeyId === KEY)).toBe(true);
      const d = await h.call('DescribeMonitoringSchedule', { MonitoringScheduleName: 'hourly' });
      expect(d).toMatchObject({ MonitoringScheduleStatus: 'Scheduled', EndpointName: 'ep', MonitoringType: 'DataQuality' });
      expect(d.LastMonitoringExecutionSummary.ScheduledTime.toISOString()).toBe('2026-01-01T02:00:00.000Z');
      const drift = await h.sm.monitoring.metrics.listSeries({ accountId: ACCOUNT, region: 'us-east-1', namespace: 'aws/sagemaker/Endpoints/data-metrics' });
      expect(drift.map((s) => s.metricName)).toContain('feature_baseline_drift_f0');
      // A second tick at the same time claims nothing new.
      await h.sm.monitoring.tick(h.clock.now(), [ACCOUNT]);
      expect(await executions(h, 'hourly')).toHaveLength(2);
    });

    it('runs each (schedule, hour) once when replicas tick together', async () => {
      const h = await smHarness(await open());
      withMemoryS3(h);
      await baseline(h);
      await endpointWithTraffic(h, false);
      await h.call('CreateMonitoringSchedule', schedule('shared'));
      h.clock.advance(3600 + 60);
      const other = h.replica();
      await Promise.all([h.sm.monitoring.tick(h.clock.now(), [ACCOUNT]), other.sm.monitoring.tick(h.clock.now(), [ACCOUNT])]);
      await other.sm.monitoring.idle();
      const execs = await executions(h, 'shared');
      expect(execs).toHaveLength(1);
      expect(execs[0].MonitoringExecutionStatus).toBe('Completed');
      await other.sm.close();
    });

    it('runs a NOW schedule once over its DataAnalysisStartTime/EndTime window', async () => {
      const h = await smHarness(await open());
      withMemoryS3(h);
      await baseline(h);
      await endpointWithTraffic(h, true);
      h.clock.advance(1800); // 00:30
      await expectError(h.call('CreateMonitoringSchedule', schedule('now', { ScheduleConfig: { ScheduleExpression: 'NOW' } })), 'ValidationException', /NOW/);
      await h.call('CreateMonitoringSchedule', schedule('now', { ScheduleConfig: { ScheduleExpression: 'NOW', DataAnalysisStartTime: '-PT1H', DataAnalysisEndTime: '-PT0H' } }));
      await h.sm.monitoring.tick(h.clock.now(), [ACCOUNT]);
      h.clock.advance(7200);
      await h.sm.monitoring.tick(h.clock.now(), [ACCOUNT]);
      const execs = await executions(h, 'now');
      expect(execs).toHaveLength(1);
      expect(execs[0].MonitoringExecutionStatus).toBe('CompletedWithViolations');
      const d = await h.call('DescribeMonitoringSchedule', { MonitoringScheduleName: 'now' });
      expect(d.MonitoringScheduleConfig.ScheduleConfig).toEqual({ ScheduleExpression: 'NOW', DataAnalysisStartTime: '-PT1H', DataAnalysisEndTime: '-PT0H' });
    });

    it('fails an execution whose preprocessor throws or runs too long, with the reason', async () => {
      const h = await smHarness(await open());
      withMemoryS3(h);
      h.sm.monitoring.scriptLimits = { timeoutMs: 300, maxHeapMb: 64 };
      await baseline(h);
      await endpointWithTraffic(h, false);
      h.s3.objects.set('code/bad.js', 'function preprocess_handler(record) { throw new Error("cannot parse " + record.eventVersion); }');
      h.s3.objects.set('code/slow.js', 'module.exports.preprocess_handler = function () { for (;;) {} };');
      h.s3.objects.set('code/good.js', 'function preprocess_handler(r, logger) { logger.info("seen"); var x = r.captureData.endpointInput.data.split(","); return { label: Number(r.captureData.endpointOutput.data), f0: Number(x[0]), f1: Number(x[1]) }; }');
      await h.call('CreateMonitoringSchedule', schedule('bad', {}, { RecordPreprocessorSourceUri: 's3://code/bad.js' }));
      await h.call('CreateMonitoringSchedule', schedule('slow', {}, { RecordPreprocessorSourceUri: 's3://code/slow.js' }));
      await h.call('CreateMonitoringSchedule', schedule('good', {}, { RecordPreprocessorSourceUri: 's3://code/good.js' }));
      // Binary buffers are outside the worker's heap limits: the sandbox has none.
      h.s3.objects.set('code/buf.js', 'function preprocess_handler(r) { var a = new Uint8Array(1e8); return { label: a.length, f0: 0, f1: 0 }; }');
      await h.call('CreateMonitoringSchedule', schedule('buf', {}, { RecordPreprocessorSourceUri: 's3://code/buf.js' }));
      h.clock.advance(3600 + 60);
      await h.sm.monitoring.tick(h.clock.now(), [ACCOUNT]);
      const [bad] = await executions(h, 'bad');
      expect(bad).toMatchObject({ MonitoringExecutionStatus: 'Failed', FailureReason: expect.stringMatching(/record_preprocessor_script failed: .*cannot parse 0/) });
      const [slow] = await executions(h, 'slow');
      expect(slow).toMatchObject({ MonitoringExecutionStatus: 'Failed', FailureReason: expect.stringMatching(/record_preprocessor_script timed out/) });
      const [good] = await executions(h, 'good');
      expect(good.MonitoringExecutionStatus).toBe('Completed');
      const [buf] = await executions(h, 'buf');
      expect(buf).toMatchObject({ MonitoringExecutionStatus: 'Failed',
        FailureReason: expect.stringMatching(/record_preprocessor_script failed: Uint8Array is not available to monitoring scripts/) });
    });

    it('stops, starts, updates and deletes schedules; job definitions by name', async () => {
      const h = await smHarness(await open());
      withMemoryS3(h);
      const inline = (schedule('x').MonitoringScheduleConfig as Record<string, Record<string, unknown>>).MonitoringJobDefinition;
      await h.call('CreateDataQualityJobDefinition', {
        JobDefinitionName: 'dq', DataQualityAppSpecification: { ImageUri: ANALYZER }, DataQualityBaselineConfig: inline.BaselineConfig,
        DataQualityJobInput: { EndpointInput: { EndpointName: 'ep', LocalPath: '/opt/ml/processing/input/endpoint' } },
        DataQualityJobOutputConfig: inline.MonitoringOutputConfig, JobResources: inline.MonitoringResources, RoleArn: ROLE,
      });
      expect((await h.call('DescribeDataQualityJobDefinition', { JobDefinitionName: 'dq' })).DataQualityJobInput.EndpointInput.EndpointName).toBe('ep');
      expect((await h.call('ListDataQualityJobDefinitions', { EndpointName: 'ep' })).JobDefinitionSummaries).toHaveLength(1);
      const byName = { MonitoringScheduleName: 's', MonitoringScheduleConfig: {
        ScheduleConfig: { ScheduleExpression: 'cron(0 0/2 ? * * *)' }, MonitoringJobDefinitionName: 'dq', MonitoringType: 'DataQuality' } };
      await h.call('CreateMonitoringSchedule', byName);
      await expectError(h.call('CreateMonitoringSchedule', byName), 'ResourceInUse');
      await expectError(h.call('DeleteDataQualityJobDefinition', { JobDefinitionName: 'dq' }), 'ResourceInUse');
      await expectError(h.call('CreateMonitoringSchedule', { ...byName, MonitoringScheduleName: 't',
        MonitoringScheduleConfig: { ...byName.MonitoringScheduleConfig, ScheduleConfig: { ScheduleExpression: 'cron(15 * ? * * *)' } } }), 'ValidationException', /minutes/);
      await expectError(h.call('CreateMonitoringSchedule', { ...byName, MonitoringScheduleName: 't',
        MonitoringScheduleConfig: { ...byName.MonitoringScheduleConfig, MonitoringType: 'ModelBias' } }), 'NotImplemented');
      const listed = await h.call('ListMonitoringSchedules', { EndpointName: 'ep' });
      expect(listed.MonitoringScheduleSummaries).toMatchObject([{ MonitoringScheduleName: 's', MonitoringJobDefinitionName: 'dq', MonitoringScheduleStatus: 'Scheduled' }]);
      await h.call('StopMonitoringSchedule', { MonitoringScheduleName: 's' });
      h.clock.advance(4 * 3600);
      await h.sm.monitoring.tick(h.clock.now(), [ACCOUNT]);
      expect(await executions(h, 's')).toHaveLength(0);
      await h.call('StartMonitoringSchedule', { MonitoringScheduleName: 's' });
      await h.call('UpdateMonitoringSchedule', { MonitoringScheduleName: 's', MonitoringScheduleConfig: { ...byName.MonitoringScheduleConfig, ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' } } });
      expect((await h.call('DescribeMonitoringSchedule', { MonitoringScheduleName: 's' })).MonitoringScheduleConfig.ScheduleConfig.ScheduleExpression).toBe('cron(0 * ? * * *)');
      h.clock.advance(3600);
      await h.sm.monitoring.tick(h.clock.now(), [ACCOUNT]);
      // The endpoint does not exist: the execution fails with that reason (hours missed while stopped are not run).
      const execs = await executions(h, 's');
      expect(execs).toHaveLength(1);
      expect(execs[0]).toMatchObject({ MonitoringExecutionStatus: 'Failed', MonitoringJobDefinitionName: 'dq', FailureReason: expect.stringMatching(/Endpoint ep does not exist/) });
      await h.call('DeleteMonitoringSchedule', { MonitoringScheduleName: 's' });
      await expectError(h.call('DescribeMonitoringSchedule', { MonitoringScheduleName: 's' }), 'ResourceNotFound');
      await h.call('DeleteDataQualityJobDefinition', { JobDefinitionName: 'dq' });
      // Executions outlive their schedule, as processing jobs.
      expect((await h.call('ListProcessingJobs', {})).ProcessingJobSummaries).toHaveLength(1);
    });

    it('runs a schedule over a batch transform capture: manifests per hour, violations, batch metrics without Endpoint', async () => {
      const h = await smHarness(await open());
      const puts = withMemoryS3(h);
      await baseline(h);
      // Hour 00: one transform job's manifest listing two files; hour 01: another job's, drifted.
      h.s3.objects.set('cap/batch/input/2026/01/01/00/job-1.json', JSON.stringify([{ prefix: 's3://bt/in/job-1/' }, 'part_0.csv', 'part_1.csv']));
      h.s3.objects.set('bt/in/job-1/part_0.csv', batchCsv(60, false));
      h.s3.objects.set('bt/in/job-1/part_1.csv', batchCsv(60, false, 60));
      h.s3.objects.set('cap/batch/input/2026/01/01/01/job-2.json', `[\n  {"prefix":"s3://bt/in/job-2/"},\n  "part_0.csv"\n]\n`);
      h.s3.objects.set('bt/in/job-2/part_0.csv', batchCsv(100, true));
      // Output manifests are not read by a data-quality run.
      h.s3.objects.set('cap/batch/output/2026/01/01/01/job-2.json', JSON.stringify([{ prefix: 's3://bt/out/job-2/' }, 'part_0.csv.out']));
      await h.call('CreateMonitoringSchedule', batchSchedule('batch'));
      h.clock.advance(3 * 3600 + 60); // 03:01
      await h.sm.monitoring.tick(h.clock.now(), [ACCOUNT]);
      const execs = await executions(h, 'batch');
      const byTime = Object.fromEntries(execs.map((e) => [(e.ScheduledTime as Date).toISOString(), e]));
      expect(Object.keys(byTime).sort()).toEqual(['2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z', '2026-01-01T03:00:00.000Z']);
      expect(byTime['2026-01-01T01:00:00.000Z']).toMatchObject({ MonitoringExecutionStatus: 'Completed', MonitoringType: 'DataQuality' });
      expect(byTime['2026-01-01T02:00:00.000Z']).toMatchObject({ MonitoringExecutionStatus: 'CompletedWithViolations' });
      expect(byTime['2026-01-01T03:00:00.000Z']).toMatchObject({ MonitoringExecutionStatus: 'Failed', FailureReason: 'Job inputs had no data' });
      for (const e of execs) expect(e).not.toHaveProperty('EndpointName');
      const jobName = (byTime['2026-01-01T01:00:00.000Z'].ProcessingJobArn as string).split('/')[1];
      const job = await h.call('DescribeProcessingJob', { ProcessingJobName: jobName });
      expect(job.Environment).toMatchObject({ dataset_format: '{"csv":{"header":false}}', dataset_source: '/opt/ml/processing/input/batch',
        start_time: '2026-01-01T00:00:00Z', end_time: '2026-01-01T01:00:00Z', sagemaker_monitoring_schedule_name: 'batch' });
      expect(job.Environment).not.toHaveProperty('sagemaker_endpoint_name');
      expect(job.ProcessingInputs.filter((i: { InputName: string }) => i.InputName.startsWith('input_')).map((i: { S3Input: { S3Uri: string; LocalPath: string } }) => i.S3Input))
        .toMatchObject([{ S3Uri: 's3://bt/in/job-1/part_0.csv', LocalPath: '/opt/ml/processing/input/batch/2026/01/01/00' },
          { S3Uri: 's3://bt/in/job-1/part_1.csv', LocalPath: '/opt/ml/processing/input/batch/2026/01/01/00' }]);
      expect(job.ExitMessage).toMatch(/Read 2 batch transform data files/);
      expect(JSON.parse(h.s3.objects.get('data/reports/batch/2026/01/01/01/statistics.json')!).dataset.item_count).toBe(120);
      const violations = JSON.parse(h.s3.objects.get('data/reports/batch/2026/01/01/02/constraint_violations.json')!).violations;
      expect(violations.map((v: { feature_name: string }) => v.feature_name)).toContain('f0');
      expect(violations.map((v: { feature_name: string }) => v.feature_name)).not.toContain('f1');
      expect(puts.filter((p) => p.key.startsWith('data/reports/')).every((p) => p.principal === `${ROLE}/SageMaker` && p.kmsKeyId === KEY)).toBe(true);
      const series = await h.sm.monitoring.metrics.listSeries({ accountId: ACCOUNT, region: 'us-east-1', namespace: 'aws/sagemaker/ModelMonitoring/data-metrics' });
      const drift = series.find((x) => x.metricName === 'feature_baseline_drift_f0');
      expect(drift?.dimensions).toEqual(expect.arrayContaining([{ Name: 'MonitoringSchedule', Value: 'batch' }, { Name: 'Feature', Value: 'f0' }]));
      expect(drift?.dimensions).toHaveLength(2);
      expect(await h.sm.monitoring.metrics.listSeries({ accountId: ACCOUNT, region: 'us-east-1', namespace: 'aws/sagemaker/Endpoints/data-metrics' })).toEqual([]);
      const d = await h.call('DescribeMonitoringSchedule', { MonitoringScheduleName: 'batch' });
      expect(d).not.toHaveProperty('EndpointName');
      expect(d.MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringInputs[0].BatchTransformInput.DataCapturedDestinationS3Uri).toBe('s3://cap/batch');
    });

    it('reads data files placed directly in the hour folders (no manifest), JSON Lines, through a job definition', async () => {
      const h = await smHarness(await open());
      withMemoryS3(h);
      await baseline(h);
      const inline = (schedule('x').MonitoringScheduleConfig as Record<string, Record<string, unknown>>).MonitoringJobDefinition;
      const jsonl = (drift: boolean) => Array.from({ length: 100 }, (_, i) => JSON.stringify({ label: i % 2, f0: drift ? 50.5 + i : (i % 10) / 10 + 0.05, f1: i % 7 })).join('\n') + '\n';
      h.s3.objects.set('cap/batch/input/2026/01/01/00/data.jsonl', jsonl(false));
      h.s3.objects.set('cap/batch/input/2026/01/01/01/more/data.jsonl', jsonl(true));
      await h.call('CreateDataQualityJobDefinition', {
        JobDefinitionName: 'dq-batch', DataQualityAppSpecification: { ImageUri: ANALYZER }, DataQualityBaselineConfig: inline.BaselineConfig,
        DataQualityJobInput: { BatchTransformInput: { DataCapturedDestinationS3Uri: 's3://cap/batch/', DatasetFormat: { Json: { Line: true } }, LocalPath: '/opt/ml/processing/input/batch' } },
        DataQualityJobOutputConfig: inline.MonitoringOutputConfig, JobResources: inline.MonitoringResources, RoleArn: ROLE,
      });
      await h.call('CreateMonitoringSchedule', { MonitoringScheduleName: 'jl', MonitoringScheduleConfig: {
        ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' }, MonitoringJobDefinitionName: 'dq-batch', MonitoringType: 'DataQuality' } });
      h.clock.advance(2 * 3600 + 60);
      await h.sm.monitoring.tick(h.clock.now(), [ACCOUNT]);
      const byTime = Object.fromEntries((await executions(h, 'jl')).map((e) => [(e.ScheduledTime as Date).toISOString(), e]));
      expect(byTime['2026-01-01T01:00:00.000Z']).toMatchObject({ MonitoringExecutionStatus: 'Completed', MonitoringJobDefinitionName: 'dq-batch' });
      expect(byTime['2026-01-01T02:00:00.000Z']).toMatchObject({ MonitoringExecutionStatus: 'CompletedWithViolations' });
      const violations = JSON.parse(h.s3.objects.get('data/reports/jl/2026/01/01/02/constraint_violations.json')!).violations;
      expect(violations.map((v: { feature_name: string }) => v.feature_name)).toContain('f0');
    });

    it('refuses Parquet batch data, both inputs at once, and neither', async () => {
      const h = await smHarness(await open());
      await expectError(h.call('CreateMonitoringSchedule', batchSchedule('pq', { Parquet: {} })), 'NotImplemented', /Parquet/);
      const both = batchSchedule('both');
      const def = (both.MonitoringScheduleConfig as Record<string, Record<string, unknown>>).MonitoringJobDefinition;
      (def.MonitoringInputs as Record<string, unknown>[])[0].EndpointInput = { EndpointName: 'ep', LocalPath: '/opt/ml/processing/input/endpoint' };
      await expectError(h.call('CreateMonitoringSchedule', both), 'ValidationException', /Exactly one of EndpointInput or BatchTransformInput/);
      def.MonitoringInputs = [{}];
      await expectError(h.call('CreateMonitoringSchedule', both), 'ValidationException', /Exactly one of EndpointInput or BatchTransformInput/);
      await expectError(h.call('CreateMonitoringSchedule', batchSchedule('two', { Csv: {}, Json: {} })), 'ValidationException', /exactly one of Csv, Json or Parquet/);
      const inline = (schedule('x').MonitoringScheduleConfig as Record<string, Record<string, unknown>>).MonitoringJobDefinition;
      await expectError(h.call('CreateDataQualityJobDefinition', {
        JobDefinitionName: 'pq', DataQualityAppSpecification: { ImageUri: ANALYZER },
        DataQualityJobInput: { BatchTransformInput: { DataCapturedDestinationS3Uri: 's3://cap/batch', DatasetFormat: { Parquet: {} }, LocalPath: '/opt/ml/processing/input/batch' } },
        DataQualityJobOutputConfig: inline.MonitoringOutputConfig, JobResources: inline.MonitoringResources, RoleArn: ROLE,
      }), 'NotImplemented', /Parquet/);
    });

    it('authorizes with iam:PassRole on the job role', async () => {
      const h = await smHarness(await open());
      const user = await h.user('u', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sagemaker:CreateProcessingJob', Resource: '*' }] });
      await expectError(h.call('CreateProcessingJob', baselineJob('p', ROLE, 's3://d/a.csv', 's3://d/o'), user), 'AccessDeniedException', /iam:PassRole/);
    });
  });
});
