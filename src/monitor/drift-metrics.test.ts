import { describe, expect, it } from 'vitest';
import { numericFeature, statistics, stringFeature } from './checks-testkit.js';
import { categoricalDriftMetrics, driftMetrics, histogram, numericBins, psi, sketchSample } from './drift-metrics.js';

describe('drift metrics', () => {
  it('PSI reproduces Deequ populationStabilityIndex test vector', () => {
    const expected = [428, 425, 414, 427, 440, 447, 380, 386, 444, 386];
    const actual = [426, 437, 429, 391, 469, 433, 360, 443, 371, 418];
    const frac = (c: number[]): number[] => c.map((x) => x / c.reduce((a, b) => a + b, 0));
    expect(psi(frac(expected), frac(actual))).toBeCloseTo(0.007406694184014186, 15);
  });

  it('bins: 10 equal-width baseline buckets plus two tails, last bucket closed', () => {
    const { inner, labels } = numericBins(0, 10);
    expect(inner).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(labels[0]).toBe('< 0');
    expect(labels[10]).toBe('[9, 10]');
    expect(histogram(sketchSample([[-1, 0, 0.5, 1, 9.99, 10, 11]]), inner)).toEqual([1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 2, 1]);
    expect(histogram(sketchSample([[4, 5, 5, 6]]), numericBins(5, 5).inner)).toEqual([1, 2, 1]);
  });

  it('identical profiles drift zero; shifted numeric data drifts', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i);
    const base = statistics(numericFeature('x', xs), stringFeature('c', { a: 5, b: 5 }));
    const same = driftMetrics(base, base).get('x');
    expect(same).toMatchObject({ psi: 0, jensenShannon: 0, wasserstein: 0 });
    const moved = driftMetrics(base, statistics(numericFeature('x', xs.map((x) => x + 10)), stringFeature('c', { a: 5, b: 5 }))).get('x');
    expect(moved?.wassersteinRaw).toBeCloseTo(10, 12);
    expect(moved?.wasserstein).toBeCloseTo(10 / base.features[0].numerical_statistics!.std_dev, 12);
    expect(moved?.bins.current.at(-1)).toBeCloseTo(0.1, 12); // 10 values above the baseline max
    expect(moved!.psi).toBeGreaterThan(0.2);
  });

  it('categorical: union of categories, JS in [0, 1]', () => {
    const m = categoricalDriftMetrics([{ value: 'a', count: 10 }], [{ value: 'b', count: 10 }]);
    expect(m?.bins.labels).toEqual(['a', 'b']);
    expect(m?.jensenShannon).toBeCloseTo(1, 14);
    expect(m?.wasserstein).toBeUndefined();
    expect(categoricalDriftMetrics([], [{ value: 'b', count: 1 }])).toBeUndefined();
  });
});
