/**
 * Model Monitor's engine in one service instance: runs processing jobs in the background (tracked, so shutdown
 * waits for them), stops them, and turns schedules into executions on the injected clock. With several replicas on
 * one database each (schedule, scheduled time) runs once: the execution's processing-job record has a name derived
 * from both, and only the replica whose insert succeeds runs it.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
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
import { activeJobs, changeJob, getJob, insertJob, jobRegion, listAll, scanActiveJobs } from './jobs.js';
import { LiveBaselineSync } from './live-baselines.js';
import { JobFailure, JobStopped, runAnalyzer } from './run.js';
import { RoleS3 } from './s3.js';
import { parseScheduleExpression, runsBetween } from './schedule-expression.js';
import { DEFAULT_SCRIPT_LIMITS, ScriptError, type ScriptLimits } from './scripts.js';
import { SCHEDULE, type ProcessingJobDoc, type ScheduleDoc } from './store.js';
import { analysisWindow, type WindowConfig } from './windows.js';

/** How often the scheduler looks for due runs (real time; what is due is decided on the injected clock). */
const TICK_MS = 60_000;
/** Missed runs older than this are not caught up (a server that was down for days runs the recent ones only). */
const CATCH_UP_MS = 24 * 3_600_000;
/** How often a run checks the database for a StopProcessingJob made on another replica. */
const STOP_POLL_MS = 1_000;
/** How often a replica marks the jobs it runs or queues alive (real time), and looks for jobs nobody marks. */
const HEARTBEAT_MS = 15_000;
/**
 * A job whose heartbeat this replica has seen unchanged for this long (by its own monotonic clock, so clock skew
 * between machines and the injected clock do not matter) was left by a replica that stopped: it ends Failed.
 */
export const ORPHAN_AFTER_MS = 120_000;

interface Run { ctl: AbortController; done: Promise<void> }

/** A run's key in `#runs`: account, region and (lowercased) job name, joined by '/' (liveness splits it back). */
const runKey = (account: string, region: string, name: string): string => `${account}/${recordId(region, name)}`;

/** FailureReason of the runs a closing server ends. */
export const SHUTDOWN_REASON = 'the server shut down';

/** Runs executing at once on one replica: one per CPU (at least one); the rest wait their turn. */
export const DEFAULT_MAX_CONCURRENT_RUNS = Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
/** CreateProcessingJob answers ResourceLimitExceeded when the account already has this many jobs InProgress. */
export const DEFAULT_MAX_IN_PROGRESS_JOBS = 100;

export class Monitoring {
  /** The Model Monitor core; tests substitute their own. */
  core: MonitorCore = monitorCore;
  scriptLimits: ScriptLimits = DEFAULT_SCRIPT_LIMITS;
  /** At most this many runs execute at once here; others wait (InProgress, their execution Pending) for a slot. */
  maxConcurrentRuns = DEFAULT_MAX_CONCURRENT_RUNS;
  /** Per account: CreateProcessingJob is refused (ResourceLimitExceeded) with this many jobs InProgress. */
  maxInProgressJobs = DEFAULT_MAX_IN_PROGRESS_JOBS;
  readonly metrics: MetricStore;
  /** The near-real-time profiler's baselines, following the schedules. */
  readonly baselines: LiveBaselineSync;
  readonly #runs = new Map<string, Run>();
  /** Who writes this replica's heartbeats, and how many it has written. */
  readonly #replica = randomUUID();
  #beats = 0;
  /** Other replicas' jobs: the heartbeat last seen and since when (monotonic ms). */
  readonly #seen = new Map<string, { beat: string; since: number }>();
  /** Monotonic time for liveness; tests substitute their own. */
  monotonicNow: () => number = () => performance.now();
  #closed = false;
  #active = 0;
  /** Runs waiting for a slot: called with true when handed one, false when they gave up (aborted). */
  readonly #waiting: ((slot: boolean) => void)[] = [];

  constructor(private readonly sm: Sm) {
    this.metrics = new SqlMetricStore(sm.deps.state.db, randomUUID());
    this.baselines = new LiveBaselineSync(sm, () => this.core);
  }

  /** Registers the schedule job (`sagemaker-monitoring`) on the server's runner. */
  registerJobs(jobs: JobRunner, accountIds: string[]): void {
    jobs.every('sagemaker-monitoring', TICK_MS, (now) => this.tick(now, accountIds));
    jobs.every('sagemaker-monitoring-liveness', HEARTBEAT_MS, () => this.liveness(accountIds));
  }

