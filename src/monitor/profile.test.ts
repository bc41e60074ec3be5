import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATEGORICAL_CAP } from './profile-categorical.js';
import { DatasetProfile, MAX_DATASET_FEATURES, profileToStatistics, TooManyFeaturesError, type Value } from './profile.js';
import { parseStatistics } from './schema.js';

const testdata = new URL('./testdata/', import.meta.url);

function profileOf(rows: Record<string, Value>[]): DatasetProfile {
  const p = DatasetProfile.empty();
  for (const r of rows) p.add(r);
  return p;
}

function rng(seed: number): () => number {
  return () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
}

function syntheticRows(n: number, seed: number): Record<string, Value>[] {
  const r = rng(seed);
  const rows: Record<string, Value>[] = [];
  for (let i = 0; i < n; i++) {
    rows.push({
      age: String(18 + Math.floor(r() * 60)),
      amount: (r() * 1000).toFixed(2),
      city: ['paris', 'lima', 'oslo', 'kyiv'][Math.floor(r() * 4)],
      flag: r() < 0.5 ? 'true' : 'false',
      sparse: r() < 0.3 ? '' : String(Math.floor(r() * 5)),
      mixed: r() < 0.05 ? 'N/A' : String(Math.floor(r() * 3)),
    });
  }
  return rows;
}

describe('DatasetProfile statistics', () => {
  it('matches a straightforward reference computation', () => {
    const rows = syntheticRows(5000, 7);
    const stats = profileToStatistics(profileOf(rows));
    expect(stats.dataset.item_count).toBe(5000);
    const byName = Object.fromEntries(stats.features.map((f) => [f.name, f]));
    for (const name of ['age', 'amount', 'sparse']) {
      const xs = rows.map((r) => r[name] as string).filter((s) => s !== '').map(Number);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
      const ns = byName[name].numerical_statistics!;
      expect(byName[name].inferred_type).toBe(name === 'amount' ? 'Fractional' : 'Integral');
      expect(ns.common).toEqual({ num_present: xs.length, num_missing: 5000 - xs.length });
      expect(ns.sum).toBeCloseTo(xs.reduce((a, b) => a + b, 0), 6);
      expect(ns.mean).toBeCloseTo(mean, 9);
      expect(ns.std_dev).toBeCloseTo(sd, 9);
      expect(ns.min).toBe(Math.min(...xs));
      expect(ns.max).toBe(Math.max(...xs));
      expect(ns.distribution!.kll.buckets).toHaveLength(10);
      expect(ns.distribution!.kll.buckets.reduce((a, b) => a + b.count, 0)).toBe(xs.length);
      const weights = ns.distribution!.kll.sketch.data.reduce((a, lv, h) => a + lv.length * 2 ** h, 0);
      expect(weights).toBe(xs.length);
    }
    const city = byName.city.string_statistics!;
    expect(byName.city.inferred_type).toBe('String');
    expect(city.distinct_count).toBe(4);
    const counts: Record<string, number> = {};
    for (const r of rows) counts[r.city as string] = (counts[r.city as string] ?? 0) + 1;
    expect(Object.fromEntries(city.distribution!.categorical.buckets.map((b) => [b.value, b.count]))).toEqual(counts);
    // Boolean-only → reported as String; numbers mixed with a string → String over all values.
    expect(byName.flag.inferred_type).toBe('String');
    expect(byName.mixed.inferred_type).toBe('String');
    expect(byName.mixed.string_statistics!.distinct_count).toBe(4);
  });

  it('reproduces real SageMaker container output (single partition) from the same data', () => {
    const text = readFileSync(new URL('sagemaker-container-statistics.json', testdata), 'utf8');
    const expected = parseStatistics(text);
    // The container's sketches never compacted (100 rows), so level 0 is the column in input order.
    const columns = expected.features.map((f) => f.numerical_statistics!.distribution!.kll.sketch.data[0]);
    const p = DatasetProfile.empty();
    for (let i = 0; i < 100; i++) {
      const row: Record<string, Value> = {};
      columns.forEach((col, j) => (row[`_c${j}`] = col[i].toFixed(1)));
      p.add(row);
    }
    expect(profileToStatistics(p)).toEqual(expected);
  });

  it('treats empty, null and undefined as missing, and absent keys as missing rows', () => {
    const p = profileOf([{ a: '1', b: '' }, { a: null, b: 'x' }, { a: undefined }, { c: 2.5 }]);
    const s = profileToStatistics(p);
    expect(s.features.map((f) => [f.name, f.inferred_type])).toEqual([['a', 'Integral'], ['b', 'String'], ['c', 'Fractional']]);
    expect(s.features.map((f) => (f.numerical_statistics ?? f.string_statistics)!.common)).toEqual([
      { num_present: 1, num_missing: 3 }, { num_present: 1, num_missing: 3 }, { num_present: 1, num_missing: 3 },
    ]);
    const all = profileOf([{ z: '' }, { z: null }]);
    expect(profileToStatistics(all).features[0]).toEqual({
      name: 'z', inferred_type: 'Unknown', string_statistics: { common: { num_present: 0, num_missing: 2 }, distinct_count: 0 },
    });
  });

  it('native numbers and booleans are typed like their text', () => {
    const s = profileToStatistics(profileOf([{ i: 3, f: 0.5, b: true, n: NaN }, { i: 4, f: 2, b: false, n: 1 }]));
    expect(s.features.map((f) => f.inferred_type)).toEqual(['Integral', 'Fractional', 'String', 'String']);
  });

  it('bounds the categorical histogram: beyond the cap only an estimated distinct count remains', () => {
    const p = DatasetProfile.empty();
    const n = CATEGORICAL_CAP * 5;
    for (let i = 0; i < n; i++) p.add({ id: `user-${i}` });
    const f = profileToStatistics(p).features[0];
    expect(f.string_statistics!.distribution).toBeUndefined();
    expect(Math.abs(f.string_statistics!.distinct_count - n) / n).toBeLessThan(0.03);
  });
});

