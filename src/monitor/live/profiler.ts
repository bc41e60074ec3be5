import type { Logger } from 'pino';
import type { InvokeRequest, LiveEndpoint, LiveVariant } from '../../inference/types.js';
import type { MetricPoint, MetricStore } from '../../metrics/types.js';
import type { Clock } from '../../server/deps.js';
import type { Constraints } from '../constraints.js';
import { MAX_DATASET_FEATURES } from '../profile-limits.js';
import type { Statistics } from '../schema.js';
import { prepareBaseline, type PreparedBaseline } from './drift.js';
import { requestRows } from './parse.js';
import { driftPoints } from './publish.js';
import { addCapped, VariantSeries } from './series.js';
import { MINUTE_MS, type MergedProfile, type ProfilePartial, type SqlProfileStore } from './store.js';

export const DEFAULT_WINDOW_MINUTES = 15;
export const DEFAULT_RETENTION_DAYS = 15;
export const DEFAULT_MAX_FEATURES = 1000;
/**
 * Bodies larger than this are not profiled (counted as unparsed): record() runs on the InvokeEndpoint path, which
 * accepts up to 16 MiB, and decoding such a body there would cost more than the request's inference.
 */
export const MAX_PROFILED_BODY_BYTES = 1 << 20;
/** A variant without traffic for a day stops getting idle markers and leaves memory. */
const IDLE_MS = 24 * 3_600_000;
/** Partials kept for a retry while the database is unreachable (about an hour of 150 busy variants). */
const MAX_RETRY_PARTIALS = 10_000;
const HOUSEKEEPING_EVERY_MS = 3_600_000;
/**
 * Minutes stay minutes this long before being rolled up into hours: past the rolling window and the hourly
 * execution of the previous hour, with room for a late one.
 */
const MINUTES_KEPT_MS = 3 * 3_600_000;
/** After a minute boundary, so the minute's last requests are in before it is written. */
const BOUNDARY_SLACK_MS = 250;

export type ProfileStore = Pick<SqlProfileStore, 'insert' | 'partials' | 'merged' | 'deleteBefore' | 'rollUp'>;

export interface LiveProfilerOptions {
  store: ProfileStore;
  metricStore: MetricStore;
  clock: Clock;
  log: Logger;
  /** Rolling drift window (default 15 minutes); a 1-minute window is published beside it. */
  windowMinutes?: number;
  /** Profiles older than this are deleted (default 15 days). */
  retentionDays?: number;
  /** Features profiled per variant and minute (default 1000, at most MAX_DATASET_FEATURES); further keys are dropped and counted. */
  maxFeatures?: number;
  /** Tests drive tick() themselves (default true). */
  timer?: boolean;
}

export interface LiveProfilerStats {
  rows: number;
  /** Requests whose body the capture reader could not decode, or larger than MAX_PROFILED_BODY_BYTES (not profiled). */
  unparsed: number;
  droppedFeatures: number;
  pendingPartials: number;
}

const keyOf = (accountId: string, region: string, endpoint: string): string => `${accountId}\n${region}\n${endpoint}`;

/**
 * Near-real-time drift (docs/near-real-time-drift.md). record() runs on the InvokeEndpoint path and only touches
 * memory: it decodes the request as the capture reader would and adds its rows to the variant's profile of the
 * current minute (constant size per feature: KLL sketch, bounded histogram). Once a minute, tick() writes the
 * minutes that ended to the state database (one partial per writer; readers merge) and publishes the rolling
 * per-feature drift of every endpoint with a baseline to the metric store.
 */
export class LiveProfiler {
  readonly #o: Required<Omit<LiveProfilerOptions, 'timer'>>;
  readonly #series = new Map<string, VariantSeries>();
  /** LiveVariant objects live as long as their deployment: a weak cache spares the string key per request. */
  readonly #byVariant = new WeakMap<LiveVariant, { ep: LiveEndpoint; series: VariantSeries }>();
  readonly #baselines = new Map<string, { accountId: string; region: string; endpoint: string; prepared: PreparedBaseline }>();
  #retry: ProfilePartial[] = [];
  #ticking: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #lastDriftMinute = 0;
  #lastHousekeeping = 0;
  readonly #stats = { rows: 0, unparsed: 0, droppedFeatures: 0 };