  /**
   * Marks this replica's runs alive, then (PostgreSQL, several replicas) ends the jobs no replica has marked for
   * ORPHAN_AFTER_MS: their replica crashed, and without this they would stay InProgress until a restart found them
   * past their MaxRuntimeInSeconds. On SQLite there is one process, and restore() settles what a crash left.
   */
  async liveness(accountIds: string[]): Promise<void> {
    if (this.#closed) return;
    const beat = `${this.#replica}:${++this.#beats}`;
    for (const key of [...this.#runs.keys()]) {
      const [account, region, name] = key.split('/');
      await changeJob(this.sm, account, region, name, (d) => {
        if (d.ProcessingJobStatus !== 'InProgress' && d.ProcessingJobStatus !== 'Stopping') return undefined;
        d.Heartbeat = beat;
        return d;
      }, { bookkeeping: true }).catch((err: unknown) => this.sm.deps.log.warn({ err, job: name }, 'could not mark a processing job alive'));
    }
    if (this.sm.deps.state.db.dialect === 'sqlite') return;
    const now = this.monotonicNow();
    const present = new Set<string>();
    for (const account of accountIds) {
      for (const j of await activeJobs(this.sm, account)) {
        const region = jobRegion(j);
        const key = runKey(account, region, j.ProcessingJobName);
        if (this.#runs.has(key)) continue;
        // Jobs stored without a heartbeat come from an older version of Vigil (a rolling upgrade): restore() ends
        // those past their MaxRuntimeInSeconds, as it always did.
        if (j.Heartbeat === undefined) continue;
        present.add(key);
        const seen = this.#seen.get(key);
        if (!seen || seen.beat !== j.Heartbeat) {
          this.#seen.set(key, { beat: j.Heartbeat, since: now });
        } else if (now - seen.since >= ORPHAN_AFTER_MS) {
          const silent = Math.round((now - seen.since) / 1000);
          await this.#abandon(account, region, j.ProcessingJobName,
            `no replica has run the job for ${silent} seconds (the server running it stopped)`, j.Heartbeat);
          this.#seen.delete(key);
        }
      }
    }
    for (const key of this.#seen.keys()) if (!present.has(key)) this.#seen.delete(key);
  }

  /** The heartbeat a job gets when it is stored: a job created by this version always carries one. */
  firstHeartbeat(): string {
    return `${this.#replica}:0`;
  }

  /** Starts a processing job's run in the background (no-op if it is already running here or we are closing). */
  start(account: string, region: string, name: string): void {
    const key = runKey(account, region, name);
    if (this.#closed || this.#runs.has(key)) return;
    const ctl = new AbortController();
    const done = this.#run(account, region, name, ctl)
      .catch((err: unknown) => this.sm.deps.log.error({ err, job: name }, 'processing job bookkeeping failed'))
      .finally(() => this.#runs.delete(key));
    this.#runs.set(key, { ctl, done });
  }

  /** Signals a run on this replica to stop (others notice the StopRequested flag). */
  stop(account: string, region: string, name: string): void {
    this.#runs.get(runKey(account, region, name))?.ctl.abort(new JobStopped('stopped'));
  }

  /** Resolves when no run is in progress on this replica. */
  async idle(): Promise<void> {
    while (this.#runs.size) await Promise.all([...this.#runs.values()].map((r) => r.done));
  }

  /**
   * No new runs start; runs under way (and queued ones) end Failed with "the server shut down" without waiting for
   * their analysis (a job may have a MaxRuntimeInSeconds of a day).
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const r of this.#runs.values()) r.ctl.abort(new JobFailure(SHUTDOWN_REASON));
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
    const job = { ...await executionJob(this.sm, account, region, s, spec, at, analysisWindow(windowCfg, at)), Heartbeat: this.firstHeartbeat() };
    const claimed = await this.sm.tx(async () => {
      if (!(await insertJob(this.sm, account, region, job, s.ExecutionsKey))) return false;
      const rec = await this.sm.res.getForUpdate<ScheduleDoc>(account, SAGEMAKER, SCHEDULE, recordId(region, s.MonitoringScheduleName));
      if (rec && rec.doc.ExecutionsKey === s.ExecutionsKey) {
        await this.sm.res.update(account, SAGEMAKER, SCHEDULE, rec.id, { ...rec.doc, LastExecutionJobName: job.ProcessingJobName });
      }
      return true;
    });
    if (claimed) this.start(account, region, job.ProcessingJobName);
  }

  /** Takes a run slot, waiting for one if all are busy; false (no slot held) when the run is aborted while waiting. */
  async #acquire(signal: AbortSignal): Promise<boolean> {
    if (this.#active < Math.max(1, this.maxConcurrentRuns)) {
      this.#active++;
      return true;
    }
    if (signal.aborted) return false;
    return new Promise<boolean>((resolve) => {
      const wake = (slot: boolean): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(slot);
      };
      const onAbort = (): void => {
        const k = this.#waiting.indexOf(wake);
        if (k >= 0) this.#waiting.splice(k, 1);
        resolve(false);
      };
      this.#waiting.push(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands the slot to the next waiting run, or frees it. */
  #release(): void {
    const next = this.#waiting.shift();
    if (next) next(true);
    else this.#active--;
  }

  async #run(account: string, region: string, name: string, ctl: AbortController): Promise<void> {
    // Queued runs stay InProgress (an execution stays Pending) until a slot frees; a stop while queued ends them at once.
    const slot = await this.#acquire(ctl.signal);
    // An aborted run's record ends at once; its analysis may still be finishing, and keeps the slot until it does.
    let analysis: Promise<unknown> | undefined;
    try {
      await this.#runNow(account, region, name, ctl, (p) => { analysis = p; });
    } finally {
      if (slot) {
        if (analysis) void analysis.then(() => this.#release(), () => this.#release());
        else this.#release();
      }
    }
  }

  async #runNow(account: string, region: string, name: string, ctl: AbortController, track: (analysis: Promise<unknown>) => void): Promise<void> {
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
      // Ended by another replica (it took this one for dead): stop working on a result nobody will record.
      else if (d && d.ProcessingJobStatus !== 'InProgress' && d.ProcessingJobStatus !== 'Stopping') ctl.abort(new JobFailure(d.FailureReason ?? 'ended elsewhere'));
    }, () => undefined), STOP_POLL_MS);
    timer.unref();
    poll.unref();
    try {
      const analysis = runAnalyzer({ sm: this.sm, core: this.core, metrics: this.metrics, scriptLimits: this.scriptLimits,
        resolveCapture: (j) => this.#resolveCapture(account, region, j),
        checkCaptureAccess: async (j) => {
          const principal = await this.sm.serving.roles.principalFor(j.RoleArn, account, region);
          await captureInputs(this.sm, new RoleS3(this.sm, principal, region), account, region, j);
        } }, account, region, started ?? job, ctl.signal);
      track(analysis);
      // Stopped, timed out or shut down: the record ends now, even if the analysis is stuck in one long step.
      const aborted = new Promise<never>((_resolve, reject) => {
        const fail = (): void => reject(ctl.signal.reason instanceof Error ? ctl.signal.reason : new JobStopped('stopped'));
        if (ctl.signal.aborted) fail();
        else ctl.signal.addEventListener('abort', fail, { once: true });
      });
      aborted.catch(() => undefined);
      const result = await Promise.race([analysis, aborted]);
      await this.#finish(account, region, name, { violations: result.violations, logs: result.logs, source: result.source });
    } catch (err) {
      const reason = ctl.signal.aborted && ctl.signal.reason instanceof Error ? ctl.signal.reason : err;
      await this.#finish(account, region, name, { error: reason });
    } finally {
      clearTimeout(timer);
      clearInterval(poll);
    }
  }

  /**
   * At start: jobs a previous process left InProgress or Stopping end Stopped (a stop was asked) or Failed. On SQLite
   * (one process) every such job was this server's; on PostgreSQL another replica may be running it, so only jobs
   * older than their MaxRuntimeInSeconds are ended. Never throws.
   */
  async restore(accountIds: string[]): Promise<void> {
    const single = this.sm.deps.state.db.dialect === 'sqlite';
    for (const account of accountIds) {
      try {
        for (const j of await scanActiveJobs(this.sm, account)) {
          const region = jobRegion(j);
          if (this.#runs.has(runKey(account, region, j.ProcessingJobName))) continue;
          const limit = j.StoppingCondition?.MaxRuntimeInSeconds ?? 86_400;
          if (!single && this.sm.now().getTime() - Date.parse(j.ProcessingStartTime ?? j.CreationTime) <= limit * 1000) continue;
          const reason = single
            ? 'the server restarted while the job was running (Vigil does not resume processing jobs)'
            : `the job did not finish within MaxRuntimeInSeconds (${limit}) on any replica (its server stopped)`;
          await this.#abandon(account, region, j.ProcessingJobName, reason);
        }
      } catch (err) {
        this.sm.deps.log.warn({ err, account }, 'sagemaker: could not end processing jobs left running by a previous process');
      }
    }
  }

  /** `ifHeartbeat`: only if the job still carries the heartbeat the caller saw (its owner may have just written one). */
  async #abandon(account: string, region: string, name: string, reason: string, ifHeartbeat?: string): Promise<void> {
    const now = this.sm.now().toISOString();
    await changeJob(this.sm, account, region, name, (d) => {
      if (d.ProcessingJobStatus !== 'InProgress' && d.ProcessingJobStatus !== 'Stopping') return undefined;
      if (ifHeartbeat !== undefined && d.Heartbeat !== ifHeartbeat) return undefined;
      d.ProcessingEndTime = now;
      d.ProcessingStartTime ??= now;
      if (d.ProcessingJobStatus === 'Stopping' || d.StopRequested) markStopped(d, `Stopped: ${reason}.`);
      else markFailed(d, reason, reason);
      return d;
    });
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
        markStopped(d);
      } else if (e !== undefined) {
        const { reason, exit } = failureOf(e);
        markFailed(d, reason, exit);
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

/** A job (and its monitoring execution, if it is one) ends Stopped. */
function markStopped(d: ProcessingJobDoc, exitMessage?: string): void {
  d.ProcessingJobStatus = 'Stopped';
  if (exitMessage !== undefined) d.ExitMessage = exitMessage;
  if (d.Execution) d.Execution.Status = 'Stopped';
}

/** A job (and its monitoring execution, if it is one) ends Failed with the reason. */
function markFailed(d: ProcessingJobDoc, reason: string, exitMessage: string): void {
  d.ProcessingJobStatus = 'Failed';
  d.FailureReason = reason;
  d.ExitMessage = exitMessage;
  if (d.Execution) {
    d.Execution.Status = 'Failed';
    d.Execution.FailureReason = reason;
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