describe('DatasetProfile merge and serialization', () => {
  const rows = syntheticRows(12_000, 11);
  const whole = profileOf(rows);

  it('merge(a, b) equals the profile of the concatenation (exact counts, sum, min, max; KLL as Deequ merges)', () => {
    const a = profileOf(rows.slice(0, 7000));
    const b = profileOf(rows.slice(7000));
    const m = profileToStatistics(a.merge(b));
    const w = profileToStatistics(whole);
    expect(m.dataset).toEqual(w.dataset);
    for (let i = 0; i < w.features.length; i++) {
      const [x, y] = [m.features[i], w.features[i]];
      expect(x.inferred_type).toBe(y.inferred_type);
      if (y.numerical_statistics) {
        const [nx, ny] = [x.numerical_statistics!, y.numerical_statistics!];
        expect(nx.common).toEqual(ny.common);
        expect([nx.sum, nx.min, nx.max]).toEqual([ny.sum, ny.min, ny.max]);
        expect(Math.abs(nx.mean - ny.mean) / ny.mean).toBeLessThan(1e-13);
        expect(Math.abs(nx.std_dev - ny.std_dev) / ny.std_dev).toBeLessThan(1e-13);
        const total = (d: number[][]): number => d.reduce((s, lv, h) => s + lv.length * 2 ** h, 0);
        expect(total(nx.distribution!.kll.sketch.data)).toBe(total(ny.distribution!.kll.sketch.data));
      } else {
        expect(x.string_statistics).toEqual(y.string_statistics);
      }
    }
    // Deequ's merge of two single-level sketches under capacity is plain concatenation.
    // (std_dev may differ in the last bits: Spark's moment merge is not the sequential update.)
    const dropStd = (st: ReturnType<typeof profileToStatistics>) =>
      st.features.map((f) => (f.numerical_statistics ? { ...f, numerical_statistics: { ...f.numerical_statistics, std_dev: 0 } } : f));
    const small = profileToStatistics(profileOf(rows.slice(0, 50)).merge(profileOf(rows.slice(50, 100))));
    expect(dropStd(small)).toEqual(dropStd(profileToStatistics(profileOf(rows.slice(0, 100)))));
  });

  it('empty() is the identity and merge is associative on exact statistics', () => {
    const [a, b, c] = [profileOf(rows.slice(0, 100)), profileOf(rows.slice(100, 300)), profileOf(rows.slice(300, 1000))];
    const s = (p: DatasetProfile) => profileToStatistics(p);
    expect(s(DatasetProfile.empty().merge(a))).toEqual(s(a));
    expect(s(a.merge(DatasetProfile.empty()))).toEqual(s(a));
    const left = s(a.merge(b).merge(c));
    const right = s(a.merge(b.merge(c)));
    expect(left.features.map((f) => f.string_statistics ?? f.numerical_statistics!.common)).toEqual(
      right.features.map((f) => f.string_statistics ?? f.numerical_statistics!.common),
    );
  });

  it('serialize/deserialize round-trips losslessly (also after overflow) and rejects garbage', () => {
    const p = profileOf(rows);
    for (let i = 0; i < CATEGORICAL_CAP + 10; i++) p.add({ big: `v${i}` });
    const q = DatasetProfile.deserialize(p.serialize());
    expect(profileToStatistics(q)).toEqual(profileToStatistics(p));
    expect(q.itemCount).toBe(p.itemCount);
    expect(q.featureNames()).toEqual(p.featureNames());
    // continuing after a round trip behaves identically (compaction state is preserved)
    const more = syntheticRows(20_000, 3);
    for (const r of more) {
      p.add(r);
      q.add(r);
    }
    expect(profileToStatistics(q)).toEqual(profileToStatistics(p));
    expect(() => DatasetProfile.deserialize(new Uint8Array([1, 2, 3, 4, 5]))).toThrow(/bad magic/);
    expect(() => DatasetProfile.deserialize(p.serialize().slice(0, 100))).toThrow(/truncated/);
  });

  it('addColumns equals add by rows', () => {
    const sub = rows.slice(0, 3000);
    const cols: Record<string, Value[]> = {};
    for (const k of Object.keys(sub[0])) cols[k] = sub.map((r) => r[k]);
    const p = DatasetProfile.empty();
    p.addColumns(cols);
    expect(profileToStatistics(p)).toEqual(profileToStatistics(profileOf(sub)));
    const q = DatasetProfile.empty();
    q.addColumns({ x: Float64Array.from([1, 2.5, 3]) });
    expect(profileToStatistics(q).features[0].numerical_statistics!.sum).toBe(6.5);
  });
});

