import type { Logger } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { Principal } from '../auth/types.js';
import type { InternalCallOptions } from '../gateway/internal-client.js';
import type { CaptureSettings, InvokeRequest, LiveEndpoint, LiveVariant, RoleSessions } from '../inference/types.js';
import type { Clock, InternalCaller } from '../server/deps.js';
import { CaptureWriter, FAILING_SHARE, FAILING_SINK_OBJECTS, type CaptureWriterOptions } from './writer.js';
import { mulberry32 } from '../util/prng.js';

interface Call { principal: Principal; input: Record<string, unknown>; opts?: InternalCallOptions }

/** Records PutObject calls; `fail` decides per call whether it throws; `gate` can hold calls open. */
function fakeS3(opts: { fail?: (n: number, input: Record<string, unknown>) => boolean; gate?: Promise<void> } = {}) {
  const calls: Call[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const internal: InternalCaller = {
    async call(principal, service, operation, input, callOpts) {
      expect([service, operation]).toEqual(['s3', 'PutObject']);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if (opts.gate) await opts.gate;
        const n = calls.length;
        calls.push({ principal, input, opts: callOpts });
        if (opts.fail?.(n, input)) throw Object.assign(new Error('The specified bucket does not exist'), { name: 'NoSuchBucket' });
        return {};
      } finally {
        inFlight--;
      }
    },
  };
  return { internal, calls, maxInFlight: () => maxInFlight };
}

const principal = (roleArn: string): Principal => ({ type: 'AssumedRole', arn: roleArn, accountId: '123456789012', userId: 'AROA', tags: {}, identityPolicies: [] } as unknown as Principal);
const roles: RoleSessions = { principalFor: async (arn) => principal(arn), invalidate: () => undefined };
const silent = () => ({ warn: vi.fn(), info: vi.fn(), error: vi.fn(), debug: vi.fn() }) as unknown as Logger & { warn: ReturnType<typeof vi.fn> };

function endpoint(capture: Partial<CaptureSettings> = {}, variants = ['AllTraffic']): LiveEndpoint {
  return {
    accountId: '123456789012', region: 'us-east-1', name: 'fraud', arn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/fraud', configName: 'cfg',
    variants: variants.map((name): LiveVariant => ({
      name, modelName: 'm', executionRoleArn: `arn:aws:iam::123456789012:role/${name}`, weight: 1, instanceCount: 1,
      runtime: { kind: 'onnx', invoke: async () => ({ body: Buffer.alloc(0), contentType: 'text/csv' }), close: async () => undefined },
    })),
    capture: {
      enabled: true, samplingPercentage: 100, destinationS3Uri: 's3://capture-bucket/dc', captureInput: true, captureOutput: true,
      csvContentTypes: ['text/csv'], jsonContentTypes: ['application/json'], ...capture,
    },
  };
}

const req: InvokeRequest = { body: Buffer.from('1,2,3'), contentType: 'text/csv' };
const res = { body: Buffer.from('0.5'), contentType: 'text/csv' };
const fixedClock = (iso: string): Clock & { set(iso: string): void; advance(ms: number): void } => {
  let t = Date.parse(iso);
  return { now: () => new Date(t), set: (s) => { t = Date.parse(s); }, advance: (ms) => { t += ms; } };
};

function writer(over: Partial<CaptureWriterOptions> & Pick<CaptureWriterOptions, 'internal'>) {
  return new CaptureWriter({ roles, clock: fixedClock('2024-05-01T10:00:00Z'), log: silent(), flushIntervalMs: 60_000, ...over });
}

const seeded = mulberry32;

const body = (c: Call) => (c.input.Body as Buffer).toString('utf8');
const at = (iso: string, id = 'e') => ({ eventId: id, inferenceTime: new Date(iso) });

