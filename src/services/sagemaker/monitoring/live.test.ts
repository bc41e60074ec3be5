/**
 * Schedules and near-real-time profiles together (docs/near-real-time-drift.md): a schedule hands the live profiler
 * its baseline, so FeatureDrift follows the schedule's baseline within the minute; an hourly execution whose window
 * was profiled in every minute analyses the stored profiles instead of rescanning the captures, with the same result.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EndpointRegistry } from '../../../inference/registry.js';
import { SqlMetricStore } from '../../../metrics/sql-store.js';
import { LiveProfiler, SqlProfileStore } from '../../../monitor/live/index.js';
import { withEachBackend } from '../../../state/testing.js';
import type { StateBackend } from '../../../state/types.js';
import type { Serving } from '../context.js';
import { createSageMakerService, type SageMakerService } from '../index.js';
import { ACCOUNT, EchoRuntimes, REGION, ROLE, invoke, smHarness, type Out, type SmHarness } from '../testing.js';
import { baselineJob, scheduleRequest, withMemoryS3 } from './testing.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const TRAIN = ['f0,f1'].concat(Array.from({ length: 200 }, (_, i) => `${(i % 10) / 10 + 0.05},${i % 7}`)).join('\n') + '\n';
const INPUT_ONLY = JSON.stringify({ sagemakerCaptureJson: { captureIndexNames: ['endpointInput'] } });
const ROWS_PER_MINUTE = 10;

/** A row of traffic: f0 far from the baseline when drifted, f1 as in training. */
const features = (i: number, drift: boolean): number[] => [drift ? 50.5 + (i % 10) : (i % 10) / 10 + 0.05, i % 7];

function captureLine(x: number[], at: Date, id: number): string {
  return JSON.stringify({
    captureData: {
      endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: x.join(','), encoding: 'CSV' },
      endpointOutput: { observedContentType: 'text/plain', mode: 'OUTPUT', data: '1', encoding: 'CSV' },
    },
    eventMetadata: { eventId: `e-${id}`, inferenceTime: at.toISOString() },
    eventVersion: '0',
  });
}

interface World {
  h: SmHarness;
  serving: Serving;
  live: LiveProfiler;
  metrics: SqlMetricStore;
  svc: SageMakerService;
  call(op: string, input: Record<string, unknown>): Promise<Out>;
}

/** A SageMaker service whose Serving has a live profiler (as the server's servingLayer builds it), on the harness's state. */
async function world(state: StateBackend): Promise<World> {
  const h = await smHarness(state);
  withMemoryS3(h);
  const metrics = new SqlMetricStore(h.state.db, 'writer-a');
  const live = new LiveProfiler({ store: new SqlProfileStore(h.state.db, 'writer-a'), metricStore: metrics, clock: h.clock, log: pino({ level: 'silent' }), timer: false });
  const serving: Serving = { registry: new EndpointRegistry(), runtimes: new EchoRuntimes(), roles: h.roles, allowFileModels: false, live };
  const svc = createSageMakerService(h.deps, serving);
  const call = (op: string, input: Record<string, unknown>) => invoke(svc, () => h.clock.now(), op, input, h.root);
  h.s3.objects.set('data/train/train.csv', TRAIN);
  await call('CreateProcessingJob', baselineJob('base', ROLE, 's3://data/train/train.csv', 's3://data/baseline'));
  await svc.monitoring.idle();
  await call('CreateModel', { ModelName: 'm', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'vigil/echo' } });
  await call('CreateEndpointConfig', {
    EndpointConfigName: 'c', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'm', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' }],
    DataCaptureConfig: { InitialSamplingPercentage: 100, DestinationS3Uri: 's3://cap/capture', CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }] },
  });
  await call('CreateEndpoint', { EndpointName: 'ep', EndpointConfigName: 'c' });
  for (let n = 0; n < 500 && (await call('DescribeEndpoint', { EndpointName: 'ep' })).EndpointStatus !== 'InService'; n++) await new Promise((r) => setTimeout(r, 5));
  return { h, serving, live, metrics, svc, call };
}

/** Inputs only: the rows a profile of the requests holds. */
const schedule = (name: string) => scheduleRequest(name, { definition: { Environment: { dataset_format: INPUT_ONLY } } });

