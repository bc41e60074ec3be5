/**
 * Chi-squared survival function computed the way Spark MLlib's `Statistics.chiSqTest` does it:
 * `pValue = 1 − P(df/2, χ²/2)` with P the regularized lower incomplete gamma function, evaluated by the
 * classic power series when x < a + 1 and otherwise as 1 − Q with Q from a modified-Lentz continued fraction
 * (the scheme Apache Commons Math uses, convergence 1e-14). Keeping the same `1 − (1 − Q)` structure matters:
 * Deequ's test vectors are exact doubles, and a "better" direct Q would differ in the last bits.
 *
 * Chi-square degrees of freedom are whole numbers, so a = df/2 is an integer or a half-integer and Γ(a) has a
 * closed form, which we evaluate directly instead of approximating log Γ.
 */

const EPSILON = 1e-14;
const MAX_ITERATIONS = 100_000;
const TINY = 1e-50;

/** ln Γ(a) for a > 0; exact-product evaluation for (half-)integers up to 170, Lanczos otherwise. */
export function logGamma(a: number): number {
  if (a > 0 && a <= 170 && Number.isInteger(2 * a)) {
    if (Number.isInteger(a)) {
      let f = 1;
      for (let i = 2; i < a; i++) f *= i;
      return Math.log(f);
    }
    // Γ(n + ½) = √π · Π_{i=1..n} (i − ½)
    let f = Math.sqrt(Math.PI);
    for (let x = 0.5; x < a; x += 1) f *= x;
    return Math.log(f);
  }
  return lanczosLogGamma(a);
}

// Lanczos approximation, g = 7, n = 9 (Godfrey's coefficients); ~15 significant digits.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

function lanczosLogGamma(a: number): number {
  if (a < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * a))) - lanczosLogGamma(1 - a);
  const x = a - 1;
  let s = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) s += LANCZOS[i] / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Regularized lower incomplete gamma P(a, x). */
export function regularizedGammaP(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return NaN;
  if (x === 0) return 0;
  if (x >= a + 1) return 1 - regularizedGammaQ(a, x);
  let n = 0;
  let term = 1 / a;
  let sum = term;
  while (Math.abs(term / sum) > EPSILON && n < MAX_ITERATIONS && sum < Infinity) {
    n++;
    term *= x / (a + n);
    sum += term;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * sum;
}

/** Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x). */
export function regularizedGammaQ(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return NaN;
  if (x === 0) return 1;
  if (x < a + 1) return 1 - regularizedGammaP(a, x);
  // Continued fraction for Q: b0 = x + 1 − a, then a_n = (2n + 1) − a + x, b_n = n(a − n) (modified Lentz).
  let h = 1 - a + x;
  if (Math.abs(h) < TINY) h = TINY;
  let c = h;
  let d = 0;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    const an = 2 * n + 1 - a + x;
    const bn = n * (a - n);
    d = an + bn * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = an + bn / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = c * d;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * (1 / h);
}

/** P(χ²_df ≥ statistic) exactly as Spark computes it: 1 − CDF. */
export function chiSquaredPValue(df: number, statistic: number): number {
  if (statistic === Infinity) return 0;
  const cdf = statistic <= 0 ? 0 : regularizedGammaP(df / 2, statistic / 2);
  return 1 - cdf;
}
