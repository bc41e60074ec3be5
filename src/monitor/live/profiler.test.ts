import { describe, expect, it, vi } from 'vitest';
import type { MetricPoint, MetricStore } from '../../metrics/types.js';
import { MemoryProfileStore } from './memory-store.js';
import { LiveProfiler, MAX_PROFILED_BODY_BYTES } from './profiler.js';
import { captureSettings, clockAt, csv, endpoint, json, silentLog, T0, variant } from './testkit.js';

const M = 60_000;

function metricSink(): MetricStore & { points: MetricPoint[] } {
  const points: MetricPoint[] = [];
  return {
    points,
    insert: (p) => { points.push(...p); return Promise.resolve(); },
    query: () => Promise.resolve([]),
    listSeries: () => Promise.resolve([]),
  };
}

function setup(over: { maxFeatures?: number } = {}) {
  const clock = clockAt(T0 + 5_000);
  const store = new MemoryProfileStore();
  const log = silentLog();
  const live = new LiveProfiler({ store, metricStore: metricSink(), clock, log, timer: false, ...over });
  return { clock, store, log, live };
}

const summary = (store: MemoryProfileStore) => store.rows.map((r) => [r.variant, (r.minute - T0) / M, r.profile.itemCount]);

describe('LiveProfiler', () => {
  it('keeps one profile per variant and minute, writes minutes as they end, and marks idle minutes', async () => {
    const { clock, store, live } = setup();
    const [a, b] = [variant('A'), variant('B')];
    const ep = endpoint([a, b]);
    live.record(ep, a, csv('1,2\n3,4'), clock.now());
    live.record(ep, b, json({ instances: [[5, 6]] }), clock.now());
    clock.set(T0 + 59_000);
    await live.tick();
    expect(store.rows).toEqual([]); // the minute is still open
    clock.set(T0 + M + 1_000);
    live.record(ep, a, csv('7,8'), clock.now());
    await live.tick();
    expect(summary(store)).toEqual([['A', 0, 2], ['B', 0, 1]]);
    clock.set(T0 + 3 * M + 1_000);
    await live.tick();
    expect(summary(store).slice(2)).toEqual([['A', 1, 1], ['A', 2, 0], ['B', 1, 0], ['B', 2, 0]]);
    const merged = (await live.mergedProfile(ep.accountId, ep.region, ep.name, 'A', new Date(T0), new Date(T0 + 3 * M)))!;
    expect([merged.profile.itemCount, merged.minutes, merged.expectedMinutes]).toEqual([3, 3, 3]);
    expect(merged.profile.feature('_c0')!.totalSum).toBe(11);
    expect(live.stats()).toMatchObject({ rows: 4, unparsed: 0, droppedFeatures: 0 });
  });

  it('profiles every request of a capturing endpoint whatever the sampling, and nothing else', async () => {
    const { clock, store, live } = setup();
    const v = variant();
    live.record(endpoint([v], captureSettings({ samplingPercentage: 1 })), v, csv('1'), clock.now());
    live.record({ ...endpoint([v], captureSettings(), 'plain'), capture: undefined }, v, csv('1'), clock.now());
    live.record(endpoint([v], captureSettings({ enabled: false }), 'off'), v, csv('1'), clock.now());
    live.record(endpoint([v], captureSettings({ captureInput: false }), 'out'), v, csv('1'), clock.now());
    live.record(endpoint([v]), v, csv('garbage', 'image/png'), clock.now());
    clock.advance(M);
    await live.tick();
    expect(store.rows.map((r) => [r.endpoint, r.profile.itemCount])).toEqual([['fraud', 1]]);
    expect(live.stats().unparsed).toBe(1);
  });

  it('counts bodies over MAX_PROFILED_BODY_BYTES as unparsed without decoding them', async () => {
    const { clock, store, live } = setup();
    const v = variant();
    const ep = endpoint([v]);
    const big = csv('1,2\n'.repeat(Math.ceil(MAX_PROFILED_BODY_BYTES / 4) + 1));
    expect(big.body.length).toBeGreaterThan(MAX_PROFILED_BODY_BYTES);
    const toString = vi.spyOn(big.body, 'toString');
    live.record(ep, v, big, clock.now());
    expect(toString).not.toHaveBeenCalled();
    live.record(ep, v, csv('1,2'), clock.now());
    clock.advance(M);
    await live.tick();
    expect(store.rows.map((r) => r.profile.itemCount)).toEqual([1]);
    expect(live.stats()).toMatchObject({ rows: 1, unparsed: 1 });
  });

  it('caps features per variant minute and counts what it drops', async () => {
    const { clock, store, live } = setup({ maxFeatures: 3 });
    const v = variant();
    const ep = endpoint([v]);
    live.record(ep, v, csv('1,2,3,4,5'), clock.now());
    live.record(ep, v, json({ instances: [{ _c0: 1, other: 2 }] }), clock.now());
    clock.advance(M);
    await live.tick();
    expect(store.rows[0].profile.featureNames()).toEqual(['_c0', '_c1', '_c2']);
    expect(store.rows[0].profile.itemCount).toBe(2);
    expect(live.stats().droppedFeatures).toBe(3);
  });

  it('writes a late record as an extra partial of its minute', async () => {
    const { clock, store, live } = setup();
    const v = variant();
    const ep = endpoint([v]);
    live.record(ep, v, csv('1'), clock.now());
    clock.set(T0 + M + 1_000);
    await live.tick();
    live.record(ep, v, csv('2'), new Date(T0 + 59_999));
    live.record(ep, v, csv('3'), clock.now());
    clock.set(T0 + 2 * M + 1_000);
    await live.tick();
    expect(summary(store)).toEqual([['AllTraffic', 0, 1], ['AllTraffic', 0, 1], ['AllTraffic', 1, 1]]);
  });

  it('keeps partials for a retry while the database is down, and writes the open minute on close', async () => {
    const { clock, store, log, live } = setup();
    const v = variant();
    const ep = endpoint([v]);
    live.record(ep, v, csv('1'), clock.now());
    clock.advance(M);
    store.failNext = 1;
    await live.tick();
    expect(store.rows).toEqual([]);
    expect(live.stats().pendingPartials).toBe(1);
    expect(log.warn).toHaveBeenCalled();
    live.record(ep, v, csv('2'), clock.now());
    await live.close();
    expect(summary(store)).toEqual([['AllTraffic', 0, 1], ['AllTraffic', 1, 1]]);
    live.record(ep, v, csv('3'), clock.now()); // after close: ignored
    expect(live.stats().rows).toBe(2);
  });

  it('ticks on its own shortly after each minute boundary', async () => {
    vi.useFakeTimers();
    try {
      const clock = clockAt(T0 + 59_000);
      const store = new MemoryProfileStore();
      const live = new LiveProfiler({ store, metricStore: metricSink(), clock, log: silentLog() });
      const v = variant();
      live.record(endpoint([v]), v, csv('1'), clock.now());
      clock.set(T0 + M + 250);
      await vi.advanceTimersByTimeAsync(1_250);
      expect(summary(store)).toEqual([['AllTraffic', 0, 1]]);
      await live.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
