import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../../src/auth/types.js';
import { CaptureWriter, type CaptureWriterOptions } from '../../src/capture/index.js';
import type { CaptureSettings, InvokeRequest, InvokeResult, LiveEndpoint, RoleSessions } from '../../src/inference/types.js';
import { allowPolicy, assumedRole } from '../helpers/kms.js';
import { bodyBytes, s3Client } from '../helpers/s3.js';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';

/*
 * Data capture against a real Vigil: records go through the gateway's S3 as a least-privilege role session (the
 * RoleSessions double hands out that session's principal, as the SageMaker role sessions would), are encrypted
 * with SSE-KMS and read back with the SDK exactly as a monitoring job would read them.
 */
let v: TestVigil;
let s3: S3Client;
let role: { roleArn: string; principal: Principal };
let customKey: string;
const BUCKET = 'capture-it';
const log = pino({ level: 'silent' });

beforeAll(async () => {
  v = await startTestVigil();
  s3 = s3Client(v, v.root);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  customKey = (await new KMSClient(v.sdk(v.root)).send(new CreateKeyCommand({ Description: 'capture' }))).KeyMetadata!.Arn!;
  const policy = JSON.parse(allowPolicy('s3:PutObject', [`arn:aws:s3:::${BUCKET}/*`, 'arn:aws:s3:::capture-late/*'])) as { Statement: unknown[] };
  policy.Statement.push({ Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: customKey });
  const r = await assumedRole(v, 'capture-exec', 'SageMaker', JSON.stringify(policy));
  const resolved = await v.server.deps.credentials.resolve(r.creds.accessKeyId);
  role = { roleArn: r.roleArn, principal: resolved!.principal };
});

afterAll(async () => { await v?.stop(); });

const roles = (): RoleSessions => ({ principalFor: async () => role.principal, invalidate: () => undefined });

function mutableClock(iso: string) {
  let t = Date.parse(iso);
  return { now: () => new Date(t), advance: (ms: number) => { t += ms; } };
}

function newWriter(over: Partial<CaptureWriterOptions> = {}): CaptureWriter {
  return new CaptureWriter({
    internal: v.server.deps.internal, roles: roles(), clock: mutableClock('2024-05-01T10:00:00Z'), log, flushIntervalMs: 60_000, ...over,
  });
}

let epCounter = 0;
function endpoint(capture: Partial<CaptureSettings> = {}): LiveEndpoint {
  const name = `ep-${++epCounter}`;
  return {
    accountId: v.accountId, region: 'us-east-1', name, arn: `arn:aws:sagemaker:us-east-1:${v.accountId}:endpoint/${name}`, configName: 'cfg',
    variants: [{
      name: 'AllTraffic', modelName: 'm', executionRoleArn: role.roleArn, weight: 1, instanceCount: 1,
      runtime: { kind: 'onnx', invoke: () => Promise.reject(new Error('unused')), close: async () => undefined },
    }],
    capture: {
      enabled: true, samplingPercentage: 100, destinationS3Uri: `s3://${BUCKET}/datacapture`, captureInput: true, captureOutput: true,
      csvContentTypes: ['text/csv'], jsonContentTypes: ['application/json'], ...capture,
    },
  };
}

async function objectsOf(ep: LiveEndpoint, bucket = BUCKET): Promise<{ key: string; lines: string[] }[]> {
  const prefix = `datacapture/${ep.name}/`;
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const out: { key: string; lines: string[] }[] = [];
  for (const o of listed.Contents ?? []) {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
    out.push({ key: o.Key!, lines: (await bodyBytes(got.Body)).toString('utf8').split('\n') });
  }
  return out;
}

const csvReq: InvokeRequest = { body: Buffer.from('5.1,3.5,1.4\n'), contentType: 'text/csv' };
const csvRes: InvokeResult = { body: Buffer.from('0.92'), contentType: 'text/csv; charset=utf-8' };

