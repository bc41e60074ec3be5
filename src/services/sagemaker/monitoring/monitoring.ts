/**
 * Model Monitor's engine in one service instance: runs processing jobs in the background (tracked, so shutdown
 * waits for them), stops them, and turns schedules into executions on the injected clock. With several replicas on
 * one database each (schedule, scheduled time) runs once: the execution's processing-job record has a name derived
 * from both, and only the replica whose insert succeeds runs it.
 */
import { randomUUID } from 'node:crypto';
import { SqlMetricStore } from '../../../metrics/sql-store.js';
import type { MetricStore } from '../../../metrics/types.js';
import type { JobRunner } from '../../../scheduler/runner.js';
import { recordId } from '../arns.js';
import { messageOf } from '../artifacts.js';
import type { Sm } from '../context.js';
import { SAGEMAKER } from '../store.js';
import { monitorCore, type MonitorCore } from './analyzer.js';
import { ContractError } from './contract.js';
import { specOf } from './definitions.js';
import { batchInputs, captureInputs, executionJob } from './executions.js';
import { changeJob, getJob, listAll } from './jobs.js';
import { LiveBaselineSync } from './live-baselines.js';
import { JobFailure, JobStopped, runAnalyzer } from './run.js';
import { RoleS3 } from './s3.js';
import { parseScheduleExpression, runsBetween } from './schedule-expression.js';
import { DEFAULT_SCRIPT_LIMITS, ScriptError, type ScriptLimits } from './scripts.js';
import { PROCESSING_JOB, SCHEDULE, type ProcessingJobDoc, type ScheduleDoc } from './store.js';
import { analysisWindow, type WindowConfig } from './windows.js';

/** How often the scheduler looks for due runs (real time; what is due is decided on the injected clock). */
const TICK_MS = 60_000;
/** Missed runs older than this are not caught up (a server that was down for days runs the recent ones only). */
const CATCH_UP_MS = 24 * 3_600_000;
/** How often a run checks the database for a StopProcessingJob made on another replica. */
const STOP_POLL_MS = 1_000;

interface Run { ctl: AbortController; done: Promise<void> }

export class Monitoring {
  /** The Model Monitor core; tests substitute their own. */
  core: MonitorCore = monitorCore;
  scriptLimits: ScriptLimits = DEFAULT_SCRIPT_LIMITS;
  readonly metrics: MetricStore;
  /** The near-real-time profiler's baselines, following the schedules. */
  readonly baselines: LiveBaselineSync;
  readonly #runs = new Map<string, Run>();
  #closed = false;

  constructor(private readonly sm: Sm) {
    this.metrics = new SqlMetricStore(sm.deps.state.db, randomUUID());
    this.baselines = new LiveBaselineSync(sm, () => this.core);
  }

  /** Registers the schedule job (`sagemaker-monitoring`) on the server's runner. */
  registerJobs(jobs: JobRunner, accountIds: string[]): void {
    jobs.every('sagemaker-monitoring', TICK_MS, (now) => this.tick(now, accountIds));
  }

