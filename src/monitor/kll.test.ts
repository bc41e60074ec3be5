import { describe, expect, it } from 'vitest';
import { KllSketch } from './kll.js';
import { sortDoubles, sortRuns } from './kll-sort.js';

function sketchOf(values: number[], k = 2048, c = 0.64): KllSketch {
  const s = new KllSketch(k, c);
  for (const v of values) s.update(v);
  return s;
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('KllSketch reproduces Deequ test vectors', () => {
  it('KLLProfileTest: 1..6 with k=2 gives [[5,6],[1,3]] and buckets (1,3.5,4),(3.5,6,2)', () => {
    const s = sketchOf(range(1, 6), 2, 0.64);
    expect(s.data()).toEqual([[5, 6], [1, 3]]);
    expect(s.buckets(1, 6, 2)).toEqual([
      { lower_bound: 1, upper_bound: 3.5, count: 4 },
      { lower_bound: 3.5, upper_bound: 6, count: 2 },
    ]);
    expect(s.toJson().parameters).toEqual({ c: 0.64, k: 2 });
  });

  it('KLLProfileTest: 1..30 with k=2 gives three levels and buckets (1,15.5,16),(15.5,30,14)', () => {
    const s = sketchOf(range(1, 30), 2, 0.64);
    expect(s.data()).toEqual([[27, 28, 29, 30], [25], [1, 6, 10, 15, 19, 23]]);
    expect(s.buckets(1, 30, 2)).toEqual([
      { lower_bound: 1, upper_bound: 15.5, count: 16 },
      { lower_bound: 15.5, upper_bound: 30, count: 14 },
    ]);
  });

  it('ColumnProfilerTest: 1..6 with default parameters and 100 buckets', () => {
    const s = sketchOf(range(1, 6));
    expect(s.toJson()).toEqual({ parameters: { c: 0.64, k: 2048 }, data: [[1, 2, 3, 4, 5, 6]] });
    const b = s.buckets(1, 6, 100);
    expect(b).toHaveLength(100);
    // Deequ's expected list: count 1 at 1.0, 2.0, 3.0, 4.0, 5.0 and in the last bucket (5.95, 6.0).
    const ones = b.map((x, i) => [i, x.count] as const).filter(([, c]) => c === 1).map(([i]) => i);
    expect(ones).toEqual([0, 20, 40, 60, 80, 99]);
    expect(b[1]).toEqual({ lower_bound: 1.05, upper_bound: 1.1, count: 0 });
    expect(b[20]).toEqual({ lower_bound: 2.0, upper_bound: 2.05, count: 1 });
    expect(b[99]).toEqual({ lower_bound: 5.95, upper_bound: 6.0, count: 1 });
    expect(b.reduce((a, x) => a + x.count, 0)).toBe(6);
  });

  it('KLLDistanceTest: reconstructed sketches [1,2,3,4] vs [2,3,4,5] give KS 0.25 (simple) and 0 (robust)', () => {
    const a = KllSketch.fromJson({ parameters: { k: 4, c: 0.64 }, data: [[1, 2, 3, 4]] });
    const b = KllSketch.fromJson({ parameters: { k: 4, c: 0.64 }, data: [[2, 3, 4, 5]] });
    const keys = [...new Set([...a.data().flat(), ...b.data().flat()])];
    const n = a.count;
    const m = b.count;
    const simple = Math.max(...keys.map((x) => Math.abs(a.rank(x) / n - b.rank(x) / m)));
    expect(simple).toBe(0.25);
    expect(Math.max(0, simple - 1.8 * Math.sqrt((n + m) / (n * m)))).toBe(0);
  });

  it('KLLProbTest: rank error stays within 100/k of the stream length (zoom-in, shuffled, merged)', () => {
    for (const k of [100, 1000]) {
      const len = 200_000;
      const eps = 100 / k;
      const zoom = new KllSketch(k);
      for (let i = 1; i <= len / 2; i++) {
        zoom.update(i);
        zoom.update(len + 1 - i);
      }
      const merged = range(0, 9).reduce((acc, part) => {
        const p = new KllSketch(k);
        const plen = len / 10;
        for (let i = 1; i <= plen / 2; i++) {
          p.update(i + part * plen);
          p.update(part * plen + plen + 1 - i);
        }
        return acc.mergeInto(p);
      }, new KllSketch(k));
      for (const s of [zoom, merged]) {
        expect(s.count).toBe(len);
        for (let x = 1; x < len; x += Math.ceil(eps * 0.2 * len)) {
          expect(Math.abs(s.rank(x) - x)).toBeLessThan(eps * len);
        }
      }
    }
  });
});

describe('KllSketch mechanics', () => {
  it('compaction offsets follow 0,1,1,0,0,1,1,… and an odd leftover stays unsorted at level 0', () => {
    // k=2: every level has capacity 4. 1..5 compacts once at offset 0: [1,3] go up, 5 stays.
    const s = sketchOf([4, 3, 2, 1, 5], 2);
    expect(s.data()).toEqual([[5], [1, 3]]);
  });

  it('counts are exact totals and merge is Deequ-style level-wise concatenation', () => {
    const a = sketchOf(range(1, 1000), 64);
    const b = sketchOf(range(1001, 2500), 64);
    const m = a.merge(b);
    expect(m.count).toBe(2500);
    expect(a.count).toBe(1000); // merge does not mutate its inputs
    expect(new KllSketch().merge(a).data()).toEqual(a.data());
    expect(a.merge(new KllSketch()).data()).toEqual(a.data());
  });

  it('fromLevels with state round-trips and continues identically', () => {
    const a = sketchOf(range(1, 5000).map((x) => (x * 7919) % 5003), 32);
    const st = a.state();
    const b = KllSketch.fromLevels(32, 0.64, st.data, st.compressions, st.offsets);
    for (let i = 0; i < 3000; i++) {
      a.update(i * 0.5);
      b.update(i * 0.5);
    }
    expect(b.data()).toEqual(a.data());
  });

  it('radix sort equals Double.compare order, including -0 before +0', () => {
    for (const n of [0, 1, 10, 47, 48, 100, 3000]) {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const r = Math.random();
        a[i] = r < 0.1 ? 0 : r < 0.2 ? -0 : r < 0.4 ? Math.round((r - 0.5) * 100) : (r - 0.5) * 1e6 * Math.random();
      }
      const expected = a.slice().sort();
      sortDoubles(a, n);
      expect(Array.from(a).map((x) => Object.is(x, -0) ? '-0' : x)).toEqual(
        Array.from(expected).map((x) => Object.is(x, -0) ? '-0' : x),
      );
    }
  });

  it('run-merging sort equals the radix sort on levels made of sorted runs (and on anything else)', () => {
    const show = (a: Float64Array) => Array.from(a).map((x) => (Object.is(x, -0) ? '-0' : x));
    for (const runs of [1, 2, 3, 7, 100]) {
      const parts: number[] = [];
      for (let r = 0; r < runs; r++) {
        const run = Array.from({ length: 1 + Math.floor(Math.random() * 200) }, () => {
          const u = Math.random();
          return u < 0.1 ? 0 : u < 0.2 ? -0 : Math.round((u - 0.5) * 40);
        });
        parts.push(...Float64Array.from(run).sort());
      }
      const a = Float64Array.from(parts);
      const b = a.slice();
      sortRuns(a, a.length);
      sortDoubles(b, b.length);
      expect(show(a)).toEqual(show(b));
    }
  });

  it('radix sort orders values that agree in their high 32 bits (small and big tie groups) by the low bits', () => {
    const show = (a: Float64Array) => Array.from(a).map((x) => (Object.is(x, -0) ? '-0' : x));
    for (const n of [50, 500, 5000]) {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const u = Math.random();
        // Timestamps a few seconds apart share their high word; so do tiny perturbations of 1 and -1.
        a[i] = u < 0.4 ? 1.7e9 + Math.random() * 10 : u < 0.6 ? 1 + Math.random() * 1e-9 : u < 0.8 ? -1 - Math.random() * 1e-9 : u < 0.9 ? (u < 0.85 ? 0 : -0) : (Math.random() - 0.5) * 1e6;
      }
      const expected = a.slice().sort();
      sortDoubles(a, n);
      expect(show(a)).toEqual(show(expected));
    }
  });
});
