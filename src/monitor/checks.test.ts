import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkConstraints, evaluateConstraints } from './checks.js';
import { numericFeature, statistics, stringFeature } from './checks-testkit.js';
import { parseConstraints, type Constraints } from './constraints.js';
import type { Statistics } from './schema.js';
import { suggestConstraints } from './suggest.js';
import { formatViolations, parseViolations } from './violations.js';

const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

const baseline = statistics(
  numericFeature('amount', range(200, (i) => i)),
  numericFeature('count', range(200, (i) => i % 7), 'Integral'),
  stringFeature('plan', { gold: 80, silver: 60, bronze: 60 }),
);
const constraints = suggestConstraints(baseline);

const withConfig = (patch: (c: Constraints) => void): Constraints => {
  const c = parseConstraints(JSON.stringify(constraints));
  patch(c);
  return c;
};
const types = (v: ReturnType<typeof checkConstraints>): string[] => v.violations.map((x) => `${x.feature_name}:${x.constraint_check_type}`);

describe('checkConstraints', () => {
  it('finds nothing when the current data is the baseline', () => {
    expect(checkConstraints(baseline, baseline, constraints).violations).toEqual([]);
  });

  it('data_type_check: type changed (negative: unchanged)', () => {
    const cur = statistics(numericFeature('amount', range(200, (i) => i), 'Integral'), baseline.features[1], baseline.features[2]);
    const v = checkConstraints(baseline, cur, constraints);
    expect(v.violations).toEqual([
      { feature_name: 'amount', constraint_check_type: 'data_type_check', description: 'Data type match requirement is not met. Expected data type: Fractional, Expected match: 100.0%. Observed: Only 0.0% of data is Fractional.' },
    ]);
  });

  it('data_type_check: ratio from per-type counts against datatype_check_threshold', () => {
    const typeCounts = new Map([['count', { Integral: 100, Fractional: 100, Unknown: 5 }]]);
    const v = checkConstraints(baseline, baseline, constraints, { typeCounts });
    expect(v.violations[0].description).toBe('Data type match requirement is not met. Expected data type: Integral, Expected match: 100.0%. Observed: Only 50.0% of data is Integral.');
    const lenient = withConfig((c) => (c.monitoring_config.datatype_check_threshold = 0.5));
    expect(checkConstraints(baseline, baseline, lenient, { typeCounts }).violations).toEqual([]);
  });

  it('completeness_check: fewer non-null values than the baseline (negative: equal)', () => {
    const cur = statistics(baseline.features[0], numericFeature('count', [...range(190, (i) => i % 7), ...Array<null>(10).fill(null)], 'Integral'), baseline.features[2]);
    const v = checkConstraints(baseline, cur, constraints);
    expect(types(v)).toEqual(['count:completeness_check']);
    expect(v.violations[0].description).toBe('Data completeness requirement is not met. Expected completeness: 100.0%. Observed: Only 95.0% of data is complete.');
    const relaxed = withConfig((c) => (c.features[1].completeness = 0.9));
    expect(checkConstraints(baseline, cur, relaxed).violations).toEqual([]);
  });

  it('categorical_values_check: values outside the domain, against domain_content_threshold', () => {
    const cur = statistics(baseline.features[0], baseline.features[1], stringFeature('plan', { gold: 80, silver: 60, bronze: 55, platinum: 5 }));
    const v = checkConstraints(baseline, cur, constraints);
    expect(types(v)).toEqual(['plan:categorical_values_check']);
    expect(v.violations[0].description).toBe(
      'Categorical value match requirement is not met. Expected match: 100.0%. Observed: Only 97.5% of data is within the baseline domain. Unexpected values: "platinum".',
    );
    const lenient = withConfig((c) => (c.monitoring_config.domain_content_threshold = 0.9));
    expect(checkConstraints(baseline, cur, lenient).violations).toEqual([]);
  });

  it('baseline_drift_check numeric: Robust vs Simple and comparison_threshold', () => {
    const cur = statistics(numericFeature('amount', range(200, (i) => i + 60)), baseline.features[1], baseline.features[2]);
    // KS = 60/200 = 0.3; robust = 0.3 − 1.8·sqrt(400/40000) = 0.12
    const v = checkConstraints(baseline, cur, constraints);
    expect(types(v)).toEqual(['amount:baseline_drift_check']);
    expect(v.violations[0].description).toMatch(/^Numerical distance: 0\.1[12]\d* exceeds numerical threshold: 0\.1$/);
    const high = withConfig((c) => (c.monitoring_config.distribution_constraints.comparison_threshold = 0.15));
    expect(checkConstraints(baseline, cur, high).violations).toEqual([]);
    const simple = withConfig((c) => {
      c.monitoring_config.distribution_constraints.comparison_threshold = 0.15;
      c.monitoring_config.distribution_constraints.comparison_method = 'Simple';
    });
    expect(checkConstraints(baseline, cur, simple).violations[0].description).toMatch(/^Numerical distance: 0\.(3|29999+\d*|30000+\d*) exceeds numerical threshold: 0\.15$/);
    const off = withConfig((c) => (c.monitoring_config.distribution_constraints.perform_comparison = 'Disabled'));
    expect(checkConstraints(baseline, cur, off).violations).toEqual([]);
  });

  it('baseline_drift_check categorical: LInfinity and ChiSquared', () => {
    const cur = statistics(baseline.features[0], baseline.features[1], stringFeature('plan', { gold: 160, silver: 20, bronze: 20 }));
    // L∞ simple = |0.8 − 0.4| = 0.4; robust = 0.4 − 0.18 = 0.22
    const v = checkConstraints(baseline, cur, constraints);
    expect(types(v)).toEqual(['plan:baseline_drift_check']);
    expect(v.violations[0].description).toMatch(/^Categorical distance: 0\.2[12]\d* exceeds categorical threshold: 0\.1$/);
    const chi = withConfig((c) => (c.monitoring_config.distribution_constraints.categorical_drift_method = 'ChiSquared'));
    const r = evaluateConstraints(baseline, cur, chi);
    // χ² = 133.33 on 2 df: p ≈ 1e-29, which Spark's `1 − CDF` rounds to exactly 0.0; we keep that behaviour.
    expect(r.violations[0].description).toMatch(/^Categorical chi-squared p-value: 0\.0 \(statistic: 133\.3333333333333\d+\) is below categorical threshold: 0\.1$/);
    const same = evaluateConstraints(baseline, baseline, chi);
    expect(same.features.find((f) => f.name === 'plan')?.drift).toMatchObject({ method: 'ChiSquared', value: 1, violated: false });
  });

  it('missing_column_check and extra_column_check', () => {
    const cur = statistics(baseline.features[0], baseline.features[2], stringFeature('new_col', { a: 1 }));
    const v = checkConstraints(baseline, cur, constraints);
    expect(v.violations).toEqual([
      { feature_name: 'count', constraint_check_type: 'missing_column_check', description: 'There are missing columns in current dataset. Number of columns in current dataset: 3, Number of columns in baseline constraints: 3' },
      { feature_name: 'new_col', constraint_check_type: 'extra_column_check', description: 'There are extra columns in current dataset. Number of columns in current dataset: 3, Number of columns in baseline constraints: 3' },
    ]);
  });

  it('evaluate_constraints: global switch and per-feature override', () => {
    const cur = statistics(numericFeature('amount', range(200, (i) => i + 60), 'Integral'), baseline.features[1], stringFeature('plan', { gold: 160, silver: 20, bronze: 20 }));
    expect(checkConstraints(baseline, cur, withConfig((c) => (c.monitoring_config.evaluate_constraints = 'Disabled'))).violations).toEqual([]);
    const one = withConfig((c) => (c.features[0].monitoringConfigOverrides = { evaluate_constraints: 'Disabled' }));
    const r = evaluateConstraints(baseline, cur, one);
    expect(types(r)).toEqual(['plan:baseline_drift_check']);
    // drift is still measured for metrics
    expect(r.features[0]).toMatchObject({ name: 'amount', evaluated: false });
  });

  it('per-feature threshold override beats the global one', () => {
    const cur = statistics(numericFeature('amount', range(200, (i) => i + 60)), baseline.features[1], baseline.features[2]);
    const c = withConfig((x) => (x.features[0].monitoringConfigOverrides = { distribution_constraints: { comparison_threshold: 0.5 } }));
    expect(checkConstraints(baseline, cur, c).violations).toEqual([]);
  });
});

