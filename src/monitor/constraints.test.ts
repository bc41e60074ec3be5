import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { effectiveConfig, formatConstraints, javaDouble, parseConstraints } from './constraints.js';

const testdata = (f: string): string => readFileSync(new URL(`./testdata/constraints/${f}`, import.meta.url), 'utf8');

describe('parseConstraints', () => {
  it('reads a real container output and fills the omitted categorical defaults', () => {
    const c = parseConstraints(testdata('sagemaker-bad-cases.json'));
    expect(c.features).toHaveLength(6);
    expect(c.features[0]).toEqual({ name: '_c0', inferred_type: 'Fractional', completeness: 1, num_constraints: { is_non_negative: true } });
    expect(c.monitoring_config).toEqual({
      evaluate_constraints: 'Enabled',
      emit_metrics: 'Enabled',
      datatype_check_threshold: 1,
      domain_content_threshold: 1,
      distribution_constraints: { perform_comparison: 'Enabled', comparison_threshold: 0.1, comparison_method: 'Robust', categorical_comparison_threshold: 0.1, categorical_drift_method: 'LInfinity' },
    });
  });

  it('applies every default to a bare file', () => {
    const c = parseConstraints('{"features": []}');
    expect(c.version).toBe(0);
    expect(c.monitoring_config.datatype_check_threshold).toBe(1.0);
    expect(c.monitoring_config.domain_content_threshold).toBe(1.0);
    expect(c.monitoring_config.distribution_constraints.comparison_method).toBe('Robust');
    expect(c.monitoring_config.distribution_constraints.categorical_drift_method).toBe('LInfinity');
  });

  it('accepts the SDK test-data layout (legacy keys, overrides inside string_constraints)', () => {
    const c = parseConstraints(testdata('sdk-legacy.json'));
    expect(c.features[0].string_constraints?.domains).toEqual(['preproc-not-YET-supported-for-csv-json']);
    expect(c.features[0].string_constraints?.monitoring_config_overrides).toEqual({ evaluate_constraints: 'Enabled', emit_metrics: 'Enabled' });
    expect(c.monitoring_config.distribution_constraints.comparison_threshold).toBe(1.0);
  });

  it('merges per-feature overrides, feature level last', () => {
    const c = parseConstraints(
      JSON.stringify({
        features: [
          {
            name: 'x',
            inferred_type: 'String',
            string_constraints: { monitoring_config_overrides: { evaluate_constraints: 'Disabled', domain_content_threshold: 0.5 } },
            monitoringConfigOverrides: { evaluate_constraints: 'Enabled', distribution_constraints: { categorical_drift_method: 'ChiSquared' } },
          },
        ],
        monitoring_config: { distribution_constraints: { comparison_threshold: 0.3 } },
      }),
    );
    const e = effectiveConfig(c, c.features[0]);
    expect(e.evaluate_constraints).toBe('Enabled');
    expect(e.domain_content_threshold).toBe(0.5);
    expect(e.distribution_constraints).toMatchObject({ comparison_threshold: 0.3, categorical_drift_method: 'ChiSquared', comparison_method: 'Robust' });
  });

  it('is lenient on case and booleans', () => {
    const c = parseConstraints('{"features":[],"monitoring_config":{"emit_metrics":false,"distribution_constraints":{"comparison_method":"simple","perform_comparison":"disabled"}}}');
    expect(c.monitoring_config.emit_metrics).toBe('Disabled');
    expect(c.monitoring_config.distribution_constraints.comparison_method).toBe('Simple');
    expect(c.monitoring_config.distribution_constraints.perform_comparison).toBe('Disabled');
  });

  it.each([
    ['not json', /constraints\.json: top level: not valid JSON/],
    ['[]', /top level: expected an object, got an array/],
    ['{"features":{}}', /features: expected an array/],
    ['{"features":[{"inferred_type":"String"}]}', /features\[0\]\.name: expected a string, got nothing/],
    ['{"features":[{"name":"a","inferred_type":"Float"}]}', /features\[0\]\.inferred_type: expected one of/],
    ['{"features":[{"name":"a","inferred_type":"String","completeness":1.5}]}', /completeness: expected a fraction/],
    ['{"features":[{"name":"a","inferred_type":"String"},{"name":"a","inferred_type":"String"}]}', /duplicate feature "a"/],
    ['{"monitoring_config":{"evaluate_constraints":"On"}}', /monitoring_config\.evaluate_constraints: expected "Enabled" or "Disabled"/],
    ['{"monitoring_config":{"distribution_constraints":{"categorical_drift_method":"KL"}}}', /categorical_drift_method: expected one of LInfinity\|ChiSquared/],
    ['{"monitoring_config":{"distribution_constraints":{"comparison_threshold":"x"}}}', /comparison_threshold: expected a number/],
  ])('rejects %s', (text, err) => {
    expect(() => parseConstraints(text)).toThrow(err);
  });
});

describe('formatConstraints', () => {
  it('round-trips the real container file byte for byte', () => {
    const text = testdata('sagemaker-bad-cases.json');
    expect(formatConstraints(parseConstraints(text))).toBe(text.endsWith('\n') ? text : text + '\n');
  });

  it('prints doubles the Java way', () => {
    expect(javaDouble(1)).toBe('1.0');
    expect(javaDouble(0.1)).toBe('0.1');
    expect(javaDouble(100)).toBe('100.0');
    expect(javaDouble(3.3640191298478506e-5)).toBe('3.3640191298478506E-5');
    expect(javaDouble(1e7)).toBe('1.0E7');
    expect(javaDouble(0)).toBe('0.0');
  });
});
