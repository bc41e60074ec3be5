/**
 * Cross-checks against scipy (Debian python3-scipy, run with /usr/bin/python3). These tests never skip: without
 * scipy they fail and say how to install it.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { categoricalLInfinity, numericalDistance } from './distance.js';
import { categoricalChiSquare } from './distance-chisq.js';
import { jensenShannonDistance, psi, sketchSample, wasserstein1 } from './drift-metrics.js';

function scipy(code: string): unknown {
  try {
    const out = execFileSync('/usr/bin/python3', ['-c', `import json, numpy as np, scipy.stats as st, scipy.spatial.distance as sd, scipy.special as sp\n${code}`], { encoding: 'utf8' });
    return JSON.parse(out);
  } catch (e) {
    throw new Error(`scipy reference failed — install Debian python3-scipy (apt-get install python3-scipy) so /usr/bin/python3 can import scipy.\n${(e as Error).message}`);
  }
}

// Deterministic pseudo-random samples (LCG) with distinct values, so an uncompacted KLL sketch is exact.
function sample(n: number, seed: number, shift: number, scale: number): number[] {
  let s = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(shift + scale * (s / 2 ** 32) + i * 1e-9);
  }
  return out;
}

describe('agreement with scipy', () => {
  const a = sample(300, 1, 0, 10);
  const b = sample(250, 2, 1.5, 10);

  it('numerical L∞ (Simple) equals scipy.stats.ks_2samp statistic', () => {
    const ref = scipy(`print(json.dumps(st.ks_2samp(${JSON.stringify(a)}, ${JSON.stringify(b)}).statistic))`) as number;
    expect(numericalDistance([a], [b], { method: 'Simple' }).distance).toBeCloseTo(ref, 12);
  });

  it('numerical L∞ with ties (ties: sum) equals ks_2samp', () => {
    const x = [1, 1, 2, 2, 2, 3, 5, 5];
    const y = [1, 2, 3, 3, 4, 5, 5, 5, 6];
    const ref = scipy(`print(json.dumps(st.ks_2samp(${JSON.stringify(x)}, ${JSON.stringify(y)}).statistic))`) as number;
    expect(numericalDistance([x], [y], { method: 'Simple' }).distance).toBeCloseTo(ref, 12);
  });

  it('categorical L∞ equals max |p − q| computed with numpy', () => {
    const p = new Map([['a', 207], ['b', 20], ['c', 25], ['d', 14], ['e', 25], ['g', 13]]);
    const q = new Map([['a', 22], ['b', 20], ['c', 25], ['d', 12], ['e', 13], ['f', 15]]);
    const ref = scipy(`p=np.array([207,20,25,14,25,0,13.]);q=np.array([22,20,25,12,13,15,0.]);print(json.dumps(float(np.max(np.abs(p/p.sum()-q/q.sum())))))`) as number;
    expect(categoricalLInfinity(p, q, { method: 'Simple' }).distance).toBeCloseTo(ref, 14);
  });

  it('chi-square statistic and p-value equal scipy.stats.chisquare on the normalised expected counts', () => {
    const obs = new Map([['a', 207], ['b', 20], ['c', 25], ['d', 14], ['e', 25]]);
    const exp = new Map([['a', 223], ['b', 20], ['c', 25], ['d', 12], ['e', 13]]);
    const r = categoricalChiSquare(obs, exp);
    const ref = scipy(`o=np.array([207,20,25,14,25.]);e=np.array([223,20,25,12,13.]);e=e/e.sum()*o.sum();r=st.chisquare(o,e);print(json.dumps([float(r.statistic),float(r.pvalue)]))`) as number[];
    expect(r.statistic).toBeCloseTo(ref[0], 10);
    expect(r.pValue / ref[1]).toBeCloseTo(1, 10);
  });

  it('PSI equals Σ rel_entr(p,q) + rel_entr(q,p)', () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    const q = [0.25, 0.25, 0.25, 0.25];
    const ref = scipy(`p=np.array(${JSON.stringify(p)});q=np.array(${JSON.stringify(q)});print(json.dumps(float(np.sum(sp.rel_entr(p,q)+sp.rel_entr(q,p)))))`) as number;
    expect(psi(p, q)).toBeCloseTo(ref, 14);
  });

  it('Jensen–Shannon distance equals scipy jensenshannon(base=2), unnormalised inputs too', () => {
    const p = [10, 0, 5, 3];
    const q = [2, 7, 5, 0];
    const ref = scipy(`print(json.dumps(float(sd.jensenshannon(${JSON.stringify(p)}, ${JSON.stringify(q)}, base=2))))`) as number;
    expect(jensenShannonDistance(p, q)).toBeCloseTo(ref, 14);
  });

  it('Wasserstein-1 over weighted sketch items equals scipy.stats.wasserstein_distance with weights', () => {
    const s1 = sketchSample([[1, 4, 9], [2, 7]]); // level-1 items weigh 2
    const s2 = sketchSample([[3, 3.5, 12, 0]]);
    const ref = scipy(
      `print(json.dumps(float(st.wasserstein_distance(${JSON.stringify(s1.values)}, ${JSON.stringify(s2.values)}, ${JSON.stringify(s1.weights)}, ${JSON.stringify(s2.weights)}))))`,
    ) as number;
    expect(wasserstein1(s1, s2)).toBeCloseTo(ref, 12);
    const ref2 = scipy(`print(json.dumps(float(st.wasserstein_distance(${JSON.stringify(a)}, ${JSON.stringify(b)}))))`) as number;
    expect(wasserstein1(sketchSample([a]), sketchSample([b]))).toBeCloseTo(ref2, 10);
  });
});
