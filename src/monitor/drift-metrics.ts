/**
 * Per-feature drift metrics beyond SageMaker's check: PSI, Jensen–Shannon distance and a normalised
 * Wasserstein distance, computed from two statistics.json profiles (no raw data needed).
 *
 * Definitions (one each, used everywhere in Vigil):
 * - PSI = Σ_i (q_i − p_i) · ln(q_i / p_i), p = baseline bin fractions, q = current bin fractions (natural log;
 *   the same as Deequ's `populationStabilityIndex`, symmetric = KL(p‖q) + KL(q‖p)). An empty bin would make it
 *   infinite, so a zero fraction is replaced by 1e-4 on that side only (no renormalisation), the convention of
 *   Evidently and most PSI tooling. Rule of thumb: < 0.1 stable, 0.1–0.2 moderate, > 0.2 shifted.
 * - Jensen–Shannon distance, base 2: sqrt(½ KL₂(p‖m) + ½ KL₂(q‖m)), m = ½(p + q); in [0, 1]; equal to
 *   scipy.spatial.distance.jensenshannon(p, q, base=2). No smoothing needed.
 * - Wasserstein-1 (earth mover's) between the two weighted empirical distributions held by the KLL sketches
 *   (item at level i weighs 2^i): ∫|F_b(x) − F_c(x)| dx, divided by the baseline population std_dev so it
 *   reads in baseline standard deviations. Numeric features only.
 *
 * Binning. Numeric: the baseline's 10 equal-width KLL buckets over [min, max] (low_i = min + (max−min)·i/10,
 * bucket i = [low_i, low_{i+1}), the last one closed; these are the buckets statistics.json shows), plus two
 * open tails (−∞, min) and (max, +∞) so current values outside the baseline range count; 12 bins. A constant
 * baseline (min = max) gives three bins: below, equal, above. Counts come from the sketch items and weights,
 * exact whenever the sketch has not compacted. Categorical: one bin per category in the union of both
 * histograms (baseline order first).
 */
import type { CategoricalBucket, FeatureStatistics, NumericalStatistics, Statistics } from './schema.js';

export const PSI_EPSILON = 1e-4;
export const NUMERIC_BUCKETS = 10;

export interface DriftMetrics {
  kind: 'numerical' | 'categorical';
  psi: number;
  jensenShannon: number;
  /** Wasserstein-1 / baseline std_dev (numeric only); Infinity if the baseline is constant and the current is not. */
  wasserstein?: number;
  /** Wasserstein-1 in the feature's units (numeric only). */
  wassersteinRaw?: number;
  /** Bin fractions used (baseline, current), for reports. */
  bins: { labels: string[]; baseline: number[]; current: number[] };
}

export function psi(p: readonly number[], q: readonly number[], epsilon = PSI_EPSILON): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] === 0 ? epsilon : p[i];
    const b = q[i] === 0 ? epsilon : q[i];
    s += (b - a) * Math.log(b / a);
  }
  return s;
}

export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number {
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] / sp;
    const b = q[i] / sq;
    const m = (a + b) / 2;
    if (a > 0) js += a * Math.log2(a / m);
    if (b > 0) js += b * Math.log2(b / m);
  }
  return Math.sqrt(Math.max(0, js / 2));
}

/** Weighted values (value, weight), e.g. from a KLL sketch. */
export interface WeightedSample {
  values: number[];
  weights: number[];
}

export function sketchSample(data: readonly (readonly number[])[]): WeightedSample {
  const values: number[] = [];
  const weights: number[] = [];
  data.forEach((level, i) => {
    for (const x of level) {
      if (Number.isNaN(x)) continue;
      values.push(x);
      weights.push(2 ** i);
    }
  });
  return { values, weights };
}

/** Wasserstein-1 between two weighted samples: ∫ |F_a − F_b| over the merged support. */
export function wasserstein1(a: WeightedSample, b: WeightedSample): number {
  const ta = a.weights.reduce((s, w) => s + w, 0);
  const tb = b.weights.reduce((s, w) => s + w, 0);
  if (ta === 0 || tb === 0) return NaN;
  const events: [number, number, number][] = [];
  a.values.forEach((x, i) => events.push([x, a.weights[i] / ta, 0]));
  b.values.forEach((x, i) => events.push([x, 0, b.weights[i] / tb]));
  events.sort((x, y) => x[0] - y[0]);
  let fa = 0;
  let fb = 0;
  let total = 0;
  for (let i = 0; i < events.length; i++) {
    fa += events[i][1];
    fb += events[i][2];
    if (i + 1 < events.length) total += Math.abs(fa - fb) * (events[i + 1][0] - events[i][0]);
  }
  return total;
}

