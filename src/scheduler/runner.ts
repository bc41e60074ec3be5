import type { Logger } from 'pino';
import type { Clock } from '../server/deps.js';

/** A periodic job: `fn` receives the injected clock's time, so tests can run days of schedule in milliseconds. */
export type JobFn = (now: Date) => Promise<void>;

interface Job {
  name: string;
  intervalMs: number;
  fn: JobFn;
  /** The run in progress, if any: a job never overlaps itself. */
  running?: Promise<void>;
  timer?: NodeJS.Timeout;
}

/**
 * A tiny in-process job runner. Timers use real time (they only pace the checks); what is due is always
 * decided by the jobs against the injected clock, so `runDue()` after advancing a test clock does in one call
 * what the timers would do over days. Errors are logged and the job runs again at its next tick.
 */
export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  private started = false;
  private stopped = false;

  constructor(private readonly clock: Clock, private readonly log: Logger) {}

  every(name: string, intervalMs: number, fn: JobFn): void {
    if (this.jobs.has(name)) throw new Error(`job ${name} is already registered`);
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new Error(`job ${name}: interval must be positive`);
    const job: Job = { name, intervalMs, fn };
    this.jobs.set(name, job);
    if (this.started && !this.stopped) this.schedule(job);
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    for (const job of this.jobs.values()) this.schedule(job);
  }

  /** Stops the timers and waits for runs in progress; later ticks and runDue() calls do nothing. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const job of this.jobs.values()) {
      if (job.timer) clearTimeout(job.timer);
      job.timer = undefined;
    }
    await Promise.all([...this.jobs.values()].map((j) => j.running));
  }

  /** Runs every job once now, in registration order (a job already running is awaited, not started twice). */
  async runDue(): Promise<void> {
    for (const job of this.jobs.values()) await this.run(job);
  }

  private schedule(job: Job): void {
    job.timer = setTimeout(() => {
      job.timer = undefined;
      void this.run(job).finally(() => {
        if (!this.stopped) this.schedule(job);
      });
    }, job.intervalMs);
    // Pending job timers must not keep the process alive on shutdown.
    job.timer.unref();
  }

  private run(job: Job): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (job.running) return job.running;
    const started = Date.now();
    job.running = (async () => {
      try {
        await job.fn(this.clock.now());
      } catch (err) {
        this.log.error({ err, job: job.name }, 'scheduled job failed');
      } finally {
        job.running = undefined;
        this.log.debug({ job: job.name, ms: Date.now() - started }, 'scheduled job ran');
      }
    })();
    return job.running;
  }
}
