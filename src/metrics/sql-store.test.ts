import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../state/testing.js';
import { canonicalDimensions } from './dimensions.js';
import { encodeSketch, newSketch } from './sketch.js';
import { SqlMetricStore } from './sql-store.js';
import type { MetricPoint } from './types.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const dims = { EndpointName: 'fraud', VariantName: 'AllTraffic' };

function point(over: Partial<MetricPoint> & { values?: number[] } = {}): MetricPoint {
  const values = over.values ?? [1];
  const sketch = newSketch();
  for (const x of values) sketch.accept(x);
  const { values: _omit, ...rest } = over;
  return {
    accountId: '111122223333', region: 'us-east-1', namespace: 'AWS/SageMaker', metricName: 'ModelLatency', dimensions: dims,
    periodStart: T0, periodSeconds: 60, sum: values.reduce((a, b) => a + b, 0), count: values.length,
    min: Math.min(...values), max: Math.max(...values), sketch: encodeSketch(sketch), unit: 'Microseconds', ...rest,
  };
}

const query = (over: Record<string, unknown> = {}) => ({
  accountId: '111122223333', region: 'us-east-1', namespace: 'AWS/SageMaker', metricName: 'ModelLatency', dimensions: dims,
  start: new Date(T0), end: new Date(T0 + 3_600_000), periodSeconds: 60, ...over,
});

describe('canonicalDimensions', () => {
  it('sorts by name, accepts both forms, and rejects duplicates', () => {
    const a = canonicalDimensions({ VariantName: 'v', EndpointName: 'e' });
    expect(a).toBe('[{"Name":"EndpointName","Value":"e"},{"Name":"VariantName","Value":"v"}]');
    expect(canonicalDimensions([{ Name: 'VariantName', Value: 'v' }, { Name: 'EndpointName', Value: 'e' }])).toBe(a);
    expect(() => canonicalDimensions([{ Name: 'A', Value: '1' }, { Name: 'A', Value: '2' }])).toThrow(/twice/);
  });
});

withEachBackend((_name, open) => {
  it('merges partial aggregates of one minute from several writers and flushes', async () => {
    const state = await open();
    const a = new SqlMetricStore(state.db, 'replica-a');
    const b = new SqlMetricStore(state.db, 'replica-b');
    await a.insert([point({ values: [100, 200] })]);
    await b.insert([point({ values: [300] }), point({ values: [50], periodStart: T0 + 60_000 })]);
    await a.insert([point({ values: [400, 500] })]);
    const got = await a.query(query());
    expect(got.map((d) => ({ t: d.timestamp.toISOString(), sum: d.sum, count: d.count, min: d.min, max: d.max, average: d.average, unit: d.unit }))).toEqual([
      { t: '2024-05-01T10:00:00.000Z', sum: 1500, count: 5, min: 100, max: 500, average: 300, unit: 'Microseconds' },
      { t: '2024-05-01T10:01:00.000Z', sum: 50, count: 1, min: 50, max: 50, average: 50, unit: 'Microseconds' },
    ]);
    const p50 = got[0].percentile(50)!;
    expect(Math.abs(p50 - 300) / 300).toBeLessThanOrEqual(0.01);
    expect(got[0].percentile(0)).toBe(100);
    expect(got[0].percentile(100)).toBe(500);
    expect(got[0].percentile(101)).toBeUndefined();
  });

  it('rolls minutes up into longer periods aligned to the epoch, start inclusive and end exclusive', async () => {
    const state = await open();
    const s = new SqlMetricStore(state.db, 'w');
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    // 1000 values spread over ten minutes, 100 a minute.
    await s.insert(Array.from({ length: 10 }, (_, m) => point({ values: values.slice(m * 100, m * 100 + 100), periodStart: T0 + m * 60_000 })));
    const five = await s.query(query({ periodSeconds: 300 }));
    expect(five.map((d) => [d.timestamp.toISOString(), d.count, d.min, d.max])).toEqual([
      ['2024-05-01T10:00:00.000Z', 500, 1, 500], ['2024-05-01T10:05:00.000Z', 500, 501, 1000],
    ]);
    const hour = await s.query(query({ periodSeconds: 3600 }));
    expect(hour).toHaveLength(1);
    expect(Math.abs(hour[0].percentile(99)! - 990) / 990).toBeLessThanOrEqual(0.011);
    const window = await s.query(query({ start: new Date(T0 + 60_000), end: new Date(T0 + 180_000) }));
    expect(window.map((d) => d.timestamp.getTime())).toEqual([T0 + 60_000, T0 + 120_000]);
    await expect(s.query(query({ periodSeconds: 90 }))).rejects.toThrow(/multiple of 60/);
  });

  it('finds a series only by its exact dimension set, account, region and name', async () => {
    const state = await open();
    const s = new SqlMetricStore(state.db, 'w');
    const withConfig = { EndpointConfigName: 'cfg-1', ...dims };
    await s.insert([
      point({ values: [1] }), point({ values: [2], dimensions: withConfig }), point({ values: [3], accountId: '999999999999' }),
      point({ values: [4], region: 'eu-west-1' }), point({ values: [5], metricName: 'OverheadLatency' }),
    ]);
    expect((await s.query(query({ dimensions: { VariantName: 'AllTraffic', EndpointName: 'fraud' } }))).map((d) => d.sum)).toEqual([1]);
    expect((await s.query(query({ dimensions: withConfig }))).map((d) => d.sum)).toEqual([2]);
    expect(await s.query(query({ dimensions: { EndpointName: 'fraud' } }))).toEqual([]);
    const series = await s.listSeries({ accountId: '111122223333', region: 'us-east-1', namespace: 'AWS/SageMaker' });
    expect(series.map((x) => [x.metricName, x.dimensions.map((d) => d.Name).join(',')])).toEqual([
      ['ModelLatency', 'EndpointConfigName,EndpointName,VariantName'], ['ModelLatency', 'EndpointName,VariantName'],
      ['OverheadLatency', 'EndpointName,VariantName'],
    ]);
  });

  it('keeps statistics without a sketch (no percentiles) and refuses empty points', async () => {
    const state = await open();
    const s = new SqlMetricStore(state.db, 'w');
    await s.insert([{ ...point({ values: [1, 0, 1] }), metricName: 'Invocation4XXErrors', sketch: undefined, unit: 'None' }]);
    const [d] = await s.query(query({ metricName: 'Invocation4XXErrors' }));
    expect([d.sum, d.count, d.average, d.percentile(50)]).toEqual([2, 3, 2 / 3, undefined]);
    await expect(s.insert([{ ...point(), count: 0 }])).rejects.toThrow(/no samples/);
    await s.insert([]);
  });
});