/** Bin edges and labels for a numeric baseline (see the module comment). */
export function numericBins(min: number, max: number): { inner: number[]; labels: string[] } {
  if (!(max > min)) return { inner: [min, max], labels: [`< ${min}`, `= ${min}`, `> ${max}`] };
  const inner = Array.from({ length: NUMERIC_BUCKETS + 1 }, (_, i) => (i === NUMERIC_BUCKETS ? max : min + ((max - min) * i) / NUMERIC_BUCKETS));
  const labels = [`< ${min}`];
  for (let i = 0; i < NUMERIC_BUCKETS; i++) labels.push(`[${inner[i]}, ${inner[i + 1]}${i === NUMERIC_BUCKETS - 1 ? ']' : ')'}`);
  labels.push(`> ${max}`);
  return { inner, labels };
}

function binIndex(x: number, inner: readonly number[]): number {
  const last = inner.length - 1;
  if (x < inner[0]) return 0;
  if (x > inner[last]) return inner.length; // upper tail
  if (inner.length === 2 && inner[0] === inner[1]) return 1;
  let lo = 0;
  let hi = last; // largest i < last with inner[i] <= x
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (inner[mid] <= x) lo = mid;
    else hi = mid;
  }
  return lo + 1;
}

export function histogram(s: WeightedSample, inner: readonly number[]): number[] {
  const nbins = inner.length === 2 && inner[0] === inner[1] ? 3 : inner.length + 1;
  const counts = new Array<number>(nbins).fill(0);
  s.values.forEach((x, i) => {
    counts[Math.min(binIndex(x, inner), nbins - 1)] += s.weights[i];
  });
  return counts;
}

const fractions = (c: readonly number[]): number[] => {
  const t = c.reduce((a, b) => a + b, 0);
  return c.map((x) => (t === 0 ? 0 : x / t));
};

export function numericDriftMetrics(baseline: NumericalStatistics, current: NumericalStatistics): DriftMetrics | undefined {
  const bs = baseline.distribution?.kll.sketch;
  const cs = current.distribution?.kll.sketch;
  if (!bs || !cs) return undefined;
  const a = sketchSample(bs.data);
  const b = sketchSample(cs.data);
  if (a.values.length === 0 || b.values.length === 0) return undefined;
  const { inner, labels } = numericBins(baseline.min, baseline.max);
  const p = fractions(histogram(a, inner));
  const q = fractions(histogram(b, inner));
  const raw = wasserstein1(a, b);
  const std = baseline.std_dev;
  const wasserstein = std > 0 ? raw / std : raw === 0 ? 0 : Infinity;
  return { kind: 'numerical', psi: psi(p, q), jensenShannon: jensenShannonDistance(p, q), wasserstein, wassersteinRaw: raw, bins: { labels, baseline: p, current: q } };
}

export function categoricalDriftMetrics(baseline: readonly CategoricalBucket[], current: readonly CategoricalBucket[]): DriftMetrics | undefined {
  const labels: string[] = [];
  const idx = new Map<string, number>();
  for (const bk of [...baseline, ...current]) {
    if (!idx.has(bk.value)) {
      idx.set(bk.value, labels.length);
      labels.push(bk.value);
    }
  }
  const count = (bs: readonly CategoricalBucket[]): number[] => {
    const c = new Array<number>(labels.length).fill(0);
    for (const bk of bs) c[idx.get(bk.value) as number] += bk.count;
    return c;
  };
  const pc = count(baseline);
  const qc = count(current);
  if (pc.every((x) => x === 0) || qc.every((x) => x === 0)) return undefined;
  const p = fractions(pc);
  const q = fractions(qc);
  return { kind: 'categorical', psi: psi(p, q), jensenShannon: jensenShannonDistance(p, q), bins: { labels, baseline: p, current: q } };
}

export function featureDriftMetrics(b: FeatureStatistics, c: FeatureStatistics): DriftMetrics | undefined {
  if (b.numerical_statistics && c.numerical_statistics) return numericDriftMetrics(b.numerical_statistics, c.numerical_statistics);
  const bb = b.string_statistics?.distribution?.categorical.buckets;
  const cb = c.string_statistics?.distribution?.categorical.buckets;
  if (bb && cb) return categoricalDriftMetrics(bb, cb);
  return undefined;
}

/** Drift metrics for every feature present in both profiles, keyed by feature name (current order). */
export function driftMetrics(baseline: Statistics, current: Statistics): Map<string, DriftMetrics> {
  const base = new Map(baseline.features.map((f) => [f.name, f]));
  const out = new Map<string, DriftMetrics>();
  for (const c of current.features) {
    const b = base.get(c.name);
    const m = b && featureDriftMetrics(b, c);
    if (m) out.set(c.name, m);
  }
  return out;
}