/** Sends one minute of traffic through the profiler (as InvokeEndpoint does) and returns its capture lines. */
function minuteOfTraffic(w: World, minute: number, drift: boolean, profiled: boolean): string[] {
  const ep = w.serving.registry.get(ACCOUNT, REGION, 'ep')!;
  const lines: string[] = [];
  for (let i = 0; i < ROWS_PER_MINUTE; i++) {
    const at = new Date(T0 + minute * MINUTE + 1000 + i * 100);
    const x = features(minute * ROWS_PER_MINUTE + i, drift);
    if (profiled) w.live.record(ep, ep.variants[0], { body: Buffer.from(x.join(',')), contentType: 'text/csv' }, at);
    lines.push(captureLine(x, at, minute * ROWS_PER_MINUTE + i));
  }
  return lines;
}

/**
 * One hour (00:00–01:00) of drifted traffic, captured at 100 % and profiled from `firstProfiled` on, then the
 * schedule's 01:00 execution; `profiles: false` takes the profiler away from the execution (the rescan path).
 */
async function hour(state: StateBackend, opts: { profiles: boolean; firstProfiled?: number; denyCapture?: boolean }) {
  const w = await world(state);
  w.h.clock.current = new Date(T0);
  await w.call('CreateMonitoringSchedule', schedule('nrt'));
  const lines: string[] = [];
  for (let m = 0; m < 60; m++) {
    lines.push(...minuteOfTraffic(w, m, true, m >= (opts.firstProfiled ?? 0)));
    w.h.clock.current = new Date(T0 + (m + 1) * MINUTE);
    await w.live.tick();
  }
  w.h.s3.objects.set('cap/capture/ep/AllTraffic/2026/01/01/00/00-00-000-uuid.jsonl', lines.join('\n') + '\n');
  if (!opts.profiles) w.serving.live = undefined;
  if (opts.denyCapture) {
    // The execution role may not list the capture bucket (a bucket policy, say).
    const inner = w.h.deps.internal.call.bind(w.h.deps.internal);
    w.h.deps.internal.call = async (principal, service, operation, input, o) => {
      if (service === 's3' && operation === 'ListObjectsV2' && input.Bucket === 'cap') throw new Error('AccessDenied: Access Denied');
      return inner(principal, service, operation, input, o);
    };
  }
  w.h.clock.current = new Date(T0 + 60 * MINUTE + 30_000);
  await w.svc.monitoring.tick(w.h.clock.now(), [ACCOUNT]);
  await w.svc.monitoring.idle();
  const [execution] = (await w.call('ListMonitoringExecutions', { MonitoringScheduleName: 'nrt' })).MonitoringExecutionSummaries;
  const job = await w.call('DescribeProcessingJob', { ProcessingJobName: (execution.ProcessingJobArn as string).split('/')[1] });
  const report = (f: string) => JSON.parse(w.h.s3.objects.get(`data/reports/ep/nrt/2026/01/01/01/${f}`) ?? 'null');
  return { status: execution.MonitoringExecutionStatus, reason: execution.FailureReason, job, violations: report('constraint_violations.json'),
    statistics: report('statistics.json') };
}

