import { Readable } from 'node:stream';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../src/state/blobs/s3-blob-store.js';
import { blobStoreContract } from '../../src/state/blobs/testing.js';
import { s3Client } from '../helpers/s3.js';
import type { TestVigil } from '../helpers/vigil.js';
import { startTestVigil } from '../helpers/vigil.js';

let vigil: Promise<TestVigil> | undefined;
const BUCKET = 'external-blobs';

/** One Vigil serves as the external S3-compatible store (the deployment where replicas share blobs). */
function external(): Promise<TestVigil> {
  vigil ??= (async () => {
    const v = await startTestVigil();
    await s3Client(v, v.root).send(new CreateBucketCommand({ Bucket: BUCKET }));
    return v;
  })();
  return vigil;
}

afterAll(async () => { await (await vigil)?.stop(); });

blobStoreContract("S3BlobStore on Vigil's own S3", async () => {
  const v = await external();
  const cfg = v.sdk(v.root);
  const store = new S3BlobStore({
    bucket: BUCKET, prefix: `t-${Math.random().toString(36).slice(2)}`, endpoint: v.url, region: 'us-east-1',
    credentials: v.root, forcePathStyle: true, requestHandler: cfg.requestHandler,
  });
  return { store, cleanup: async () => store.destroy() };
}, { largeSize: 12 * 1024 * 1024 + 12345 });

describe('Vigil services use S3 through the internal client', () => {
  let v: TestVigil;
  beforeAll(async () => { v = await external(); });

  it('puts and gets an object as the acting principal, authorized and audited like any call', async () => {
    const root = (await v.server.deps.credentials.resolve(v.root.accessKeyId))!.principal;
    const body = Buffer.from('captured traffic, one JSON line\n');
    await v.server.deps.internal.call(root, 's3', 'PutObject',
      { Bucket: BUCKET, Key: 'capture/1.jsonl', Body: Readable.from([body]), ContentLength: body.length }, { viaService: 'sagemaker.amazonaws.com' });
    const got = await v.server.deps.internal.call(root, 's3', 'GetObject', { Bucket: BUCKET, Key: 'capture/1.jsonl' }, { viaService: 'sagemaker.amazonaws.com' });
    const chunks: Buffer[] = [];
    for await (const c of got.Body as Readable) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(body)).toBe(true);
    await v.server.audit.flush();
    const events = await v.server.state.audit.list({ eventName: 'PutObject' });
    expect(events.some((e) => (e.userIdentity as { invokedBy?: string }).invokedBy === 'sagemaker.amazonaws.com')).toBe(true);
  });

  it('denies an internal call the acting principal may not make', async () => {
    const nobody = { type: 'User' as const, arn: `arn:aws:iam::${v.accountId}:user/nobody`, accountId: v.accountId, userId: 'AIDANOBODY', userName: 'nobody', tags: {}, identityPolicies: [] };
    const err = await v.server.deps.internal.call(nobody, 's3', 'GetObject', { Bucket: BUCKET, Key: 'capture/1.jsonl' }).catch((e: Error) => e);
    expect((err as Error).name).toBe('AccessDenied');
  });
});
