import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { numericFeature, statistics, stringFeature } from './checks-testkit.js';
import { formatConstraints, parseConstraints } from './constraints.js';
import { suggestConstraints, suggestDomain } from './suggest.js';

/** Compare with a golden file; VIGIL_UPDATE_GOLDEN=1 rewrites it. */
function golden(path: URL, actual: string): void {
  if (process.env.VIGIL_UPDATE_GOLDEN === '1' || !existsSync(path)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

const baseline = statistics(
  numericFeature('age', [31, 45, 27, 60, null], 'Integral'),
  numericFeature('balance', [-10.5, 200.25, 0, 13.5, 7]),
  stringFeature('country', { US: 3, DE: 1, FR: 1 }),
  stringFeature('plan', { gold: 40, silver: 30, bronze: 30 }),
  stringFeature('user_id', { a: 1, b: 1, c: 1, d: 2 }),
  { name: 'empty', inferred_type: 'Unknown' },
);

describe('suggestConstraints', () => {
  it('matches the golden constraints.json', () => {
    const text = formatConstraints(suggestConstraints(baseline));
    golden(new URL('./testdata/constraints/suggested.json', import.meta.url), text);
    // and what we write parses back
    expect(parseConstraints(text).features).toHaveLength(6);
  });

  it('derives completeness, non-negativity and the domain', () => {
    const c = suggestConstraints(baseline);
    const f = Object.fromEntries(c.features.map((x) => [x.name, x]));
    expect(f.age).toMatchObject({ inferred_type: 'Integral', completeness: 0.8, num_constraints: { is_non_negative: true } });
    expect(f.balance.num_constraints).toEqual({ is_non_negative: false });
    expect(f.plan.string_constraints).toEqual({ domains: ['gold', 'bronze', 'silver'] }); // tie: reverse order
    expect(f.user_id.string_constraints).toBeUndefined(); // 3 of 4 values are singletons
    expect(f.empty).toEqual({ name: 'empty', inferred_type: 'Unknown', completeness: 0 });
  });

  it('writes categorical drift settings only when overridden', () => {
    expect(formatConstraints(suggestConstraints(baseline))).not.toContain('categorical_drift_method');
    const chi = formatConstraints(suggestConstraints(baseline, { categoricalDriftMethod: 'ChiSquared' }));
    expect(chi).toContain('"categorical_comparison_threshold" : 0.1,\n      "categorical_drift_method" : "ChiSquared"');
  });
});

describe('suggestDomain (Deequ CategoricalRangeRule)', () => {
  it('applies at exactly 10% singletons, not above', () => {
    const ten = [{ value: 'x', count: 1 }, ...Array.from({ length: 9 }, (_, i) => ({ value: `v${i}`, count: 5 }))];
    expect(suggestDomain(ten)).toHaveLength(10);
    const eleven = [{ value: 'y', count: 1 }, ...ten];
    expect(suggestDomain(eleven)).toBeUndefined();
  });

  it('orders by count descending, ties reversed like Scala sortBy(...).reverse', () => {
    expect(suggestDomain([{ value: 'a', count: 2 }, { value: 'b', count: 5 }, { value: 'c', count: 2 }])).toEqual(['b', 'c', 'a']);
  });

  it('suggests nothing for an empty histogram', () => {
    expect(suggestDomain([])).toBeUndefined();
  });
});
