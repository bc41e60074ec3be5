/**
 * Deequ's chi-square categorical distance (Distance.scala `categoricalChiSquareTest`, Deequ ≥ 2.0.3):
 *
 * 1. Normalise the expected (baseline) counts to the observed total restricted to shared categories:
 *    expectedNorm(k) = expected(k) / Σexpected · Σ{sample(k) : k ∈ expected}.
 * 2. Regroup small categories until the table is valid: with exactly 2 categories every expected count must be
 *    ≥ 10 (Cochran); with more, at most floor(0.2·K) expected counts may be < 5 (Yates). Each step removes the
 *    smallest expected category and adds it (in both maps) to the then-smallest remaining one.
 * 3. Fewer than 2 categories left → NaN. Otherwise Spark's goodness-of-fit test on the vectors ordered by the
 *    expected map's keys; observed categories absent from the baseline are dropped there.
 *
 * Maps are walked in Scala 2.12 HashMap order (distance-scala-order.ts) because Deequ's `minBy` tie-breaks and
 * the χ² summation follow it. Inputs are taken in insertion order, as `mutable.Map(k -> v, …)` would be built.
 */
import { chiSquaredPValue } from './distance-gamma.js';
import { ScalaHashMap } from './distance-scala-order.js';
import type { CategoryCounts } from './distance.js';

export interface ChiSquareOptions {
  absThresholdYates?: number;
  percThresholdYates?: number;
  absThresholdCochran?: number;
}

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  degreesOfFreedom: number;
  /** Categories actually tested (after regrouping), in test order. */
  categories: string[];
}

const MIN_DIMENSION = 2;

/**
 * @param sample   observed (current) category counts
 * @param expected expected (baseline) category counts
 * @returns statistic and p-value; both NaN when fewer than two categories remain.
 */
export function categoricalChiSquare(sample: CategoryCounts, expected: CategoryCounts, opts: ChiSquareOptions = {}): ChiSquareResult {
  const yatesAbs = opts.absThresholdYates ?? 5;
  const yatesPerc = opts.percThresholdYates ?? 0.2;
  const cochranAbs = opts.absThresholdCochran ?? 10;

  const sampleMap = ScalaHashMap.from(sample);
  const expectedMap = ScalaHashMap.from(expected);

  let sampleSum = 0;
  for (const [k, v] of sampleMap.entries()) if (expectedMap.has(k)) sampleSum += v;
  let expectedSum = 0;
  for (const [, v] of expectedMap.entries()) expectedSum += v;

  // `.map` on a Scala map builds a fresh HashMap by inserting in the source's iteration order.
  const exp = ScalaHashMap.from(expectedMap.entries().map(([k, v]) => [k, (v / expectedSum) * sampleSum] as const));
  const obs = ScalaHashMap.from(sampleMap.entries());

  regroup(obs, exp, yatesAbs, yatesPerc, cochranAbs);

  const categories = exp.keys();
  if (categories.length < MIN_DIMENSION) {
    return { statistic: NaN, pValue: NaN, degreesOfFreedom: Math.max(0, categories.length - 1), categories };
  }
  const observed = categories.map((k) => obs.get(k) ?? 0);
  const expectedCounts = categories.map((k) => exp.get(k) as number);
  const { statistic, pValue } = sparkChiSqTest(observed, expectedCounts);
  return { statistic, pValue, degreesOfFreedom: categories.length - 1, categories };
}

function regroup(obs: ScalaHashMap<number>, exp: ScalaHashMap<number>, yatesAbs: number, yatesPerc: number, cochranAbs: number): void {
  for (;;) {
    const k = exp.size;
    if (k < MIN_DIMENSION) return;
    const absThreshold = k > MIN_DIMENSION ? yatesAbs : cochranAbs;
    const maxBelow = k > MIN_DIMENSION ? Math.trunc(yatesPerc * k) : 0;
    let below = 0;
    for (const [, v] of exp.entries()) if (v < absThreshold) below++;
    if (below <= maxBelow) return;

    const [minKey, minValue] = exp.minBy((v) => v) as [string, number];
    const sampleMin = obs.get(minKey) ?? 0;
    exp.delete(minKey);
    obs.delete(minKey);
    const [secondKey, secondValue] = exp.minBy((v) => v) as [string, number];
    const sampleSecond = obs.get(secondKey) ?? 0;
    exp.set(secondKey, secondValue + minValue);
    obs.set(secondKey, sampleMin + sampleSecond);
  }
}

/** Spark MLlib `ChiSqTest.chiSquared` (Pearson goodness of fit), same arithmetic order. */
export function sparkChiSqTest(observed: readonly number[], expected: readonly number[]): { statistic: number; pValue: number } {
  if (observed.some((o) => o < 0)) throw new Error('Negative entries disallowed in the observed vector.');
  if (expected.some((e) => e < 0)) throw new Error('Negative entries disallowed in the expected vector.');
  let obsSum = 0;
  for (const o of observed) obsSum += o;
  let expSum = 0;
  for (const e of expected) expSum += e;
  const scale = Math.abs(obsSum - expSum) < 1e-7 ? 1 : obsSum / expSum;
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i];
    const e = expected[i];
    if (e === 0) {
      if (o === 0) throw new Error('Chi-squared statistic undefined for input vectors due to 0.0 values in both observed and expected.');
      return { statistic: Infinity, pValue: 0 };
    }
    const ex = scale === 1 ? e : e * scale;
    const dev = o - ex;
    statistic += (dev * dev) / ex;
  }
  return { statistic, pValue: chiSquaredPValue(observed.length - 1, statistic) };
}