describe('CaptureWriter', () => {
  it('samples InitialSamplingPercentage of the traffic (within 3 sigma)', async () => {
    const s3 = fakeS3();
    const w = writer({ internal: s3.internal, random: seeded(42) });
    const ep = endpoint({ samplingPercentage: 30 });
    for (let i = 0; i < 2000; i++) w.record(ep, ep.variants[0], req, res, at('2024-05-01T10:00:00Z', `e${i}`));
    const n = w.stats().captured;
    const sigma = Math.sqrt(2000 * 0.3 * 0.7);
    expect(Math.abs(n - 600)).toBeLessThan(3 * sigma);
    await w.close();
    const lines = s3.calls.flatMap((c) => body(c).trimEnd().split('\n'));
    expect(lines).toHaveLength(n);
    expect(w.stats()).toMatchObject({ written: n, bufferedBytes: 0, dropped: 0 });
  });

  it('captures nothing when capture is disabled or at 0 %', async () => {
    const s3 = fakeS3();
    const w = writer({ internal: s3.internal });
    for (const ep of [endpoint({ enabled: false }), endpoint({ samplingPercentage: 0 })]) w.record(ep, ep.variants[0], req, res, at('2024-05-01T10:00:00Z'));
    expect(w.stats().captured).toBe(0);
    await w.close();
    expect(s3.calls).toHaveLength(0);
  });

  it('writes one object per flush per (endpoint, variant, hour), keyed by the first record, as the role, SSE-KMS', async () => {
    const s3 = fakeS3();
    const w = writer({ internal: s3.internal });
    const ep = endpoint({ kmsKeyId: 'alias/capture' }, ['A', 'B']);
    w.record(ep, ep.variants[0], req, res, at('2024-05-01T10:59:58.120Z', 'a1'));
    w.record(ep, ep.variants[0], req, res, at('2024-05-01T10:59:59.999Z', 'a2'));
    w.record(ep, ep.variants[0], req, res, at('2024-05-01T11:00:00.000Z', 'a3'));
    w.record(ep, ep.variants[1], req, res, at('2024-05-01T10:30:00.000Z', 'b1'));
    await w.flush();
    const keys = s3.calls.map((c) => String(c.input.Key)).sort();
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^dc\/fraud\/A\/2024\/05\/01\/10\/59-58-120-[0-9a-f-]{36}\.jsonl$/);
    expect(keys[1]).toMatch(/^dc\/fraud\/A\/2024\/05\/01\/11\/00-00-000-[0-9a-f-]{36}\.jsonl$/);
    expect(keys[2]).toMatch(/^dc\/fraud\/B\/2024\/05\/01\/10\/30-00-000-/);
    const first = s3.calls.find((c) => String(c.input.Key).includes('/10/59-58'))!;
    expect(body(first).split('\n').map((l) => l && JSON.parse(l).eventMetadata.eventId)).toEqual(['a1', 'a2', '']);
    expect(first.input).toMatchObject({
      Bucket: 'capture-bucket', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/capture', BucketKeyEnabled: true,
      ContentLength: (first.input.Body as Buffer).length,
    });
    expect(first.principal.arn).toBe('arn:aws:iam::123456789012:role/A');
    expect(first.opts).toMatchObject({ region: 'us-east-1', viaService: 'sagemaker.amazonaws.com' });
    // One data-key cache per execution role, reused across that role's writes, never shared with another role.
    const cacheOf = (variant: string) => s3.calls.filter((c) => c.principal.arn.endsWith(`/${variant}`)).map((c) => c.opts?.dataKeyCache);
    expect(new Set(cacheOf('A')).size).toBe(1);
    expect(cacheOf('A')[0]).toBeDefined();
    expect(cacheOf('A')[0]).not.toBe(cacheOf('B')[0]);
    await w.close();
  });

  it('omits SSEKMSKeyId when the config names no key (S3 then uses its AWS managed key)', async () => {
    const s3 = fakeS3();
    const w = writer({ internal: s3.internal });
    const ep = endpoint();
    w.record(ep, ep.variants[0], req, res, at('2024-05-01T10:00:00Z'));
    await w.close();
    expect(s3.calls[0].input).not.toHaveProperty('SSEKMSKeyId');
    expect(s3.calls[0].input.ServerSideEncryption).toBe('aws:kms');
  });

  it('flushes on its own every flushIntervalMs', async () => {
    const s3 = fakeS3();
    const w = writer({ internal: s3.internal, flushIntervalMs: 20 });
    const ep = endpoint();
    w.record(ep, ep.variants[0], req, res, at('2024-05-01T10:00:00Z'));
    await vi.waitFor(() => expect(s3.calls).toHaveLength(1), { timeout: 2000, interval: 10 });
    w.record(ep, ep.variants[0], req, res, at('2024-05-01T10:00:01Z'));
    await vi.waitFor(() => expect(s3.calls).toHaveLength(2), { timeout: 2000, interval: 10 });
    await w.close();
  });

  it('cuts objects at maxObjectBytes and writes a full one without waiting for the interval', async () => {
    const s3 = fakeS3();
    const w = writer({ internal: s3.internal, maxObjectBytes: 1000 });
    const ep = endpoint();
    for (let i = 0; i < 20; i++) w.record(ep, ep.variants[0], req, res, at('2024-05-01T10:00:00Z', `e${i}`));
    await vi.waitFor(() => expect(s3.calls.length).toBeGreaterThan(0), { timeout: 2000, interval: 5 });
    await w.flush();
    expect(s3.calls.length).toBeGreaterThan(1);
    for (const c of s3.calls) expect((c.input.Body as Buffer).length).toBeLessThanOrEqual(1000);
    expect(s3.calls.flatMap((c) => body(c).trimEnd().split('\n'))).toHaveLength(20);
    await w.close();
  });

  it('keeps at most one write in flight per stream', async () => {
    let open!: () => void;
    const s3 = fakeS3({ gate: new Promise<void>((r) => { open = r; }) });
    const w = writer({ internal: s3.internal, flushIntervalMs: 5, maxObjectBytes: 300 });
    const ep = endpoint();
    for (let i = 0; i < 10; i++) w.record(ep, ep.variants[0], req, res, at('2024-05-01T10:00:00Z', `e${i}`));
    await new Promise((r) => setTimeout(r, 50));
    expect(s3.maxInFlight()).toBe(1);
    open();
    await w.close();
    expect(s3.maxInFlight()).toBe(1);
    expect(s3.calls.map((c) => body(c)).join('').trimEnd().split('\n').map((l) => JSON.parse(l).eventMetadata.eventId))
      .toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`));
  });

  it('drops the newest records when the buffer is full, counts them and logs at most once a minute', async () => {
    const s3 = fakeS3();
    const log = silent();
    const clock = fixedClock('2024-05-01T10:00:00Z');
    const ep = endpoint();
    const probe = writer({ internal: s3.internal });
    probe.record(ep, ep.variants[0], req, res, at('2024-05-01T10:00:00Z', 'e0'));
    const lineBytes = probe.stats().bufferedBytes;
    await probe.close();
    const w = writer({ internal: s3.internal, log, clock, maxBufferedBytes: lineBytes * 3 });
    for (let i = 0; i < 10; i++) w.record(ep, ep.variants[0], req, res, at('2024-05-01T10:00:00Z', `e${i}`));
    expect(w.stats()).toMatchObject({ captured: 3, dropped: 7, bufferedBytes: lineBytes * 3 });
    expect(log.warn).toHaveBeenCalledTimes(1);
    clock.advance(61_000);
    w.record(ep, ep.variants[0], req, res, at('2024-05-01T10:00:00Z', 'e0'));
    expect(log.warn).toHaveBeenCalledTimes(2);
    // The second message counts the drops since the first (6 silent ones, then this one).
    expect(log.warn.mock.calls[1][0]).toMatchObject({ dropped: 7 });
    await w.close();
    expect(w.stats()).toMatchObject({ written: 3, bufferedBytes: 0 });
  });

  it('keeps a failed batch, retries it under the same key with backoff, and logs no payload', async () => {
    const s3 = fakeS3({ fail: (n) => n < 2 });
    const log = silent();
    const clock = fixedClock('2024-05-01T10:00:00Z');
    const w = writer({ internal: s3.internal, log, clock, flushIntervalMs: 10 });
    const ep = endpoint();
    w.record(ep, ep.variants[0], { body: Buffer.from('secret,payload'), contentType: 'text/csv' }, res, at('2024-05-01T10:00:00Z'));
    await vi.waitFor(() => expect(w.stats().failedWrites).toBe(1), { timeout: 2000, interval: 5 });
    // The clock has not moved: the background tick waits for the backoff to pass.
    await new Promise((r) => setTimeout(r, 60));
    expect(s3.calls).toHaveLength(1);
    clock.advance(10);
    await vi.waitFor(() => expect(w.stats().failedWrites).toBe(2), { timeout: 2000, interval: 5 });
    expect(w.stats()).toMatchObject({ written: 0, captured: 1 });
    expect(w.stats().bufferedBytes).toBeGreaterThan(0);
    clock.advance(20);
    await vi.waitFor(() => expect(w.stats().written).toBe(1), { timeout: 2000, interval: 5 });
    expect(new Set(s3.calls.map((c) => c.input.Key)).size).toBe(1);
    expect(w.stats().bufferedBytes).toBe(0);
    const logged = JSON.stringify(log.warn.mock.calls);
    expect(logged).toContain('NoSuchBucket');
    expect(logged).not.toContain('secret');
    await w.close();
  });

  it('a failed flush leaves the records buffered; records beyond the memory bound are dropped meanwhile', async () => {
    let failing = true;
    const s3 = fakeS3({ fail: () => failing });
    const ep = endpoint();
    const w = writer({ internal: s3.internal, maxBufferedBytes: 2000 });
    for (let i = 0; i < 5; i++) w.record(ep, ep.variants[0], req, res, at('2024-05-01T10:00:00Z', `e${i}`));
    await w.flush();
    expect(w.stats()).toMatchObject({ failedWrites: 1, written: 0 });
    for (let i = 5; i < 100; i++) w.record(ep, ep.variants[0], req, res, at('2024-05-01T10:00:00Z', `e${i}`));
    const { captured, dropped } = w.stats();
    expect(captured + dropped).toBe(100);
    expect(dropped).toBeGreaterThan(0);
    failing = false;
    await w.flush();
    expect(w.stats()).toMatchObject({ written: captured, bufferedBytes: 0 });
    await w.close();
  });

  it('drops records after close() and records with an unusable destination', async () => {
    const s3 = fakeS3();
    const w = writer({ internal: s3.internal });
    const bad = endpoint({ destinationS3Uri: 'file:///tmp/x' });
    w.record(bad, bad.variants[0], req, res, at('2024-05-01T10:00:00Z'));
    await w.close();
    const ep = endpoint();
    w.record(ep, ep.variants[0], req, res, at('2024-05-01T10:00:00Z'));
    expect(w.stats()).toMatchObject({ captured: 0, dropped: 2 });
    expect(s3.calls).toHaveLength(0);
  });

  describe('a failing destination does not stop capture for the others', () => {
    const lineBytesOf = async (): Promise<number> => {
      const probe = writer({ internal: fakeS3().internal });
      const ep = endpoint();
      probe.record(ep, ep.variants[0], req, res, at('2024-05-01T10:00:00Z', 'e000'));
      const n = probe.stats().bufferedBytes;
      await probe.close();
      return n;
    };
    const named = (name: string, destinationS3Uri: string): LiveEndpoint => ({ ...endpoint({ destinationS3Uri }), name });
    const missingBucket = (_n: number, input: Record<string, unknown>) => input.Bucket === 'gone';
    const linesIn = (calls: Call[], bucket: string) => calls.filter((c) => c.input.Bucket === bucket)
      .flatMap((c) => body(c).trimEnd().split('\n')).map((l) => JSON.parse(l).eventMetadata.eventId as string);

    it('caps a failing stream at FAILING_SINK_OBJECTS × maxObjectBytes, counting its excess as dropped; the healthy stream writes everything', async () => {
      const lineBytes = await lineBytesOf();
      const maxObjectBytes = lineBytes * 4;
      let bucketGone = true;
      const s3 = fakeS3({ fail: (n, input) => bucketGone && missingBucket(n, input) });
      // Without the per-destination cap, the failing stream alone would fill this budget and the healthy one would drop.
      const w = writer({ internal: s3.internal, maxObjectBytes, maxBufferedBytes: lineBytes * 40 });
      const bad = named('bad', 's3://gone/dc');
      const good = named('good', 's3://capture-bucket/dc');
      const ids: string[] = [];
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 3; i++) {
          const id = `e${String(round * 3 + i).padStart(3, '0')}`;
          ids.push(id);
          w.record(bad, bad.variants[0], req, res, at('2024-05-01T10:00:00Z', id));
          w.record(good, good.variants[0], req, res, at('2024-05-01T10:00:00Z', id));
        }
        await w.flush();
        // Healthy records are never the ones dropped; the failing destination never holds more than its cap.
        expect(w.stats().bufferedBytes).toBeLessThanOrEqual(FAILING_SINK_OBJECTS * maxObjectBytes);
      }
      expect(linesIn(s3.calls, 'capture-bucket')).toEqual(ids);
      const stats = w.stats();
      expect(stats.failedWrites).toBeGreaterThanOrEqual(20);
      expect(stats.captured).toBe(60 + FAILING_SINK_OBJECTS * 4);
      expect(stats.dropped).toBe(60 - FAILING_SINK_OBJECTS * 4);
      expect(stats.written).toBe(60);
      // The bucket comes back: the failing stream's kept records (the oldest ones) are written, and its cap lifts.
      bucketGone = false;
      const before = s3.calls.length;
      await w.flush();
      expect(linesIn(s3.calls.slice(before), 'gone')).toEqual(ids.slice(0, FAILING_SINK_OBJECTS * 4));
      expect(w.stats()).toMatchObject({ written: 60 + FAILING_SINK_OBJECTS * 4, bufferedBytes: 0 });
      for (let i = 0; i < 12; i++) w.record(bad, bad.variants[0], req, res, at('2024-05-01T10:00:00Z', `late${i}`));
      expect(w.stats().dropped).toBe(60 - FAILING_SINK_OBJECTS * 4);
      await w.close();
      expect(w.stats()).toMatchObject({ written: 60 + FAILING_SINK_OBJECTS * 4 + 12, bufferedBytes: 0 });
    });

    it('keeps failing destinations together within FAILING_SHARE of maxBufferedBytes, across hours of one destination too', async () => {
      const lineBytes = await lineBytesOf();
      const maxBufferedBytes = lineBytes * 16;
      const s3 = fakeS3({ fail: missingBucket });
      const w = writer({ internal: s3.internal, maxObjectBytes: lineBytes * 4, maxBufferedBytes });
      const bads = [1, 2, 3, 4].map((n) => named(`bad${n}`, 's3://gone/dc'));
      const good = named('good', 's3://capture-bucket/dc');
      for (const ep of bads) w.record(ep, ep.variants[0], req, res, at('2024-05-01T10:00:00Z', 'first'));
      await w.flush();
      for (let hour = 10; hour < 14; hour++) {
        for (let i = 0; i < 10; i++) for (const ep of bads) w.record(ep, ep.variants[0], req, res, at(`2024-05-01T${hour}:00:00Z`, `h${hour}-${i}`));
        await w.flush();
      }
      expect(w.stats().bufferedBytes).toBeLessThanOrEqual(FAILING_SHARE * maxBufferedBytes);
      for (let i = 0; i < 8; i++) w.record(good, good.variants[0], req, res, at('2024-05-01T13:00:00Z', `g${i}`));
      await w.flush();
      expect(linesIn(s3.calls, 'capture-bucket')).toEqual(Array.from({ length: 8 }, (_, i) => `g${i}`));
      await w.close();
    });
  });
});