describe('statistics.json golden', () => {
  it('a small fixed dataset renders exactly the golden file', () => {
    const rows: Record<string, Value>[] = [];
    for (let i = 0; i < 40; i++) {
      rows.push({
        label: String(i % 3 === 0 ? 1 : 0),
        score: ((i * 37) % 101 / 10).toFixed(1),
        channel: ['web', 'app', 'store'][i % 3],
        note: i % 4 === 0 ? '' : `n${i % 2}`,
      });
    }
    const stats = profileToStatistics(profileOf(rows));
    const file = new URL('small-dataset.statistics.json', testdata);
    const text = JSON.stringify(stats, null, 2) + '\n';
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });
});

describe('Categorical cell path (columnar CSV)', () => {
  it('counts exactly as addString, through the key cache, cache eviction and overflow to HyperLogLog', async () => {
    const { Categorical } = await import('./profile-categorical.js');
    for (const distinct of [3, 40, 300, 5000]) {
      const byString = new Categorical();
      const byCell = new Categorical();
      const r = rng(distinct);
      for (let i = 0; i < 20_000; i++) {
        const v = `${r() < 0.5 ? 'k' : 'a-key-long-enough-to-slice-'}${Math.floor(r() * distinct)}`;
        const line = `1,${v},2`;
        byString.addString(v);
        byCell.addStringCell(line, 2, 2 + v.length);
      }
      expect(byCell.distinctCount()).toBe(byString.distinctCount());
      expect(byCell.histogram()).toEqual(byString.histogram());
      expect(byCell.hll?.registers).toEqual(byString.hll?.registers);
    }
  });
});

describe('DatasetProfile feature cap', () => {
  const keys = (from: number, n: number): Record<string, Value> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${from + i}`, i]));

  it('throws TooManyFeaturesError when a row, a column set or a merge would exceed MAX_DATASET_FEATURES', () => {
    const p = DatasetProfile.empty();
    p.add(keys(0, MAX_DATASET_FEATURES));
    expect(p.allFeatures()).toHaveLength(MAX_DATASET_FEATURES);
    // JSON rows with new keys (flattened objects) hit the cap where the new feature appears.
    expect(() => p.add({ k0: 1, extra: 2 })).toThrow(TooManyFeaturesError);
    expect(() => p.add({ extra: 2 })).toThrow(`the dataset has more than ${MAX_DATASET_FEATURES} columns;`);
    expect(() => p.addColumns({ extra: [1] })).toThrow(TooManyFeaturesError);
    expect(() => p.declare(['extra'])).toThrow(TooManyFeaturesError);
    // Known features are still accepted.
    p.add({ k1: 5 });
    const a = DatasetProfile.empty();
    a.add(keys(0, 6000));
    const b = DatasetProfile.empty();
    b.add(keys(6000, 6000));
    expect(() => a.merge(b)).toThrow(TooManyFeaturesError);
  });
});
