import { describe, expect, it } from 'vitest';
import { categoricalLInfinity, numericalDistance, rankMap } from './distance.js';
import { categoricalChiSquare } from './distance-chisq.js';
import { ScalaHashMap } from './distance-scala-order.js';

const m = (o: Record<string, number>): Map<string, number> => new Map(Object.entries(o));

// Vectors from Deequ src/test/scala/com/amazon/deequ/KLL/KLLDistanceTest.scala (spec §3.2), compared with ===.
describe('Deequ KLLDistanceTest vectors', () => {
  it('numerical linf_simple / linf_robust', () => {
    const a = [[1, 2, 3, 4]];
    const b = [[2, 3, 4, 5]];
    expect(numericalDistance(a, b, { method: 'Simple' }).distance).toBe(0.25);
    expect(numericalDistance(a, b).distance).toBe(0.0);
  });

  it('categorical linf_simple / linf_robust', () => {
    const s1 = m({ a: 10, b: 20, c: 25, d: 10, e: 5 });
    const s2 = m({ a: 11, b: 20, c: 25, d: 10, e: 10 });
    expect(categoricalLInfinity(s1, s2, { method: 'Simple' }).distance).toBe(0.06015037593984962);
    expect(categoricalLInfinity(s1, s2).distance).toBe(0.0);
  });

  it('categorical linf with different bin values', () => {
    const s1 = m({ a: 10, b: 20, c: 25, d: 10, e: 5 });
    const s2 = m({ f: 11, a: 20, c: 25, d: 10, e: 10 });
    expect(categoricalLInfinity(s1, s2, { method: 'Simple' }).distance).toBe(0.2857142857142857);
    expect(categoricalLInfinity(s1, s2).distance).toBe(0.0);
  });

  it('categorical linf_robust with alpha .003 and .1', () => {
    const s1 = m({ a: 207, b: 20, c: 25, d: 14, e: 25, g: 13 });
    const s2 = m({ a: 22, b: 20, c: 25, d: 12, e: 13, f: 15 });
    // Deequ itself asserts this one only to ±1e-14 (JVM Math.log/sqrt may differ from V8 by an ulp).
    expect(categoricalLInfinity(s1, s2, { alpha: 0.003 }).distance).toBeCloseTo(0.2726338046550349, 14);
    expect(categoricalLInfinity(s1, s2, { alpha: 0.1 }).distance).toBe(0.33774199396969184);
  });

  it('chi-square statistic and p-value with missing bin values', () => {
    const s1 = m({ a: 207, b: 20, c: 25, d: 14, e: 25, g: 13 });
    const s2 = m({ a: 223, b: 20, c: 25, d: 12, e: 13, f: 15 });
    const r = categoricalChiSquare(s1, s2);
    expect(r.statistic).toBe(28.175042782458068);
    expect(r.pValue).toBe(3.3640191298478506e-5);
  });

  it('chi-square p-value', () => {
    const r = categoricalChiSquare(m({ a: 207, b: 20, c: 25, d: 14, e: 25 }), m({ a: 223, b: 20, c: 25, d: 12, e: 13 }));
    expect(r.pValue).toBe(0.013227994814265176);
  });

  it('chi-square regrouping 2 categories (Yates) after normalising', () => {
    const r = categoricalChiSquare(m({ a: 100, b: 20, c: 25, d: 10, e: 5, f: 2 }), m({ a: 100, b: 22, c: 25, d: 5, e: 13, f: 2 }));
    expect(r.statistic).toBe(8.789790456457125);
  });

  it('chi-square regrouping (Yates)', () => {
    const baseline = m({ a: 100, b: 40, c: 30, e: 4 });
    const sample = m({ a: 100, b: 40, c: 30, d: 10 });
    expect(categoricalChiSquare(sample, baseline).statistic).toBe(0.38754325259515626);
  });

  it('chi-square regrouping 2 categories (Yates)', () => {
    const baseline = m({ a: 100, b: 4, c: 3, d: 34 });
    const sample = m({ a: 100, b: 4, c: 3, d: 27 });
    expect(categoricalChiSquare(sample, baseline).statistic).toBe(1.1507901668129925);
  });

  it('chi-square regrouping where small categories stay under 20%', () => {
    const baseline = m({ a: 100, b: 2, c: 1, d: 34, e: 20, f: 20, g: 20, h: 20 });
    const sample = m({ a: 100, b: 4, c: 3, d: 27, e: 20, f: 20, g: 20, h: 20 });
    expect(categoricalChiSquare(sample, baseline).statistic).toBe(6.827423492761593);
  });

  it('chi-square NaN cases', () => {
    expect(categoricalChiSquare(m({ a: 100, b: 4, c: 3 }), m({ a: 100, b: 4, c: 3 })).statistic).toBeNaN();
    expect(categoricalChiSquare(m({ a: 10, b: 20 }), m({ b: 20 })).pValue).toBeNaN();
    expect(categoricalChiSquare(m({ a: 15, b: 20 }), m({ c: 20, d: 20 })).pValue).toBeNaN();
  });

  it('chi-square when the sample has fewer categories than the baseline', () => {
    expect(categoricalChiSquare(m({ a: 30 }), m({ a: 20, b: 20 })).pValue).toBe(4.3204630539861455e-8);
  });
});

describe('numerical distance details', () => {
  it('weights items by 2^level', () => {
    // level 1 item 10 stands for two values
    const r = rankMap([[1, 2], [10]]);
    expect(r.items).toEqual([1, 2, 10]);
    expect(r.ranks).toEqual([1, 2, 4]);
  });

  it('ties: sum counts every occurrence, deequ keeps the last weight (ListMap)', () => {
    expect(rankMap([[1, 1, 2], [1]]).ranks).toEqual([4, 5]);
    expect(rankMap([[1, 1, 2], [1]], 'deequ').ranks).toEqual([2, 3]);
  });

  it('robust penalty matches the spec table', () => {
    const a = Array.from({ length: 100 }, (_, i) => i);
    const r = numericalDistance([a], [a]);
    expect(r.linfSimple).toBe(0);
    expect(1.8 * Math.sqrt((r.n + r.m) / (r.n * r.m))).toBeCloseTo(0.2546, 4);
  });

  it('is NaN when a side is empty', () => {
    expect(numericalDistance([[]], [[1]]).distance).toBeNaN();
    expect(categoricalLInfinity(new Map(), m({ a: 1 })).distance).toBeNaN();
  });
});

describe('Scala HashMap order emulation', () => {
  it('orders single-letter keys as Scala 2.12 does', () => {
    expect(ScalaHashMap.from([...'abcdefgh'].map((k) => [k, 0] as const)).keys()).toEqual(['e', 'h', 'b', 'd', 'g', 'a', 'c', 'f']);
  });

  it('keeps every key across resizes', () => {
    const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
    const h = ScalaHashMap.from(keys.map((k) => [k, 1] as const));
    expect(h.keys().sort()).toEqual([...keys].sort());
    h.delete('k5');
    expect(h.size).toBe(99);
    expect(h.keys()).not.toContain('k5');
  });
});