describe('monitoring schedules with near-real-time profiles', () => {
  withEachBackend((_name, open) => {
    it('an execution over stored profiles reports what a rescan of the same traffic reports, without reading captures', async () => {
      const stored = await hour(await open(), { profiles: true });
      const rescanned = await hour(await open(), { profiles: false });
      expect(stored.job.ExitMessage).toContain(`Analysed 60 stored per-minute profiles (${60 * ROWS_PER_MINUTE} rows).`);
      expect(rescanned.job.ExitMessage).toContain('Rescanned 1 capture files.');
      // The stored path never listed the capture folders: its inputs are the baseline files only.
      expect(stored.job.ProcessingInputs.map((i: { InputName: string }) => i.InputName)).toEqual(['baseline_statistics', 'baseline_constraints']);
      expect(stored.status).toBe('CompletedWithViolations');
      expect(stored.violations.violations.length).toBeGreaterThan(0);
      expect(stored.violations.violations.some((v: { feature_name: string }) => v.feature_name === 'f0')).toBe(true);
      expect(stored.violations).toEqual(rescanned.violations);
      expect(stored.statistics.dataset.item_count).toBe(rescanned.statistics.dataset.item_count);
      expect(stored.statistics.features.map((f: { name: string }) => f.name)).toEqual(['f0', 'f1']);
    });

    it('an execution over stored profiles fails like a rescan when its role may not list the capture folders', async () => {
      const stored = await hour(await open(), { profiles: true, denyCapture: true });
      const rescanned = await hour(await open(), { profiles: false, denyCapture: true });
      expect(rescanned.status).toBe('Failed');
      expect(rescanned.reason).toMatch(/Could not list s3:\/\/cap\/.*AccessDenied/);
      expect(stored.status).toBe('Failed');
      expect(stored.reason).toBe(rescanned.reason);
      expect(stored.violations).toBeNull();
    });

    it('falls back to rescanning the captures when a minute of the window was not profiled', async () => {
      const r = await hour(await open(), { profiles: true, firstProfiled: 5 });
      expect(r.job.ExitMessage).toContain('Rescanned 1 capture files.');
      expect(r.statistics.dataset.item_count).toBe(60 * ROWS_PER_MINUTE);
      expect(r.status).toBe('CompletedWithViolations');
    });

    it('after CreateMonitoringSchedule, drifted traffic raises FeatureDrift above 0.1 within 60 s; StopMonitoringSchedule ends it', async () => {
      const w = await world(await open());
      w.h.clock.current = new Date(T0);
      await w.call('CreateMonitoringSchedule', schedule('nrt'));
      minuteOfTraffic(w, 0, true, true);
      w.h.clock.current = new Date(T0 + MINUTE);
      await w.live.tick();
      const drift = (feature: string, end: number) => w.metrics.query({
        accountId: ACCOUNT, region: REGION, namespace: 'Vigil/ModelMonitor', metricName: 'FeatureDrift',
        dimensions: { Endpoint: 'ep', Feature: feature, Window: '1m' }, start: new Date(T0), end: new Date(end), periodSeconds: 60,
      });
      const f0 = await drift('f0', T0 + 2 * MINUTE);
      expect(f0).toHaveLength(1);
      expect(f0[0].max).toBeGreaterThan(0.1);
      expect((await drift('f1', T0 + 2 * MINUTE))[0].max).toBeLessThanOrEqual(0.1);

      await w.call('StopMonitoringSchedule', { MonitoringScheduleName: 'nrt' });
      minuteOfTraffic(w, 1, true, true);
      w.h.clock.current = new Date(T0 + 2 * MINUTE);
      await w.live.tick();
      // No baseline, no new datapoint.
      expect(await drift('f0', T0 + 3 * MINUTE)).toHaveLength(1);
    });

    it('restore() gives a restarted replica the baselines of the Scheduled schedules', async () => {
      const w = await world(await open());
      w.h.clock.current = new Date(T0);
      await w.call('CreateMonitoringSchedule', schedule('nrt'));
      const live = new LiveProfiler({ store: new SqlProfileStore(w.h.state.db, 'writer-b'), metricStore: w.metrics, clock: w.h.clock, log: pino({ level: 'silent' }), timer: false });
      const serving: Serving = { ...w.serving, registry: new EndpointRegistry(), runtimes: new EchoRuntimes(), live };
      const restarted = createSageMakerService(w.h.deps, serving);
      await restarted.restore([ACCOUNT]);
      const ep = serving.registry.get(ACCOUNT, REGION, 'ep')!;
      for (let i = 0; i < ROWS_PER_MINUTE; i++) live.record(ep, ep.variants[0], { body: Buffer.from(features(i, true).join(',')), contentType: 'text/csv' }, new Date(T0 + i));
      w.h.clock.current = new Date(T0 + MINUTE);
      await live.tick();
      const points = await w.metrics.query({
        accountId: ACCOUNT, region: REGION, namespace: 'Vigil/ModelMonitor', metricName: 'FeatureDrift',
        dimensions: { Endpoint: 'ep', Feature: 'f0', Window: '1m' }, start: new Date(T0), end: new Date(T0 + 2 * MINUTE), periodSeconds: 60,
      });
      expect(points[0]?.max).toBeGreaterThan(0.1);
      await restarted.close();
    });
  });
});