  constructor(opts: LiveProfilerOptions) {
    this.#o = {
      store: opts.store, metricStore: opts.metricStore, clock: opts.clock, log: opts.log,
      windowMinutes: opts.windowMinutes ?? DEFAULT_WINDOW_MINUTES,
      retentionDays: opts.retentionDays ?? DEFAULT_RETENTION_DAYS,
      // A profile refuses features past MAX_DATASET_FEATURES: the per-minute cap stays below.
      maxFeatures: Math.min(opts.maxFeatures ?? DEFAULT_MAX_FEATURES, MAX_DATASET_FEATURES),
    };
    if (!(this.#o.windowMinutes >= 1 && Number.isSafeInteger(this.#o.windowMinutes))) throw new RangeError('windowMinutes must be a positive integer');
    if (opts.timer ?? true) this.#schedule();
  }

  /**
   * Synchronous, no I/O, never throws into the request path. Profiles every request of an endpoint whose data
   * capture is enabled with input capture on, whatever the sampling percentage.
   */
  record(ep: LiveEndpoint, variant: LiveVariant, req: InvokeRequest, at: Date): void {
    const cap = ep.capture;
    if (cap === undefined || !cap.enabled || !cap.captureInput || this.#closed) return;
    try {
      if (req.body.length > MAX_PROFILED_BODY_BYTES) {
        this.#stats.unparsed++;
        return;
      }
      let rows;
      try {
        rows = requestRows(cap, req);
      } catch {
        this.#stats.unparsed++;
        return;
      }
      const minute = at.getTime() - (at.getTime() % MINUTE_MS);
      const profile = this.#seriesOf(ep, variant, minute).profileFor(minute);
      const max = this.#o.maxFeatures;
      for (let i = 0; i < rows.length; i++) this.#stats.droppedFeatures += addCapped(profile, rows[i], max);
      this.#stats.rows += rows.length;
    } catch (err) {
      this.#o.log.warn({ err }, 'could not profile a request for drift');
    }
  }

  /** Compare the endpoint's traffic with this baseline from now on (a monitoring schedule was created/started). */
  setBaseline(accountId: string, region: string, endpoint: string, statistics: Statistics, constraints?: Constraints, opts: { outputFirst?: boolean } = {}): void {
    const prepared = prepareBaseline({ statistics, constraints, outputFirst: opts.outputFirst });
    this.#baselines.set(keyOf(accountId, region, endpoint), { accountId, region, endpoint, prepared });
  }

  clearBaseline(accountId: string, region: string, endpoint: string): void {
    this.#baselines.delete(keyOf(accountId, region, endpoint));
  }

  /** Merged per-minute profiles of [start, end), for hourly executions (undefined: none; rescan captures). */
  mergedProfile(accountId: string, region: string, endpoint: string, variant: string | undefined, start: Date, end: Date): Promise<MergedProfile | undefined> {
    return this.#o.store.merged(accountId, region, endpoint, variant, start, end);
  }

  stats(): LiveProfilerStats {
    return { ...this.#stats, pendingPartials: this.#retry.length };
  }

  /** Writes ended minutes, then publishes drift for the minute that ended; serialised. The timer calls it. */
  tick(): Promise<void> {
    return this.#enqueue(false);
  }

  /** Stops the timer and writes everything, the open minute included. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#enqueue(true);
  }

  /** One tick at a time; a failed one is logged and does not stop the next. */
  #enqueue(final: boolean): Promise<void> {
    this.#ticking = this.#ticking.then(() => this.#tickOnce(final)).catch((err: unknown) => {
      this.#o.log.warn({ err }, 'drift profiler tick failed');
    });
    return this.#ticking;
  }

  #seriesOf(ep: LiveEndpoint, variant: LiveVariant, minute: number): VariantSeries {
    const cached = this.#byVariant.get(variant);
    if (cached !== undefined && cached.ep === ep && !cached.series.removed) return cached.series;
    const key = `${keyOf(ep.accountId, ep.region, ep.name)}\n${variant.name}`;
    let s = this.#series.get(key);
    if (s === undefined) {
      s = new VariantSeries({ accountId: ep.accountId, region: ep.region, endpoint: ep.name, variant: variant.name }, minute);
      this.#series.set(key, s);
    }
    this.#byVariant.set(variant, { ep, series: s });
    return s;
  }

  #schedule(): void {
    if (this.#closed) return;
    const now = this.#o.clock.now().getTime();
    const delay = Math.min(MINUTE_MS, MINUTE_MS - (now % MINUTE_MS)) + BOUNDARY_SLACK_MS;
    this.#timer = setTimeout(() => void this.tick().finally(() => this.#schedule()), delay);
    this.#timer.unref();
  }

  async #tickOnce(final: boolean): Promise<void> {
    const now = this.#o.clock.now().getTime();
    const minute = now - (now % MINUTE_MS);
    await this.#flush(minute, final);
    if (!final && minute > this.#lastDriftMinute) {
      this.#lastDriftMinute = minute;
      await this.#publishDrift(minute);
    }
    if (!final && now - this.#lastHousekeeping >= HOUSEKEEPING_EVERY_MS) {
      this.#lastHousekeeping = now;
      await this.#housekeeping(minute);
    }
  }

  async #housekeeping(minute: number): Promise<void> {
    try {
      await this.#o.store.rollUp(new Date(minute - MINUTES_KEPT_MS));
      await this.#o.store.deleteBefore(new Date(minute - this.#o.retentionDays * 86_400_000));
    } catch (err) {
      this.#o.log.warn({ err }, 'could not roll up or expire drift profiles');
    }
  }

  async #flush(minute: number, final: boolean): Promise<void> {
    const partials = this.#retry;
    this.#retry = [];
    for (const [key, s] of this.#series) {
      partials.push(...s.drain(minute, final));
      if (minute - s.lastSeen > IDLE_MS && s.current === undefined) {
        s.removed = true;
        this.#series.delete(key);
      }
    }
    if (partials.length === 0) return;
    try {
      await this.#o.store.insert(partials);
    } catch (err) {
      // Ticks are serialised, so nothing refilled #retry meanwhile; the oldest go first when over the bound.
      this.#retry = partials.length > MAX_RETRY_PARTIALS ? partials.slice(-MAX_RETRY_PARTIALS) : partials;
      this.#o.log.warn({ err, partials: partials.length, kept: this.#retry.length }, 'could not write drift profiles; will retry');
    }
  }

  async #publishDrift(minute: number): Promise<void> {
    const points: MetricPoint[] = [];
    const start = new Date(minute - this.#o.windowMinutes * MINUTE_MS);
    for (const b of this.#baselines.values()) {
      try {
        const parts = await this.#o.store.partials(b.accountId, b.region, b.endpoint, undefined, start, new Date(minute));
        points.push(...driftPoints(b, parts, minute, this.#o.windowMinutes));
      } catch (err) {
        this.#o.log.warn({ err, endpoint: b.endpoint }, 'could not compute rolling drift');
      }
    }
    if (points.length === 0) return;
    // Not retried: the next minute publishes fresher values.
    await this.#o.metricStore.insert(points).catch((err: unknown) => this.#o.log.warn({ err }, 'could not publish rolling drift metrics'));
  }
}