async function generateDataKeyEvents(keyArn: string): Promise<number> {
  await v.server.audit.flush();
  const events = await v.server.state.audit.list({ eventName: 'GenerateDataKey' });
  return events.filter((e) => JSON.stringify(e.resources ?? e.requestParameters ?? '').includes(keyArn.split('/')[1])).length;
}

describe('data capture to S3 through the gateway', () => {
  it('writes the exact JSONL records under {prefix}/{endpoint}/{variant}/yyyy/mm/dd/hh/MM-SS-mmm-uuid.jsonl, SSE-KMS', async () => {
    const w = newWriter();
    const ep = endpoint({ csvContentTypes: ['text/csv'], jsonContentTypes: ['application/json'] });
    const variant = ep.variants[0];
    w.record(ep, variant, csvReq, csvRes, { eventId: 'e-1', inferenceTime: new Date('2024-05-01T10:32:18.648Z'), inferenceId: 'inf-1' });
    w.record(ep, variant, { body: Buffer.from('{"instances": [1.0, 2.0]}'), contentType: 'application/json' },
      { body: Buffer.from('{\n "predictions": [3.5]\n}'), contentType: 'application/json' },
      { eventId: 'e-2', inferenceTime: new Date('2024-05-01T10:32:19.001Z'), customAttributes: 'c=1' });
    w.record(ep, variant, { body: Buffer.from([0, 1, 254, 255]), contentType: 'application/x-npy' }, { body: Buffer.from([9]), contentType: 'application/octet-stream' },
      { eventId: 'e-3', inferenceTime: new Date('2024-05-01T10:40:00.000Z') });
    await w.close();
    expect(w.stats()).toMatchObject({ captured: 3, written: 3, objectsWritten: 1, failedWrites: 0, dropped: 0, bufferedBytes: 0 });

    const [obj, ...rest] = await objectsOf(ep);
    expect(rest).toHaveLength(0);
    expect(obj.key).toMatch(new RegExp(`^datacapture/${ep.name}/AllTraffic/2024/05/01/10/32-18-648-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.jsonl$`));
    expect(obj.lines).toEqual([
      '{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"5.1,3.5,1.4\\n","encoding":"CSV"},'
        + '"endpointOutput":{"observedContentType":"text/csv; charset=utf-8","mode":"OUTPUT","data":"0.92","encoding":"CSV"}},'
        + '"eventMetadata":{"eventId":"e-1","inferenceId":"inf-1","inferenceTime":"2024-05-01T10:32:18Z"},"eventVersion":"0"}',
      '{"captureData":{"endpointInput":{"observedContentType":"application/json","mode":"INPUT","data":"{\\"instances\\": [1.0, 2.0]}","encoding":"JSON"},'
        + '"endpointOutput":{"observedContentType":"application/json","mode":"OUTPUT","data":"{\\n \\"predictions\\": [3.5]\\n}","encoding":"JSON"}},'
        + '"eventMetadata":{"eventId":"e-2","inferenceTime":"2024-05-01T10:32:19Z","customAttributes":"c=1"},"eventVersion":"0"}',
      '{"captureData":{"endpointInput":{"observedContentType":"application/x-npy","mode":"INPUT","data":"AAH+/w==","encoding":"BASE64"},'
        + '"endpointOutput":{"observedContentType":"application/octet-stream","mode":"OUTPUT","data":"CQ==","encoding":"BASE64"}},'
        + '"eventMetadata":{"eventId":"e-3","inferenceTime":"2024-05-01T10:40:00Z"},"eventVersion":"0"}',
      '',
    ]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: obj.key }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\//);
    expect(head.BucketKeyEnabled).toBe(true);
    // PutObject ran as the execution role, through SageMaker (CloudTrail's invokedBy).
    await v.server.audit.flush();
    const puts = await v.server.state.audit.list({ eventName: 'PutObject' });
    const put = puts.find((e) => JSON.stringify(e.requestParameters).includes(obj.key));
    expect(put?.userIdentity).toMatchObject({ arn: role.principal.arn, invokedBy: 'sagemaker.amazonaws.com' });
  });

  it('partitions by the hour of inference time (UTC): a flush writes one object per hour', async () => {
    const w = newWriter();
    const ep = endpoint();
    for (const t of ['2024-12-31T23:59:59.999Z', '2025-01-01T00:00:00.000Z', '2024-12-31T23:00:00.000Z']) {
      w.record(ep, ep.variants[0], csvReq, csvRes, { eventId: t, inferenceTime: new Date(t) });
    }
    await w.close();
    const objects = await objectsOf(ep);
    expect(objects.map((o) => o.key.split('/').slice(3).join('/').slice(0, 23)).sort()).toEqual(['2024/12/31/23/59-59-999', '2025/01/01/00/00-00-000']);
    const late = objects.find((o) => o.key.includes('/2024/12/31/23/'))!;
    expect(late.lines.filter(Boolean).map((l) => JSON.parse(l).eventMetadata.eventId)).toEqual(['2024-12-31T23:59:59.999Z', '2024-12-31T23:00:00.000Z']);
  });

  it('captures only the configured modes', async () => {
    const w = newWriter();
    const inputOnly = endpoint({ captureOutput: false });
    const outputOnly = endpoint({ captureInput: false });
    for (const ep of [inputOnly, outputOnly]) w.record(ep, ep.variants[0], csvReq, csvRes, { eventId: 'x', inferenceTime: new Date('2024-05-01T10:00:00Z') });
    await w.close();
    const [a] = await objectsOf(inputOnly);
    const [b] = await objectsOf(outputOnly);
    expect(JSON.parse(a.lines[0]).captureData).toEqual({ endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: '5.1,3.5,1.4\n', encoding: 'CSV' } });
    expect(JSON.parse(b.lines[0]).captureData).toEqual({ endpointOutput: { observedContentType: 'text/csv; charset=utf-8', mode: 'OUTPUT', data: '0.92', encoding: 'CSV' } });
  });

  it('samples 30 % of 2000 invocations within 3 sigma, and writes every sampled record', async () => {
    const w = newWriter({ random: Math.random });
    const ep = endpoint({ samplingPercentage: 30 });
    for (let i = 0; i < 2000; i++) w.record(ep, ep.variants[0], csvReq, csvRes, { eventId: `e${i}`, inferenceTime: new Date('2024-05-01T10:00:00Z') });
    await w.close();
    const lines = (await objectsOf(ep)).flatMap((o) => o.lines.filter(Boolean));
    expect(Math.abs(lines.length - 600)).toBeLessThan(3 * Math.sqrt(2000 * 0.3 * 0.7));
    expect(lines.length).toBe(w.stats().captured);
  });

  it('flushes on its own within the flush interval', async () => {
    const w = newWriter({ flushIntervalMs: 100 });
    const ep = endpoint();
    w.record(ep, ep.variants[0], csvReq, csvRes, { eventId: 'tick', inferenceTime: new Date('2024-05-01T10:00:00Z') });
    await vi.waitFor(async () => expect(await objectsOf(ep)).toHaveLength(1), { timeout: 5000, interval: 50 });
    await w.close();
  });

  it('drops and counts records beyond the memory bound', async () => {
    const w = newWriter({ maxBufferedBytes: 2000 });
    const ep = endpoint();
    for (let i = 0; i < 50; i++) w.record(ep, ep.variants[0], csvReq, csvRes, { eventId: `e${i}`, inferenceTime: new Date('2024-05-01T10:00:00Z') });
    const { captured, dropped } = w.stats();
    expect(captured).toBeGreaterThan(0);
    expect(captured + dropped).toBe(50);
    await w.close();
    expect((await objectsOf(ep)).flatMap((o) => o.lines.filter(Boolean))).toHaveLength(captured);
  });

  it('keeps a batch whose write failed (no bucket yet) and writes it once the bucket exists', async () => {
    const w = newWriter();
    const ep = endpoint({ destinationS3Uri: 's3://capture-late/datacapture' });
    w.record(ep, ep.variants[0], csvReq, csvRes, { eventId: 'late', inferenceTime: new Date('2024-05-01T10:00:00Z') });
    await w.flush();
    expect(w.stats()).toMatchObject({ failedWrites: 1, written: 0 });
    expect(w.stats().bufferedBytes).toBeGreaterThan(0);
    await s3.send(new CreateBucketCommand({ Bucket: 'capture-late' }));
    await w.close();
    expect(w.stats()).toMatchObject({ failedWrites: 1, written: 1, bufferedBytes: 0 });
    const [obj] = await objectsOf(ep, 'capture-late');
    expect(JSON.parse(obj.lines[0]).eventMetadata.eventId).toBe('late');
  });

  it('retries an AccessDenied write and never logs payloads', async () => {
    const lines: string[] = [];
    const w = newWriter({ log: pino({ level: 'warn' }, { write: (l: string) => { lines.push(l); } }) });
    await s3.send(new CreateBucketCommand({ Bucket: 'capture-denied' }));
    const ep = endpoint({ destinationS3Uri: 's3://capture-denied/x' });
    w.record(ep, ep.variants[0], { body: Buffer.from('top-secret-feature'), contentType: 'text/csv' }, csvRes, { eventId: 'd', inferenceTime: new Date('2024-05-01T10:00:00Z') });
    await w.flush();
    await w.flush();
    expect(w.stats()).toMatchObject({ failedWrites: 2, written: 0 });
    expect(lines.join('')).toContain('AccessDenied');
    expect(lines.join('')).not.toContain('top-secret');
  });

  it('asks KMS for one data key per key lifetime (cached per execution role, S3 Bucket Key context)', async () => {
    const clock = mutableClock('2024-05-01T10:00:00Z');
    const w = newWriter({ clock, dataKeyMaxAgeMs: 5 * 60_000 });
    const ep = endpoint({ kmsKeyId: customKey });
    const before = await generateDataKeyEvents(customKey);
    for (let i = 0; i < 4; i++) {
      w.record(ep, ep.variants[0], csvReq, csvRes, { eventId: `k${i}`, inferenceTime: new Date(`2024-05-01T10:0${i}:00Z`) });
      await w.flush();
      clock.advance(60_000);
    }
    expect(w.stats()).toMatchObject({ objectsWritten: 4, failedWrites: 0 });
    expect(await generateDataKeyEvents(customKey) - before).toBe(1);
    clock.advance(5 * 60_000);
    w.record(ep, ep.variants[0], csvReq, csvRes, { eventId: 'k5', inferenceTime: new Date('2024-05-01T10:09:00Z') });
    await w.close();
    expect(await generateDataKeyEvents(customKey) - before).toBe(2);
    // Every object decrypts on read (the reader's Decrypt uses the bucket-ARN context the key was bound to).
    const objects = await objectsOf(ep);
    expect(objects).toHaveLength(5);
    for (const o of objects) expect(JSON.parse(o.lines[0]).eventMetadata.eventId).toMatch(/^k\d$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: objects[0].key }));
    expect(head.SSEKMSKeyId).toBe(customKey);
  });

  it('binds bucket-key objects to the bucket ARN for external clients too, and reads them back', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bk/a.txt', Body: 'hello', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: customKey, BucketKeyEnabled: true }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'bk/a.txt' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('hello');
    expect(got.BucketKeyEnabled).toBe(true);
    await v.server.audit.flush();
    const gens = await v.server.state.audit.list({ eventName: 'GenerateDataKey' });
    const last = gens[gens.length - 1] as { requestParameters?: { encryptionContext?: Record<string, string> } };
    expect(last.requestParameters?.encryptionContext).toEqual({ 'aws:s3:arn': `arn:aws:s3:::${BUCKET}` });
  });
});
