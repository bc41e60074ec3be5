/**
 * Binary logistic regression fitted by Newton's method (IRLS) with an L2 penalty. With a few dozen features the
 * Hessian is tiny, so Newton converges in ~10 exact, deterministic steps with no learning rate to tune — a
 * better fit for a reproducible demo than gradient descent. Features are standardised for conditioning and the
 * penalty, then the scaling is folded back so the returned weights apply to raw feature values (which is what
 * the exported ONNX graph multiplies).
 */

export interface LogisticModel {
  /** Raw-space weights: logit = bias + Σ weights[j] · x[j]. */
  weights: number[];
  bias: number;
}

export interface FitOptions {
  /** L2 strength on the standardised weights (not the intercept). */
  l2?: number;
  maxIterations?: number;
  /** Stop when no parameter moves more than this in one Newton step. */
  tolerance?: number;
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export function predictLogit(model: LogisticModel, x: readonly number[]): number {
  let z = model.bias;
  for (let j = 0; j < model.weights.length; j++) z += model.weights[j] * x[j];
  return z;
}

export function predictProbability(model: LogisticModel, x: readonly number[]): number {
  return sigmoid(predictLogit(model, x));
}

/** Solves A·x = b for symmetric positive-definite A (Cholesky); A is d×d row-major. */
export function solveSpd(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      if (i === j) {
        if (s <= 0) throw new Error('Hessian is not positive definite (increase l2)');
        l[i * d + i] = Math.sqrt(s);
      } else {
        l[i * d + j] = s / l[j * d + j];
      }
    }
  }
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * d + k] * y[k];
    y[i] = s / l[i * d + i];
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < d; k++) s -= l[k * d + i] * x[k];
    x[i] = s / l[i * d + i];
  }
  return x;
}

interface Scaling {
  mean: number[];
  std: number[];
}

function scaling(x: readonly (readonly number[])[], f: number): Scaling {
  const n = x.length;
  const mean = new Array<number>(f).fill(0);
  const std = new Array<number>(f).fill(0);
  for (const row of x) for (let j = 0; j < f; j++) mean[j] += row[j] / n;
  for (const row of x) for (let j = 0; j < f; j++) std[j] += (row[j] - mean[j]) ** 2 / n;
  // A constant column (e.g. a category absent from the sample) keeps scale 1 rather than dividing by zero.
  return { mean, std: std.map((v) => (v > 1e-12 ? Math.sqrt(v) : 1)) };
}

/** Fits y ~ x. Rows of `x` are raw feature vectors of equal length; `y` holds 0/1 labels. */
export function fitLogistic(x: readonly (readonly number[])[], y: readonly number[], options: FitOptions = {}): LogisticModel & { iterations: number } {
  const { l2 = 1e-4, maxIterations = 50, tolerance = 1e-10 } = options;
  const n = x.length;
  if (n === 0 || y.length !== n) throw new Error('fitLogistic needs as many labels as rows, and at least one row');
  const f = x[0].length;
  const d = f + 1; // index 0 is the intercept
  const { mean, std } = scaling(x, f);
  const z = x.map((row) => {
    const r = new Float64Array(d);
    r[0] = 1;
    for (let j = 0; j < f; j++) r[j + 1] = (row[j] - mean[j]) / std[j];
    return r;
  });

  const theta = new Float64Array(d);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const grad = new Float64Array(d);
    const hess = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      const r = z[i];
      let logit = 0;
      for (let j = 0; j < d; j++) logit += theta[j] * r[j];
      const p = sigmoid(logit);
      const residual = (p - y[i]) / n;
      const w = (p * (1 - p)) / n;
      for (let j = 0; j < d; j++) {
        grad[j] += residual * r[j];
        const wr = w * r[j];
        for (let k = 0; k <= j; k++) hess[j * d + k] += wr * r[k];
      }
    }
    for (let j = 0; j < d; j++) for (let k = j + 1; k < d; k++) hess[j * d + k] = hess[k * d + j];
    for (let j = 1; j < d; j++) {
      grad[j] += l2 * theta[j];
      hess[j * d + j] += l2;
    }
    const step = solveSpd(hess, grad, d);
    let largest = 0;
    for (let j = 0; j < d; j++) {
      theta[j] -= step[j];
      largest = Math.max(largest, Math.abs(step[j]));
    }
    if (largest < tolerance) {
      iterations++;
      break;
    }
  }

  // Fold the standardisation: θ0 + Σ θj (xj − μj)/σj  =  (θ0 − Σ θj μj/σj) + Σ (θj/σj) xj.
  const weights = Array.from({ length: f }, (_, j) => theta[j + 1] / std[j]);
  const bias = theta[0] - weights.reduce((s, w, j) => s + w * mean[j], 0);
  return { weights, bias, iterations };
}
