/**
 * Distances for baseline_drift_check, following Deequ's `Distance.scala` (spec sagemaker-monitor.md §3.2).
 *
 * - Numerical: two-sample Kolmogorov–Smirnov statistic (L∞ between the two empirical CDFs) read from the KLL
 *   sketches' items, each item at level i weighing 2^i. `Simple` returns it as is; `Robust` subtracts the KS
 *   critical value c(α)·sqrt((n+m)/(n·m)) and clamps at 0 (c = 1.8 ≈ α 0.003, or sqrt(−ln(α/2)/2) for a given α).
 * - Categorical L∞: max |p1(k) − p2(k)| over the union of categories, then the same Simple/Robust step.
 * - Categorical χ²: see distance-chisq.ts.
 *
 * One deliberate choice: Deequ builds its rank map with a Scala ListMap keyed by item, so when the same value
 * occurs several times in a sketch only the weight of its last occurrence survives (n then counts distinct
 * values, not rows). `ties: 'sum'` (default) adds the weights of equal items — the true KS statistic, equal to
 * scipy's ks_2samp on exact sketches; `ties: 'deequ'` reproduces the ListMap behaviour bit for bit. Both agree
 * whenever sketch items are distinct, which is the case in all of Deequ's test vectors.
 */
import type { CategoricalBucket, KllSketchJson } from './schema.js';

export type ComparisonMethod = 'Simple' | 'Robust';

/** Deequ's default c(α), α ≈ 0.003 (Knuth TAOCP vol. 2, §3.3.1 eq. 15). */
export const DEFAULT_C_ALPHA = 1.8;

export interface LInfinityOptions {
  /** `Simple` = Deequ correctForLowNumberOfSamples=true; `Robust` (default) = the KS-corrected distance. */
  method?: ComparisonMethod;
  /** Significance level for the Robust correction; absent = c(α) 1.8. */
  alpha?: number;
}

export interface NumericalDistanceOptions extends LInfinityOptions {
  ties?: 'sum' | 'deequ';
}

export interface LInfinityResult {
  /** The value Deequ returns for the chosen method (what is compared with the threshold). */
  distance: number;
  linfSimple: number;
  linfRobust: number;
  /** Total weights of the two sides. */
  n: number;
  m: number;
}

/** c(α) for the two-sample KS test: sqrt(−ln(α/2)/2). */
export function cAlpha(alpha?: number): number {
  return alpha === undefined ? DEFAULT_C_ALPHA : Math.sqrt(-Math.log(alpha / 2) * 0.5);
}

function finish(linfSimple: number, n: number, m: number, opts: LInfinityOptions): LInfinityResult {
  const linfRobust = Math.max(0, linfSimple - cAlpha(opts.alpha) * Math.sqrt((n + m) / (n * m)));
  const distance = (opts.method ?? 'Robust') === 'Simple' ? linfSimple : linfRobust;
  return { distance, linfSimple, linfRobust, n, m };
}

/** Sorted distinct items with cumulative weight (Deequ `getRankMap`). */
export function rankMap(data: readonly (readonly number[])[], ties: 'sum' | 'deequ' = 'sum'): { items: number[]; ranks: number[] } {
  const pairs: [number, number][] = [];
  data.forEach((level, i) => {
    for (const x of level) if (!Number.isNaN(x)) pairs.push([x, 2 ** i]);
  });
  pairs.sort((a, b) => a[0] - b[0]); // stable: equal items keep level order, as Scala's sortBy does
  const items: number[] = [];
  const weights: number[] = [];
  for (const [x, w] of pairs) {
    if (items.length > 0 && items[items.length - 1] === x) {
      weights[weights.length - 1] = ties === 'sum' ? weights[weights.length - 1] + w : w;
    } else {
      items.push(x);
      weights.push(w);
    }
  }
  const ranks: number[] = [];
  let running = 0;
  for (const w of weights) ranks.push((running += w));
  return { items, ranks };
}

/** Cumulative weight of the largest item ≤ x (Deequ `getRank(item, rankMap)`), by binary search. */
function rankAt(items: number[], ranks: number[], x: number): number {
  let lo = 0;
  let hi = items.length; // first index with items[i] > x
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : ranks[lo - 1];
}

type SketchLike = KllSketchJson | readonly (readonly number[])[];

function sketchData(s: SketchLike): readonly (readonly number[])[] {
  return Array.isArray(s) ? (s as readonly (readonly number[])[]) : (s as KllSketchJson).data;
}

/**
 * KLL-sketch L∞ distance between a baseline and a current numeric feature. NaN when either sketch is empty
 * (Deequ would throw on `max` of an empty map); callers treat NaN as "not comparable".
 */
export function numericalDistance(a: SketchLike, b: SketchLike, opts: NumericalDistanceOptions = {}): LInfinityResult {
  const r1 = rankMap(sketchData(a), opts.ties);
  const r2 = rankMap(sketchData(b), opts.ties);
  if (r1.items.length === 0 || r2.items.length === 0) {
    return { distance: NaN, linfSimple: NaN, linfRobust: NaN, n: r1.ranks.at(-1) ?? 0, m: r2.ranks.at(-1) ?? 0 };
  }
  const n = r1.ranks[r1.ranks.length - 1];
  const m = r2.ranks[r2.ranks.length - 1];
  let linf = 0;
  for (const key of [...r1.items, ...r2.items]) {
    const d = Math.abs(rankAt(r1.items, r1.ranks, key) / n - rankAt(r2.items, r2.ranks, key) / m);
    if (d > linf) linf = d;
  }
  return finish(linf, n, m, opts);
}

/** Category → count, in first-seen order (a Map, because object keys like "1" would be reordered). */
export type CategoryCounts = ReadonlyMap<string, number>;

export function toCategoryCounts(x: CategoryCounts | readonly CategoricalBucket[] | Readonly<Record<string, number>>): Map<string, number> {
  if (x instanceof Map) return new Map(x);
  if (Array.isArray(x)) {
    const m = new Map<string, number>();
    for (const b of x as readonly CategoricalBucket[]) m.set(b.value, (m.get(b.value) ?? 0) + b.count);
    return m;
  }
  return new Map(Object.entries(x as Record<string, number>));
}

/** Categorical L∞ distance between two category histograms (Deequ `categoricalLInfinityDistance`). */
export function categoricalLInfinity(a: CategoryCounts, b: CategoryCounts, opts: LInfinityOptions = {}): LInfinityResult {
  let n = 0;
  let m = 0;
  for (const v of a.values()) n += v;
  for (const v of b.values()) m += v;
  let linf = 0;
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const d = Math.abs((a.get(key) ?? 0) / n - (b.get(key) ?? 0) / m);
    if (d > linf) linf = d;
  }
  if (n === 0 || m === 0) return { distance: NaN, linfSimple: NaN, linfRobust: NaN, n, m };
  return finish(linf, n, m, opts);
}
