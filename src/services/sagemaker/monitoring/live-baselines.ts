/**
 * Keeps the near-real-time profiler's baselines (Serving.live) in step with the DataQuality schedules: an endpoint
 * with a Scheduled schedule is compared with that schedule's baseline every minute (FeatureDrift in
 * Vigil/ModelMonitor), one without has no baseline. The profiler keeps baselines in memory only, so every replica
 * sets them at start-up (restore) and on each schedule change notification (SCHEDULE_TOPIC, from any replica).
 */
import { MISSED_CHANGES } from '../../../state/changes.js';
import { messageOf } from '../artifacts.js';
import type { Sm } from '../context.js';
import { KeyedQueue } from '../keyed-queue.js';
import type { MonitorCore } from './analyzer.js';
import { specOf } from './definitions.js';
import { baselineUris, capturesOutput } from './executions.js';
import { listAll } from './jobs.js';
import { parseS3Uri, RoleS3 } from './s3.js';
import { SCHEDULE, type ScheduleDoc } from './store.js';

/** Payload `account/region/endpoint`: the endpoint whose schedules changed. */
export const SCHEDULE_TOPIC = 'sagemaker.monitoring-schedule';

export class LiveBaselineSync {
  readonly #queue = new KeyedQueue();
  readonly #accounts = new Set<string>();
  /** Endpoints given a baseline here: after missed notifications they are checked even if their schedules are gone. */
  readonly #set = new Set<string>();
  readonly #unsubscribe: (() => void)[] = [];

  constructor(private readonly sm: Sm, private readonly core: () => MonitorCore) {
    if (!sm.serving.live) return;
    const changes = sm.deps.state.changes;
    this.#unsubscribe.push(
      changes.subscribe(SCHEDULE_TOPIC, (payload) => this.#onChange(payload)),
      changes.subscribe(MISSED_CHANGES, () => {
        for (const account of this.#accounts) void this.#restoreAccount(account);
      }),
    );
  }

  close(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    return this.#queue.idle();
  }

  /** Start-up: the baselines of every endpoint with a schedule, in every region of these accounts. */
  async restore(accountIds: string[]): Promise<void> {
    if (!this.sm.serving.live) return;
    for (const account of accountIds) this.#accounts.add(account);
    await Promise.all(accountIds.map((account) => this.#restoreAccount(account)));
  }

  /**
   * After a schedule API call: brings this replica up to date before answering (the metric starts with the
   * schedule), then tells the other replicas. Never throws: the API call succeeded whatever happens here.
   */
  async changed(account: string, region: string, endpoints: (string | undefined)[]): Promise<void> {
    if (!this.sm.serving.live) return;
    this.#accounts.add(account);
    for (const endpoint of new Set(endpoints)) {
      if (!endpoint) continue;
      await this.sync(account, region, endpoint);
      // This replica is told too and reads the baseline again: a second S3 read per schedule call, kept for simplicity.
      await this.sm.deps.state.changes.publish(SCHEDULE_TOPIC, `${account}/${region}/${endpoint}`).catch((err: unknown) => {
        this.sm.deps.log.warn({ endpoint, reason: messageOf(err) }, 'sagemaker: could not notify replicas of a monitoring schedule change');
      });
    }
  }

  /** Sets the endpoint's baseline from its Scheduled schedule (the latest modified if several), or clears it. */
  sync(account: string, region: string, endpoint: string): Promise<void> {
    const key = `${account}/${region}/${endpoint}`;
    return this.#queue.run(key, async () => {
      const live = this.sm.serving.live;
      if (!live) return;
      this.#set.add(key);
      let schedule: string | undefined;
      try {
        const active = (await listAll<ScheduleDoc>(this.sm, account, SCHEDULE, region))
          .filter((s) => s.EndpointName === endpoint && s.MonitoringScheduleStatus === 'Scheduled' && s.MonitoringType === 'DataQuality')
          .sort((a, b) => Date.parse(b.LastModifiedTime) - Date.parse(a.LastModifiedTime));
        if (active.length === 0) {
          live.clearBaseline(account, region, endpoint);
          return;
        }
        schedule = active[0].MonitoringScheduleName;
        const spec = await specOf(this.sm, account, region, active[0].MonitoringScheduleConfig);
        const uris = await baselineUris(this.sm, account, region, spec);
        const stats = uris.statistics ? parseS3Uri(uris.statistics) : undefined;
        if (!stats) {
          // No statistics, no distribution to drift from.
          live.clearBaseline(account, region, endpoint);
          return;
        }
        const principal = await this.sm.serving.roles.principalFor(spec.RoleArn, account, region);
        const s3 = new RoleS3(this.sm, principal, region);
        const core = this.core();
        const statistics = core.parseStatistics(await s3.getText(stats));
        const constraintsAt = uris.constraints ? parseS3Uri(uris.constraints) : undefined;
        const constraints = constraintsAt ? core.parseConstraints(await s3.getText(constraintsAt)) : undefined;
        live.setBaseline(account, region, endpoint, statistics, constraints, { outputFirst: capturesOutput(spec) });
      } catch (err) {
        // A stale baseline would publish drift against what the schedule no longer names: none until it reads again.
        live.clearBaseline(account, region, endpoint);
        this.sm.deps.log.warn({ endpoint, schedule, reason: messageOf(err) }, 'sagemaker: could not read a monitoring baseline for near-real-time drift');
      }
    });
  }

  #onChange(payload: string): void {
    const [account, region, ...rest] = payload.split('/');
    if (!account || !region || rest.length !== 1) return;
    this.#accounts.add(account);
    void this.sync(account, region, rest[0]);
  }

  async #restoreAccount(account: string): Promise<void> {
    try {
      const all = await listAll<ScheduleDoc>(this.sm, account, SCHEDULE);
      const endpoints = new Map<string, [string, string]>();
      for (const key of this.#set) {
        const [a, region, endpoint] = key.split('/');
        if (a === account) endpoints.set(`${region}/${endpoint}`, [region, endpoint]);
      }
      for (const s of all) {
        const region = s.MonitoringScheduleArn.split(':')[3];
        if (s.EndpointName) endpoints.set(`${region}/${s.EndpointName}`, [region, s.EndpointName]);
      }
      await Promise.all([...endpoints.values()].map(([region, endpoint]) => this.sync(account, region, endpoint)));
    } catch (err) {
      this.sm.deps.log.warn({ account, reason: messageOf(err) }, 'sagemaker: could not restore monitoring baselines for near-real-time drift');
    }
  }
}
