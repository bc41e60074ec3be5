import type { Logger } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { withEachBackend } from '../state/testing.js';
import { EndpointMetrics, SAGEMAKER_NAMESPACE } from './endpoint-metrics.js';
import { SqlMetricStore } from './sql-store.js';
import type { EndpointDims, MetricPoint, MetricStore } from './types.js';

const silent = { warn: vi.fn(), info: vi.fn(), error: vi.fn(), debug: vi.fn() } as unknown as Logger;
const T0 = Date.parse('2024-05-01T10:00:00Z');
const dims: EndpointDims = { accountId: '111122223333', region: 'us-east-1', endpointName: 'fraud', variantName: 'AllTraffic', configName: 'cfg-1' };

function clockAt(ms: number) {
  let t = ms;
  return { now: () => new Date(t), advance: (d: number) => { t += d; } };
}

const byVariant = { EndpointName: 'fraud', VariantName: 'AllTraffic' };
const q = (metricName: string, over: Record<string, unknown> = {}) => ({
  accountId: dims.accountId, region: dims.region, namespace: SAGEMAKER_NAMESPACE, metricName, dimensions: byVariant,
  start: new Date(T0), end: new Date(T0 + 3_600_000), periodSeconds: 60, ...over,
});

withEachBackend((_name, open) => {
  it('aggregates invocations per minute as SageMaker defines them, queryable under both dimension sets', async () => {
    const state = await open();
    const store = new SqlMetricStore(state.db, 'w1');
    const clock = clockAt(T0 + 5_000);
    const m = new EndpointMetrics({ store, clock, log: silent, flushIntervalMs: 3_600_000 });
    for (let i = 1; i <= 100; i++) m.record(dims, { status: 200, modelLatencyUs: i * 100, overheadLatencyUs: 50, instanceCount: 2 });
    m.record(dims, { status: 400, overheadLatencyUs: 40, instanceCount: 2 });
    m.record(dims, { status: 424, modelLatencyUs: 9_000, overheadLatencyUs: 60, instanceCount: 2 });
    await m.flush();
    // A second flush within the same minute adds a partial aggregate; the store merges them.
    m.record(dims, { status: 503, modelLatencyUs: 20_000, overheadLatencyUs: 70, instanceCount: 2 });
    await m.flush();
    clock.advance(60_000);
    m.record(dims, { status: 200, modelLatencyUs: 1_000, overheadLatencyUs: 10, instanceCount: 2 });
    await m.close();

    const one = async (name: string, over?: Record<string, unknown>) => store.query(q(name, over));
    expect((await one('Invocations')).map((d) => [d.timestamp.getTime(), d.sum])).toEqual([[T0, 103], [T0 + 60_000, 1]]);
    expect((await one('InvocationsPerInstance'))[0].sum).toBeCloseTo(51.5, 10);
    const e4 = (await one('Invocation4XXErrors'))[0];
    expect([e4.sum, e4.count]).toEqual([2, 103]);
    expect(e4.average).toBeCloseTo(2 / 103, 12);
    expect((await one('Invocation5XXErrors'))[0].sum).toBe(1);
    const model = (await one('ModelLatency'))[0];
    expect([model.count, model.min, model.max, model.unit]).toEqual([102, 100, 20_000, 'Microseconds']);
    expect(model.sum).toBe(505_000 + 9_000 + 20_000);
    expect(Math.abs(model.percentile(50)! - 5_100) / 5_100).toBeLessThanOrEqual(0.01);
    const overhead = (await one('OverheadLatency'))[0];
    expect([overhead.count, overhead.min, overhead.max]).toEqual([103, 40, 70]);
    const fleet = await one('Invocations', { dimensions: { EndpointConfigName: 'cfg-1', ...byVariant } });
    expect(fleet.map((d) => d.sum)).toEqual([103, 1]);
    const fiveMin = await one('Invocations', { periodSeconds: 300 });
    expect(fiveMin.map((d) => d.sum)).toEqual([104]);
  });
});

describe('EndpointMetrics', () => {
  function fakeStore(fail = false) {
    const inserted: MetricPoint[][] = [];
    let failing = fail;
    const store: MetricStore = {
      insert: async (points) => {
        if (failing) throw new Error('database is down');
        inserted.push(points);
      },
      query: async () => [],
      listSeries: async () => [],
    };
    return { store, inserted, recover: () => { failing = false; } };
  }

  it('writes nothing for idle minutes, and one point per metric and dimension set otherwise', async () => {
    const s = fakeStore();
    const m = new EndpointMetrics({ store: s.store, clock: clockAt(T0), log: silent, flushIntervalMs: 3_600_000 });
    await m.flush();
    expect(s.inserted).toHaveLength(0);
    m.record(dims, { status: 200, overheadLatencyUs: 5, instanceCount: 1 });
    await m.flush();
    const names = s.inserted[0].map((p) => `${p.metricName}:${Object.keys(p.dimensions).length}`).sort();
    // No ModelLatency: the sample had none (the request failed before reaching the model).
    expect(names).toEqual(['Invocation4XXErrors:2', 'Invocation4XXErrors:3', 'Invocation5XXErrors:2', 'Invocation5XXErrors:3', 'Invocations:2', 'Invocations:3',
      'InvocationsPerInstance:2', 'InvocationsPerInstance:3', 'OverheadLatency:2', 'OverheadLatency:3']);
    await m.flush();
    expect(s.inserted).toHaveLength(1);
    await m.close();
  });

  it('keeps points when the store fails and writes them on the next flush', async () => {
    const s = fakeStore(true);
    const log = { warn: vi.fn() } as unknown as Logger;
    const m = new EndpointMetrics({ store: s.store, clock: clockAt(T0), log, flushIntervalMs: 3_600_000 });
    m.record(dims, { status: 200, overheadLatencyUs: 5, instanceCount: 1 });
    await m.flush();
    expect(log.warn).toHaveBeenCalledTimes(1);
    s.recover();
    m.record(dims, { status: 200, overheadLatencyUs: 5, instanceCount: 1 });
    await m.flush();
    const invocations = s.inserted.flat().filter((p) => p.metricName === 'Invocations' && Object.keys(p.dimensions).length === 2);
    expect(invocations.map((p) => p.sum)).toEqual([1, 1]);
    await m.close();
  });

  it('flushes on its own every flushIntervalMs', async () => {
    const s = fakeStore();
    const m = new EndpointMetrics({ store: s.store, clock: clockAt(T0), log: silent, flushIntervalMs: 20 });
    m.record(dims, { status: 200, overheadLatencyUs: 5, instanceCount: 1 });
    await vi.waitFor(() => expect(s.inserted).toHaveLength(1), { timeout: 2000, interval: 10 });
    await m.close();
  });

  it('never throws into the request path', () => {
    const m = new EndpointMetrics({ store: fakeStore().store, clock: { now: () => { throw new Error('clock broke'); } }, log: silent, flushIntervalMs: 3_600_000 });
    expect(() => m.record(dims, { status: 200, overheadLatencyUs: 5, instanceCount: 1 })).not.toThrow();
    void m.close();
  });
});
