import { mulberry32 } from '../../src/util/prng.js';

/**
 * A seeded pseudo-random generator, so the same seed always yields the same dataset on every machine and Node
 * version (Math.random cannot be seeded). The core is mulberry32 — a 32-bit state, one multiply-xorshift step per
 * draw, period 2^32 — which is plenty for synthetic demo data and trivially portable. Normal draws use the
 * Box–Muller transform; everything else is built on uniform().
 */
export class Prng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.uniform();
  }

  /** Integer uniform in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.uniform() * (max - min + 1));
  }

  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  /** Standard normal via Box–Muller (one of the pair is discarded: simpler, and speed does not matter here). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.uniform(); // (0, 1], so log() stays finite
    const v = this.uniform();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and log-space spread. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(this.normal(0, sigma));
  }

  /** Poisson by Knuth's multiplication method; fine for the small means used here. */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.uniform();
    while (p > limit) {
      k++;
      p *= this.uniform();
    }
    return k;
  }

  /** One of `items`, drawn with the given (unnormalised) weights. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    const total = weights.reduce((a, w) => a + w, 0);
    let r = this.uniform() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i];
      if (r < 0) return items[i];
    }
    return items[items.length - 1];
  }
}
