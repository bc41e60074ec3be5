import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStatistics } from './schema.js';

const container = readFileSync(new URL('./testdata/sagemaker-container-statistics.json', import.meta.url), 'utf8');

describe('parseStatistics', () => {
  it('accepts real container output (Jackson spacing, 0.0 version, doubles for counts)', () => {
    const s = parseStatistics(container);
    expect(s.version).toBe(0);
    expect(s.dataset.item_count).toBe(100);
    expect(s.features).toHaveLength(6);
    const f = s.features[0];
    expect(f.name).toBe('_c0');
    expect(f.inferred_type).toBe('Fractional');
    expect(f.numerical_statistics!.std_dev).toBe(0.8330066026148891);
    expect(f.numerical_statistics!.distribution!.kll.sketch.parameters).toEqual({ c: 0.64, k: 2048 });
    expect(f.numerical_statistics!.distribution!.kll.buckets[0]).toEqual({ lower_bound: 1, upper_bound: 1.2, count: 24 });
  });

  it('accepts a String feature and non-finite doubles (quoted or bare)', () => {
    const s = parseStatistics(`{"version":0.0,"dataset":{"item_count":418},"features":[
      {"name":"message","inferred_type":"String","string_statistics":{"common":{"num_present":418,"num_missing":0},
       "distinct_count":1.0,"distribution":{"categorical":{"buckets":[{"value":"x","count":418}]}}},"custom":{"a":1}},
      {"name":"n","inferred_type":"Fractional","numerical_statistics":{"common":{"num_present":1,"num_missing":0},
       "mean":NaN,"sum":"Infinity","std_dev":"NaN","min":-Infinity,"max":1}}]}`);
    expect(s.features[0].string_statistics!.distribution!.categorical.buckets).toEqual([{ value: 'x', count: 418 }]);
    const n = s.features[1].numerical_statistics!;
    expect([n.mean, n.sum, n.std_dev, n.min]).toEqual([NaN, Infinity, NaN, -Infinity]);
  });

  const bad: [string, string, RegExp][] = [
    ['not JSON', '{"version":', /not valid JSON/],
    ['top level array', '[]', /top level: expected an object, got array/],
    ['missing dataset', '{"version":0,"features":[]}', /dataset: missing/],
    ['bad item_count', '{"version":0,"dataset":{"item_count":-1},"features":[]}', /dataset\.item_count: expected a non-negative whole number/],
    ['bad type', '{"version":0,"dataset":{"item_count":1},"features":[{"name":"a","inferred_type":"Float"}]}', /features\[0\]\.inferred_type: expected one of/],
    ['numeric without stats', '{"version":0,"dataset":{"item_count":1},"features":[{"name":"a","inferred_type":"Integral"}]}', /features\[0\]: inferred_type Integral requires numerical_statistics/],
    ['string mean', '{"version":0,"dataset":{"item_count":1},"features":[{"name":"a","inferred_type":"Integral","numerical_statistics":{"common":{"num_present":1,"num_missing":0},"mean":"abc","sum":1,"std_dev":0,"min":1,"max":1}}]}', /features\[0\]\.numerical_statistics\.mean: expected a number, got string "abc"/],
    ['bad sketch', container.replace('"c" : 0.64', '"c" : 7'), /features\[0\]\.numerical_statistics\.distribution\.kll\.sketch\.parameters\.c/],
    ['bad bucket value', '{"version":0,"dataset":{"item_count":1},"features":[{"name":"s","inferred_type":"String","string_statistics":{"common":{"num_present":1,"num_missing":0},"distinct_count":1,"distribution":{"categorical":{"buckets":[{"value":3,"count":1}]}}}}]}', /buckets\[0\]\.value: expected a string, got number 3/],
  ];
  it.each(bad)('rejects %s with a message naming the field', (_what, text, message) => {
    expect(() => parseStatistics(text)).toThrow(message);
  });
});