  /** Starts a processing job's run in the background (no-op if it is already running here or we are closing). */
  start(account: string, region: string, name: string): void {
    const key = `${account}/${recordId(region, name)}`;
    if (this.#closed || this.#runs.has(key)) return;
    const ctl = new AbortController();
    const done = this.#run(account, region, name, ctl)
      .catch((err: unknown) => this.sm.deps.log.error({ err, job: name }, 'processing job bookkeeping failed'))
      .finally(() => this.#runs.delete(key));
    this.#runs.set(key, { ctl, done });
  }

  /** Signals a run on this replica to stop (others notice the StopRequested flag). */
  stop(account: string, region: string, name: string): void {
    this.#runs.get(`${account}/${recordId(region, name)}`)?.ctl.abort(new JobStopped('stopped'));
  }

  /** Resolves when no run is in progress on this replica. */
  async idle(): Promise<void> {
    while (this.#runs.size) await Promise.all([...this.#runs.values()].map((r) => r.done));
  }

  /** No new runs start; runs under way finish. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
    await this.baselines.close();
  }

  /** Claims and starts every due run of every schedule of these accounts (all regions). */
  async tick(now: Date, accountIds: string[]): Promise<void> {
    if (this.#closed) return;
    for (const account of accountIds) {
      for (const s of await listAll<ScheduleDoc>(this.sm, account, SCHEDULE)) {
        try {
          await this.#tickSchedule(account, s, now);
        } catch (err) {
          this.sm.deps.log.warn({ err, schedule: s.MonitoringScheduleName }, 'could not run a monitoring schedule');
        }
      }
    }
  }

  async #tickSchedule(account: string, s: ScheduleDoc, now: Date): Promise<void> {
    if (s.MonitoringScheduleStatus !== 'Scheduled') return;
    const region = s.MonitoringScheduleArn.split(':')[3];
    const cfg = s.MonitoringScheduleConfig;
    const windowCfg = windowConfigOf(s, await specOf(this.sm, account, region, cfg));
    const schedule = parseScheduleExpression(windowCfg.ScheduleExpression);
    const from = new Date(Math.max(Date.parse(s.ConsideredUntil), now.getTime() - CATCH_UP_MS));
    // NOW runs once, at its creation; cron schedules run at each scheduled hour since the last tick.
    const due = schedule.kind === 'now'
      ? (s.LastExecutionJobName ? [] : [new Date(s.CreationTime)])
      : runsBetween(schedule, from, now);
    for (const at of due) await this.#claim(account, region, s, at, windowCfg);
    await this.sm.tx(async () => {
      const rec = await this.sm.res.getForUpdate<ScheduleDoc>(account, SAGEMAKER, SCHEDULE, recordId(region, s.MonitoringScheduleName));
      if (!rec || rec.doc.ExecutionsKey !== s.ExecutionsKey || Date.parse(rec.doc.ConsideredUntil) >= now.getTime()) return;
      await this.sm.res.update(account, SAGEMAKER, SCHEDULE, rec.id, { ...rec.doc, ConsideredUntil: now.toISOString() });
    });
  }

  async #claim(account: string, region: string, s: ScheduleDoc, at: Date, windowCfg: WindowConfig): Promise<void> {
    const spec = await specOf(this.sm, account, region, s.MonitoringScheduleConfig);
    const job = await executionJob(this.sm, account, region, s, spec, at, analysisWindow(windowCfg, at));
    const claimed = await this.sm.tx(async () => {
      if (!(await this.sm.res.create(account, SAGEMAKER, PROCESSING_JOB, recordId(region, job.ProcessingJobName), job, s.ExecutionsKey))) return false;
      const rec = await this.sm.res.getForUpdate<ScheduleDoc>(account, SAGEMAKER, SCHEDULE, recordId(region, s.MonitoringScheduleName));
      if (rec && rec.doc.ExecutionsKey === s.ExecutionsKey) {
        await this.sm.res.update(account, SAGEMAKER, SCHEDULE, rec.id, { ...rec.doc, LastExecutionJobName: job.ProcessingJobName });
      }
      return true;
    });
    if (claimed) this.start(account, region, job.ProcessingJobName);
  }

  async #run(account: string, region: string, name: string, ctl: AbortController): Promise<void> {
    const job = await getJob(this.sm, account, region, name);
    if (job?.ProcessingJobStatus === 'Stopping') await this.#finish(account, region, name, { error: new JobStopped('stopped') });
    if (!job || job.ProcessingJobStatus !== 'InProgress') return;
    const started = await changeJob(this.sm, account, region, name, (d) => {
      d.ProcessingStartTime ??= this.sm.now().toISOString();
      if (d.Execution) d.Execution.Status = 'InProgress';
      return d;
    });
    const limit = (job.StoppingCondition?.MaxRuntimeInSeconds ?? 86_400) * 1000;
    const timer = setTimeout(() => ctl.abort(new JobFailure(
      `MaxRuntimeExceeded: the job ran longer than MaxRuntimeInSeconds (${limit / 1000}).`)), limit);
    const poll = setInterval(() => void getJob(this.sm, account, region, name).then((d) => {
      if (d?.StopRequested) ctl.abort(new JobStopped('stopped'));
    }, () => undefined), STOP_POLL_MS);
    timer.unref();
    poll.unref();
    try {
      const result = await runAnalyzer({ sm: this.sm, core: this.core, metrics: this.metrics, scriptLimits: this.scriptLimits,
        resolveCapture: (j) => this.#resolveCapture(account, region, j) }, account, region, started ?? job, ctl.signal);
      await this.#finish(account, region, name, { violations: result.violations, logs: result.logs, source: result.source });
    } catch (err) {
      const reason = ctl.signal.aborted && ctl.signal.reason instanceof Error ? ctl.signal.reason : err;
      await this.#finish(account, region, name, { error: reason });
    } finally {
      clearTimeout(timer);
      clearInterval(poll);
    }
  }

  async #resolveCapture(account: string, region: string, job: ProcessingJobDoc): Promise<ProcessingJobDoc> {
    const principal = await this.sm.serving.roles.principalFor(job.RoleArn, account, region);
    const s3 = new RoleS3(this.sm, principal, region);
    const inputs = job.Execution?.Batch ? await batchInputs(s3, job) : await captureInputs(this.sm, s3, account, region, job);
    if (inputs.length === 0) throw new JobFailure('Job inputs had no data');
    const next = await changeJob(this.sm, account, region, job.ProcessingJobName, (d) => ({ ...d, ProcessingInputs: [...inputs, ...(d.ProcessingInputs ?? [])] }));
    return next ?? job;
  }

  async #finish(account: string, region: string, name: string, r: { violations?: number; logs?: string[]; source?: string; error?: unknown }): Promise<void> {
    const now = this.sm.now().toISOString();
    await changeJob(this.sm, account, region, name, (d) => {
      if (d.ProcessingJobStatus !== 'InProgress' && d.ProcessingJobStatus !== 'Stopping') return undefined;
      d.ProcessingEndTime = now;
      d.ProcessingStartTime ??= now;
      const e = r.error;
      if (e instanceof JobStopped || (e === undefined && d.StopRequested)) {
        d.ProcessingJobStatus = 'Stopped';
        if (d.Execution) d.Execution.Status = 'Stopped';
      } else if (e !== undefined) {
        const { reason, exit } = failureOf(e);
        d.ProcessingJobStatus = 'Failed';
        d.FailureReason = reason;
        d.ExitMessage = exit;
        if (d.Execution) {
          d.Execution.Status = 'Failed';
          d.Execution.FailureReason = reason;
        }
        if (!(e instanceof JobFailure || e instanceof ScriptError || e instanceof ContractError)) {
          this.sm.deps.log.warn({ err: e, job: name }, 'processing job failed');
        }
      } else {
        d.ProcessingJobStatus = 'Completed';
        d.ExitMessage = r.logs?.length ? r.logs.join('\n').slice(0, 1024) : 'Completed: Job completed successfully with no violations.';
        if (r.violations) d.ExitMessage = `CompletedWithViolations: Job completed successfully with ${r.violations} violations.`;
        // Which data the execution read (stored profiles or a rescan of the captures): see docs/near-real-time-drift.md.
        if (r.source) d.ExitMessage = `${d.ExitMessage}\n${r.source}`.slice(0, 1024);
        if (d.Execution) d.Execution.Status = r.violations ? 'CompletedWithViolations' : 'Completed';
      }
      return d;
    });
  }
}

/** FailureReason (≤1024 characters, AWS's limit) and ExitMessage of a failed run. */
function failureOf(e: unknown): { reason: string; exit: string } {
  const msg = messageOf(e);
  const reason = e instanceof JobFailure ? msg : `AlgorithmError: ${msg}`;
  const exit = e instanceof JobFailure && e.exitMessage ? e.exitMessage : msg;
  return { reason: reason.slice(0, 1024), exit: exit.slice(0, 1024) };
}

type Offsets = { StartTimeOffset?: string; EndTimeOffset?: string };

/** The schedule's window settings: ScheduleConfig (with the offsets model.ts adds) and the endpoint or batch input's offsets. */
export function windowConfigOf(s: ScheduleDoc, spec: { EndpointInput?: Offsets; BatchTransformInput?: Offsets }): WindowConfig {
  const sc = s.MonitoringScheduleConfig.ScheduleConfig as WindowConfig | undefined;
  const input = spec.EndpointInput ?? spec.BatchTransformInput;
  return {
    ScheduleExpression: sc?.ScheduleExpression ?? 'cron(0 * ? * * *)',
    DataAnalysisStartTime: sc?.DataAnalysisStartTime,
    DataAnalysisEndTime: sc?.DataAnalysisEndTime,
    StartTimeOffset: input?.StartTimeOffset,
    EndTimeOffset: input?.EndTimeOffset,
  };
}
