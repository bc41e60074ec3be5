import { describe, expect, it } from 'vitest';
import { baselineFromProfile } from '../jobs.js';
import { DatasetProfile, profileToStatistics } from '../profile.js';
import { positionalNames, prepareBaseline, profileDrift } from './drift.js';

function profile(rows: Record<string, string>[]): DatasetProfile {
  const p = DatasetProfile.empty();
  for (const r of rows) p.add(r);
  return p;
}

const range = (n: number, f: (i: number) => Record<string, string>) => Array.from({ length: n }, (_, i) => f(i));

describe('profileDrift', () => {
  const base = baselineFromProfile(profile(range(1000, (i) => ({ amount: String(i % 100), kind: i % 2 ? 'a' : 'b' }))));

  it('compares positional traffic with a headed baseline by position, as a monitoring execution renames it', () => {
    const same = profile(range(500, (i) => ({ _c0: String(i % 100), _c1: i % 2 ? 'a' : 'b' })));
    const shifted = profile(range(500, (i) => ({ _c0: String(50 + (i % 100)), _c1: 'a' })));
    const prepared = prepareBaseline(base);
    expect(profileDrift(prepared, same, true).map((d) => [d.feature, d.distance])).toEqual([['amount', 0], ['kind', 0]]);
    const d = profileDrift(prepared, shifted, true);
    expect(d.map((x) => x.feature)).toEqual(['amount', 'kind']);
    expect(d[0].distance).toBeGreaterThan(0.4);
    expect(d[1].distance).toBeGreaterThan(0.4);
    expect(d[0].psi).toBeGreaterThan(1);
  });

  it('skips the output column of an output-first baseline and leaves unmatched shapes alone', () => {
    const withOutput = profile(range(10, (i) => ({ score: '0.5', amount: String(i) })));
    const live = profile(range(10, (i) => ({ _c0: String(i) })));
    expect(positionalNames(live, withOutput.featureNames(), true).featureNames()).toEqual(['amount']);
    expect(profileToStatistics(positionalNames(live, ['amount'])).features[0]).toEqual({ ...profileToStatistics(live).features[0], name: 'amount' });
    expect(positionalNames(live, ['a', 'b'])).toBe(live);
  });

  it('uses Simple or Robust per the constraints and skips features that neither compare nor emit', () => {
    const constraints = structuredClone(base.constraints);
    constraints.monitoring_config.distribution_constraints.comparison_method = 'Simple';
    constraints.features[1].monitoringConfigOverrides = { emit_metrics: 'Disabled' };
    const few = profile(range(20, (i) => ({ amount: String(i % 100), kind: 'a' })));
    const simple = profileDrift(prepareBaseline({ statistics: base.statistics, constraints }), few, false);
    const robust = profileDrift(prepareBaseline(base), few, false);
    expect(simple.map((d) => d.feature)).toEqual(['amount']);
    expect(simple[0].distance).toBeCloseTo(0.8, 10); // KS of 0..19 vs 0..99
    expect(robust[0].distance).toBeCloseTo(0.8 - 1.8 * Math.sqrt(1020 / 20_000), 10); // less the KS critical value
  });
});