describe('constraint_violations.json golden', () => {
  it('writes every check type in the container layout', () => {
    const cur: Statistics = statistics(
      numericFeature('amount', [...range(190, (i) => i + 60), ...Array<null>(10).fill(null)], 'Integral'),
      stringFeature('plan', { gold: 150, silver: 20, bronze: 20, platinum: 10 }),
      stringFeature('extra', { x: 3 }),
    );
    const text = formatViolations(checkConstraints(baseline, cur, constraints));
    const path = new URL('./testdata/violations/all-checks.json', import.meta.url);
    if (process.env.VIGIL_UPDATE_GOLDEN === '1' || !existsSync(path)) writeFileSync(path, text);
    expect(text).toBe(readFileSync(path, 'utf8'));
    expect(parseViolations(text).violations.map((v) => v.constraint_check_type).sort()).toEqual(
      ['baseline_drift_check', 'baseline_drift_check', 'categorical_values_check', 'completeness_check', 'data_type_check', 'extra_column_check', 'missing_column_check'],
    );
  });

  it('reads the SDK sample (older wording)', () => {
    const v = parseViolations(readFileSync(new URL('./testdata/violations/sdk-sample.json', import.meta.url), 'utf8'));
    expect(v.violations).toHaveLength(7);
    expect(v.violations[0]).toEqual({ feature_name: 'store_and_fwd_flag', constraint_check_type: 'categorical_values_check', description: 'Value: 0.009009009009009009 does not meet the constraint requirement! ' });
  });

  it('writes an empty list as the container does', () => {
    expect(formatViolations({ violations: [] })).toBe('{\n  "violations" : [ ]\n}\n');
    expect(() => parseViolations('{"violations": [{"feature_name": 1}]}')).toThrow(/violations\[0\]\.feature_name: expected a string/);
  });
});
