import { expect, it } from 'vitest';
import { SqlMetricStore } from '../../metrics/sql-store.js';
import { withEachBackend } from '../../state/testing.js';
import { suggestBaseline } from '../jobs.js';
import { DatasetProfile, profileToStatistics } from '../profile.js';
import { LiveProfiler } from './profiler.js';
import { FEATURE_DRIFT, FEATURE_DRIFT_PSI, LIVE_DRIFT_NAMESPACE, WINDOW_ROWS } from './publish.js';
import { SqlProfileStore } from './store.js';
import { ACCOUNT, clockAt, csv, endpoint, REGION, rng, silentLog, T0, variant } from './testkit.js';

const M = 60_000;
const CATEGORIES = ['a', 'a', 'a', 'b', 'b', 'c'];

/** One CSV line of the traffic: _c0 ~ N(0,1), _c1 ~ N(5,2) (+shift), _c2 categorical, _c3 integer 0..9. */
function lineGen(seed: number) {
  const r = rng(seed);
  return (shift = 0): string => {
    const c0 = r.normal().toFixed(4);
    const c1 = (5 + 2 * r.normal() + shift).toFixed(4);
    return `${c0},${c1},${CATEGORIES[Math.floor(r.uniform() * CATEGORIES.length)]},${Math.floor(r.uniform() * 10)}`;
  };
}

const toRow = (line: string) => Object.fromEntries(line.split(',').map((v, i) => [`_c${i}`, v]));

async function* rows(lines: string[]) {
  yield lines.map(toRow);
}

withEachBackend((_name, open) => {
  it('shows a shifted feature in FeatureDrift within a minute of the shift, other features staying low', async () => {
    const state = await open();
    const metricStore = new SqlMetricStore(state.db, 'w');
    const clock = clockAt(T0);
    const live = new LiveProfiler({ store: new SqlProfileStore(state.db, 'w'), metricStore, clock, log: silentLog(), timer: false });
    const next = lineGen(1);
    const base = await suggestBaseline(rows(Array.from({ length: 5000 }, () => next())));
    live.setBaseline(ACCOUNT, REGION, 'fraud', base.statistics, base.constraints);

    const v = variant();
    const ep = endpoint([v]);
    const SHIFT_MINUTE = 5;
    for (let minute = 0; minute < 7; minute++) {
      for (let i = 0; i < 100; i++) {
        const at = T0 + minute * M + i * 500;
        clock.set(at);
        live.record(ep, v, csv(`${next(minute >= SHIFT_MINUTE ? 3 : 0)}\n${next(minute >= SHIFT_MINUTE ? 3 : 0)}`), new Date(at));
      }
      clock.set(T0 + (minute + 1) * M); // the minute boundary: what it publishes is visible from here on
      await live.tick();
    }
    await live.close();

    const drift = async (feature: string, window: string, minute: number, metric = FEATURE_DRIFT) => {
      const d = await metricStore.query({
        accountId: ACCOUNT, region: REGION, namespace: LIVE_DRIFT_NAMESPACE, metricName: metric,
        dimensions: { Endpoint: 'fraud', VariantName: 'AllTraffic', Feature: feature, Window: window },
        start: new Date(T0 + minute * M), end: new Date(T0 + (minute + 1) * M), periodSeconds: 60,
      });
      expect(d).toHaveLength(1);
      return d[0].average;
    };
    // Published at T0 + 6 min for the minute [T0 + 5 min, T0 + 6 min): 60 s after the shift began.
    expect(await drift('_c1', '1m', SHIFT_MINUTE)).toBeGreaterThan(0.3);
    expect(await drift('_c1', '15m', SHIFT_MINUTE + 1)).toBeGreaterThan(0.1);
    expect(await drift('_c1', '15m', SHIFT_MINUTE + 1, FEATURE_DRIFT_PSI)).toBeGreaterThan(0.2);
    for (let minute = 0; minute < SHIFT_MINUTE; minute++) expect(await drift('_c1', '1m', minute)).toBeLessThan(0.1);
    for (const f of ['_c0', '_c2', '_c3']) {
      for (let minute = 0; minute < 7; minute++) {
        expect(await drift(f, '1m', minute)).toBeLessThan(0.1);
        expect(await drift(f, '15m', minute)).toBeLessThan(0.1);
      }
    }
    // All variants together, and how many rows the window held.
    const all = await metricStore.query({
      accountId: ACCOUNT, region: REGION, namespace: LIVE_DRIFT_NAMESPACE, metricName: WINDOW_ROWS, dimensions: { Endpoint: 'fraud', Window: '15m' },
      start: new Date(T0), end: new Date(T0 + 10 * M), periodSeconds: 60,
    });
    expect(all.map((d) => d.average)).toEqual([200, 400, 600, 800, 1000, 1200, 1400]);
  });

  it('merges an hour of minutes, two variants and two writers into exactly the profile of all rows', async () => {
    const state = await open();
    const metricStore = new SqlMetricStore(state.db, 'w');
    const clock = clockAt(T0);
    const replicas = ['r1', 'r2'].map((w) => new LiveProfiler({ store: new SqlProfileStore(state.db, w), metricStore, clock, log: silentLog(), timer: false }));
    const [a, b] = [variant('A'), variant('B')];
    const ep = endpoint([a, b]);
    const next = lineGen(7);
    const direct = DatasetProfile.empty();
    const r = rng(3);
    for (let minute = 0; minute < 60; minute++) {
      const n = minute === 30 ? 0 : 1 + Math.floor(r.uniform() * 20); // minute 30 idle
      for (let i = 0; i < n; i++) {
        const line = next();
        direct.add(toRow(line));
        clock.set(T0 + minute * M + i * 1000);
        replicas[i % 2].record(ep, i % 3 === 0 ? b : a, csv(line), clock.now());
      }
      clock.set(T0 + (minute + 1) * M);
      for (const p of replicas) await p.tick();
    }
    const merged = (await replicas[0].mergedProfile(ACCOUNT, REGION, 'fraud', undefined, new Date(T0), new Date(T0 + 60 * M)))!;
    expect([merged.minutes, merged.expectedMinutes, merged.missingMinutes]).toEqual([60, 60, []]);
    expect(merged.profile.itemCount).toBe(direct.itemCount);
    const got = profileToStatistics(merged.profile);
    const want = profileToStatistics(direct);
    expect(got.features.map((f) => f.name)).toEqual(want.features.map((f) => f.name));
    for (const [i, f] of want.features.entries()) {
      const g = got.features[i];
      expect(g.inferred_type).toBe(f.inferred_type);
      const [gn, fn] = [g.numerical_statistics, f.numerical_statistics];
      if (fn) {
        expect(gn!.common).toEqual(fn.common);
        expect([gn!.min, gn!.max]).toEqual([fn.min, fn.max]);
        expect(gn!.sum).toBeCloseTo(fn.sum, 9);
        expect(gn!.mean).toBeCloseTo(fn.mean, 12);
        expect(gn!.std_dev).toBeCloseTo(fn.std_dev, 12);
        const weight = gn!.distribution!.kll.sketch.data.reduce((s, lv, h) => s + lv.length * 2 ** h, 0);
        expect(weight).toBe(fn.common.num_present);
      } else {
        expect(g.string_statistics).toEqual(f.string_statistics);
      }
    }
  });
});
