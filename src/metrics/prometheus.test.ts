import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startListener, stopListener, type RunningListener } from '../server/http-listener.js';
import { isLoopback, metricsAllowed } from './access.js';
import { EndpointMetrics } from './endpoint-metrics.js';
import type { MetricStore } from './types.js';

interface Sample { name: string; labels: Record<string, string>; value: number }

/** Just enough of the text exposition format (0.0.4) to check what a Prometheus server would ingest. */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) { types.set(type[1], type[2]); continue; }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { types, samples };
}

const store: MetricStore = { insert: async () => undefined, query: async () => [], listSeries: async () => [] };
const log = { warn: vi.fn() } as unknown as Logger;
const dims = { accountId: '111122223333', region: 'us-east-1', endpointName: 'fraud', variantName: 'AllTraffic', configName: 'c' };

function metrics() {
  return new EndpointMetrics({
    store, clock: { now: () => new Date() }, log, flushIntervalMs: 3_600_000,
    captureStats: () => ({ captured: 7, dropped: 2, written: 5, failedWrites: 1, bufferedBytes: 123 }),
    requestStats: () => ({ 's3:PutObject': { count: 4, clientErrors: 1, serverErrors: 0, totalMs: 2500, maxMs: 900 } }),
  });
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

describe('Prometheus exposition', () => {
  it('exports invocations, errors by class, latency histograms in seconds, capture and gateway counters', async () => {
    const m = metrics();
    m.record(dims, { status: 200, modelLatencyUs: 1_500, overheadLatencyUs: 200, instanceCount: 1 });
    m.record(dims, { status: 200, modelLatencyUs: 30_000, overheadLatencyUs: 300, instanceCount: 1 });
    m.record(dims, { status: 404, overheadLatencyUs: 100, instanceCount: 1 });
    m.record(dims, { status: 500, modelLatencyUs: 2_000_000, overheadLatencyUs: 100, instanceCount: 1 });
    const { types, samples } = parseExposition(await m.prometheus());
    const ep = { account: '111122223333', region: 'us-east-1', endpoint: 'fraud', variant: 'AllTraffic' };
    expect(types.get('vigil_sagemaker_invocations_total')).toBe('counter');
    expect(types.get('vigil_sagemaker_model_latency_seconds')).toBe('histogram');
    expect(find(samples, 'vigil_sagemaker_invocations_total', ep).map((s) => s.value)).toEqual([4]);
    expect(find(samples, 'vigil_sagemaker_invocation_errors_total', { ...ep, class: '4xx' })[0].value).toBe(1);
    expect(find(samples, 'vigil_sagemaker_invocation_errors_total', { ...ep, class: '5xx' })[0].value).toBe(1);
    expect(find(samples, 'vigil_sagemaker_model_latency_seconds_count', ep)[0].value).toBe(3);
    expect(find(samples, 'vigil_sagemaker_model_latency_seconds_sum', ep)[0].value).toBeCloseTo(2.0315, 9);
    expect(find(samples, 'vigil_sagemaker_model_latency_seconds_bucket', { ...ep, le: '0.0025' })[0].value).toBe(1);
    expect(find(samples, 'vigil_sagemaker_model_latency_seconds_bucket', { ...ep, le: '+Inf' })[0].value).toBe(3);
    expect(find(samples, 'vigil_sagemaker_overhead_latency_seconds_count', ep)[0].value).toBe(4);
    expect(find(samples, 'vigil_capture_records_total')[0].value).toBe(7);
    expect(find(samples, 'vigil_capture_dropped_total')[0].value).toBe(2);
    expect(find(samples, 'vigil_capture_written_total')[0].value).toBe(5);
    expect(find(samples, 'vigil_capture_failed_writes_total')[0].value).toBe(1);
    expect(find(samples, 'vigil_capture_buffered_bytes')[0].value).toBe(123);
    expect(find(samples, 'vigil_requests_total', { service: 's3', operation: 'PutObject' })[0].value).toBe(4);
    expect(find(samples, 'vigil_request_errors_total', { service: 's3', operation: 'PutObject', class: '4xx' })[0].value).toBe(1);
    expect(find(samples, 'vigil_request_duration_seconds_total', { service: 's3', operation: 'PutObject' })[0].value).toBe(2.5);
    // Scraping twice reports the same cumulative values (collectors reset before they set).
    const again = parseExposition(await m.prometheus()).samples;
    expect(find(again, 'vigil_capture_records_total')[0].value).toBe(7);
    expect(find(again, 'vigil_requests_total', { service: 's3', operation: 'PutObject' })[0].value).toBe(4);
    await m.close();
  });
});

describe('GET /_vigil/metrics on a listener', () => {
  let listener: RunningListener | undefined;
  afterEach(async () => { if (listener) await stopListener(listener, 0); listener = undefined; });

  async function start(host: string, opts: { metricsAccess?: 'off' | 'loopback' | 'public'; render?: () => Promise<string> } = {}) {
    listener = await startListener({ name: 'm', host, port: 0, plaintext: true }, {
      run: async () => ({ status: 404, headers: { 'content-type': 'text/plain' }, body: 'from the pipeline' }),
      now: () => new Date(), metricsAccess: opts.metricsAccess, renderMetrics: opts.render ?? (() => Promise.resolve('vigil_up 1\n')),
    });
    return listener.url;
  }

  it('serves the exposition to loopback clients by default, unsigned, HEAD included', async () => {
    const url = await start('127.0.0.1');
    const res = await fetch(`${url}/_vigil/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await res.text()).toBe('vigil_up 1\n');
    const head = await fetch(`${url}/_vigil/metrics?x=1`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('leaves the path to the pipeline when off, and answers 500 when rendering fails', async () => {
    const off = await start('127.0.0.1', { metricsAccess: 'off' });
    expect(await (await fetch(`${off}/_vigil/metrics`)).text()).toBe('from the pipeline');
    await stopListener(listener!, 0);
    const broken = await start('127.0.0.1', { render: () => Promise.reject(new Error('boom')) });
    const res = await fetch(`${broken}/_vigil/metrics`);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('boom');
  });

  const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  it.runIf(external !== undefined)('refuses clients that are not on loopback unless public', async () => {
    const url = await start(external!);
    expect((await fetch(`${url}/_vigil/metrics`)).status).toBe(403);
    await stopListener(listener!, 0);
    const open = await start(external!, { metricsAccess: 'public' });
    expect((await fetch(`${open}/_vigil/metrics`)).status).toBe(200);
  });

  it('recognises loopback addresses', () => {
    for (const ip of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1']) expect(isLoopback(ip)).toBe(true);
    for (const ip of ['10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', '', 'fe80::1']) expect(isLoopback(ip)).toBe(false);
    expect(metricsAllowed('off', '127.0.0.1')).toBe(false);
    expect(metricsAllowed('public', '10.0.0.1')).toBe(true);
  });
});
