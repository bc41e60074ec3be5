import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand,
  ListObjectsV2Command, PutBucketPolicyCommand, PutObjectCommand, type ListObjectsV2CommandOutput, type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { allowPolicy, failure, findSecrets, makeUser } from '../helpers/kms.js';
import {
  bodyBytes, denyInsecureTransport, denyUnencryptedPuts, generated, md5Base64, md5Hex, multipartEtag, s3Client, sha256Hex,
} from '../helpers/s3.js';
import type { TestVigil } from '../helpers/vigil.js';
import { startTestVigil } from '../helpers/vigil.js';

const MiB = 1024 * 1024;
const FRAME = 64 * 1024;

describe('S3 through the AWS SDK for JavaScript v3', () => {
  let v: TestVigil;
  let s3: S3Client;
  let keyArn: string;
  /** The distinctive plaintext every upload carries; the last test looks for it under the data dir. */
  const secret = Buffer.from(`vigil-s3-secret-${randomBytes(16).toString('hex')}`);
  const bucket = 'sdk-data';

  const put = (key: string, body: Uint8Array | string, extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}, client = s3) =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...extra }));
  const get = async (key: string, extra: Partial<ConstructorParameters<typeof GetObjectCommand>[0]> = {}, client = s3) => {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra }));
    return { out, bytes: await bodyBytes(out.Body) };
  };

  beforeAll(async () => {
    v = await startTestVigil({ listeners: [{ name: 'plain', host: '127.0.0.1', port: 0, plaintext: true }] });
    s3 = s3Client(v, v.root);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    keyArn = (await new KMSClient(v.sdk(v.root)).send(new CreateKeyCommand({ Description: 's3 objects' }))).KeyMetadata!.Arn!;
  });
  afterAll(async () => { await v?.stop(); });

  it('puts, heads, gets and deletes an object with metadata; the ETag is the quoted MD5', async () => {
    const body = Buffer.concat([secret, Buffer.from(' plain object')]);
    const out = await put('docs/readme.txt', body, { ContentType: 'text/plain', Metadata: { owner: 'ml-team', purpose: 'training' } });
    expect(out.ETag).toBe(`"${md5Hex(body)}"`);
    expect(out.ServerSideEncryption).toBe('AES256');

    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'docs/readme.txt' }));
    expect(head).toMatchObject({ ETag: `"${md5Hex(body)}"`, ContentLength: body.length, ContentType: 'text/plain',
      Metadata: { owner: 'ml-team', purpose: 'training' }, ServerSideEncryption: 'AES256' });
    expect(head.LastModified).toBeInstanceOf(Date);

    const { out: got, bytes } = await get('docs/readme.txt');
    expect(bytes).toEqual(body);
    expect(got.ETag).toBe(`"${md5Hex(body)}"`);
    expect(got.Metadata).toEqual({ owner: 'ml-team', purpose: 'training' });
    expect(got.ContentLength).toBe(body.length);

    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'docs/readme.txt' }));
    const gone = await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'docs/readme.txt' })));
    expect(gone.name).toBe('NotFound');
    expect(gone.$metadata?.httpStatusCode).toBe(404);
    const noKey = await failure(get('docs/readme.txt'));
    expect(noKey.name).toBe('NoSuchKey');
    expect(noKey.$metadata?.httpStatusCode).toBe(404);
    // Deleting what is not there succeeds, as in S3.
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'docs/readme.txt' }));
  });

  it('reads ranges, including ones across 64 KiB frame boundaries, and refuses an unsatisfiable one with 416', async () => {
    const body = Buffer.concat([secret, generated(3 * FRAME + 1000 - secret.length, 'range')]);
    await put('ranged.bin', body);
    const cases: [string, number, number][] = [
      ['bytes=0-9', 0, 9],
      ['bytes=10-', 10, body.length - 1],
      ['bytes=-5', body.length - 5, body.length - 1],
      [`bytes=${FRAME - 10}-${FRAME + 9}`, FRAME - 10, FRAME + 9],
      [`bytes=${FRAME - 1}-${3 * FRAME}`, FRAME - 1, 3 * FRAME],
      [`bytes=${2 * FRAME}-${2 * FRAME}`, 2 * FRAME, 2 * FRAME],
      [`bytes=100-${body.length + 5000}`, 100, body.length - 1],
    ];
    for (const [range, start, end] of cases) {
      const { out, bytes } = await get('ranged.bin', { Range: range });
      expect(out.$metadata.httpStatusCode, range).toBe(206);
      expect(out.ContentRange, range).toBe(`bytes ${start}-${end}/${body.length}`);
      expect(out.ContentLength, range).toBe(end - start + 1);
      expect(bytes.equals(body.subarray(start, end + 1)), range).toBe(true);
    }
    const bad = await failure(get('ranged.bin', { Range: `bytes=${body.length}-` }));
    expect(bad.name).toBe('InvalidRange');
    expect(bad.$metadata?.httpStatusCode).toBe(416);
  });

  it('answers conditional GETs: If-None-Match with the ETag → 304, a wrong If-Match → 412 PreconditionFailed', async () => {
    const body = Buffer.from('conditional body');
    const { ETag } = await put('cond.txt', body);
    const notModified = await failure(get('cond.txt', { IfNoneMatch: ETag }));
    expect(notModified.$metadata?.httpStatusCode).toBe(304);
    const failed = await failure(get('cond.txt', { IfMatch: '"0123456789abcdef0123456789abcdef"' }));
    expect(failed.name).toBe('PreconditionFailed');
    expect(failed.$metadata?.httpStatusCode).toBe(412);
    // The true conditions return the object.
    expect((await get('cond.txt', { IfMatch: ETag })).bytes).toEqual(body);
    expect((await get('cond.txt', { IfNoneMatch: '"0123456789abcdef0123456789abcdef"' })).bytes).toEqual(body);
    // A failed If-Match wins over a range that could not be satisfied either.
    expect((await failure(get('cond.txt', { IfMatch: '"nope"', Range: 'bytes=1000-' }))).name).toBe('PreconditionFailed');
  });

  it('paginates ListObjectsV2 with MaxKeys and ContinuationToken, and rolls keys up into CommonPrefixes with Delimiter', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'sdk-list' }));
    const keys: string[] = [];
    for (const sub of ['a/', 'b/']) for (let i = 0; i < 10; i++) keys.push(`data/${sub}${String(i).padStart(2, '0')}.json`);
    for (let i = 0; i < 10; i++) keys.push(`data/top-${String(i).padStart(2, '0')}.json`);
    await Promise.all(keys.map((k) => s3.send(new PutObjectCommand({ Bucket: 'sdk-list', Key: k, Body: k }))));
    const sorted = [...keys].sort();

    const list = async (extra: Partial<ConstructorParameters<typeof ListObjectsV2Command>[0]>) => {
      const pages: ListObjectsV2CommandOutput[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: 'sdk-list', ...extra, ...(token ? { ContinuationToken: token } : {}) }));
        pages.push(page);
        token = page.NextContinuationToken;
        expect(page.IsTruncated).toBe(token !== undefined);
        expect(pages.length).toBeLessThan(20);
      } while (token);
      return pages;
    };

    const flat = await list({ MaxKeys: 7 });
    expect(flat.map((p) => p.KeyCount)).toEqual([7, 7, 7, 7, 2]);
    expect(flat.flatMap((p) => p.Contents!.map((c) => c.Key))).toEqual(sorted);
    const first = flat[0].Contents![0];
    expect(first.ETag).toBe(`"${md5Hex(Buffer.from(first.Key!))}"`);
    expect(first.Size).toBe(Buffer.byteLength(first.Key!));

    const rolled = await list({ Prefix: 'data/', Delimiter: '/' });
    expect(rolled).toHaveLength(1);
    expect(rolled[0].CommonPrefixes?.map((p) => p.Prefix)).toEqual(['data/a/', 'data/b/']);
    expect(rolled[0].Contents?.map((c) => c.Key)).toEqual(sorted.filter((k) => k.startsWith('data/top-')));
    expect(rolled[0].KeyCount).toBe(12);

    // CommonPrefixes count toward MaxKeys, and a prefix is never repeated on the next page.
    const paged = await list({ Prefix: 'data/', Delimiter: '/', MaxKeys: 5 });
    expect(paged.map((p) => p.KeyCount)).toEqual([5, 5, 2]);
    expect(paged.flatMap((p) => p.CommonPrefixes?.map((c) => c.Prefix) ?? [])).toEqual(['data/a/', 'data/b/']);
    expect(paged.flatMap((p) => p.Contents?.map((c) => c.Key) ?? [])).toEqual(sorted.filter((k) => k.startsWith('data/top-')));

    const inA = await list({ Prefix: 'data/a/', Delimiter: '/', StartAfter: 'data/a/04.json' });
    expect(inA.flatMap((p) => p.Contents!.map((c) => c.Key))).toEqual(sorted.filter((k) => k.startsWith('data/a/') && k > 'data/a/04.json'));
  });

  it('uploads 12 MiB through lib-storage Upload in 5 MiB parts; GET returns the same SHA-256 and the ETag ends in -3', async () => {
    const body = generated(12 * MiB, 'multipart');
    secret.copy(body, 0);
    secret.copy(body, 5 * MiB + 100);
    const upload = new Upload({ client: s3, params: { Bucket: bucket, Key: 'big/model.bin', Body: body }, partSize: 5 * MiB, queueSize: 2 });
    const done = await upload.done();
    expect(done.ETag).toMatch(/-3"$/);
    expect(done.ETag).toBe(multipartEtag(body, 5 * MiB));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big/model.bin' }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.ETag).toBe(done.ETag);
    const { out, bytes } = await get('big/model.bin');
    expect(out.ETag).toBe(done.ETag);
    expect(bytes.length).toBe(body.length);
    expect(sha256Hex(bytes)).toBe(sha256Hex(body));
    // A range that spans the boundary between parts 1 and 2.
    const cross = await get('big/model.bin', { Range: `bytes=${5 * MiB - 50}-${5 * MiB + 49}` });
    expect(cross.bytes.equals(body.subarray(5 * MiB - 50, 5 * MiB + 50))).toBe(true);
  });

  it('stores SSE-KMS under a customer key; the responses name the key', async () => {
    const body = Buffer.concat([secret, Buffer.from(' under a customer key')]);
    const out = await put('kms/object.txt', body, { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    expect(out.ServerSideEncryption).toBe('aws:kms');
    expect(out.SSEKMSKeyId).toBe(keyArn);
    expect(out.ETag).toBe(`"${md5Hex(body)}"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'kms/object.txt' }));
    expect(head).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    const { out: got, bytes } = await get('kms/object.txt');
    expect(got).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    expect(bytes).toEqual(body);
  });

  it('an SSE-KMS object is AccessDenied to a user with s3:GetObject but no kms:Decrypt, and readable once it is granted', async () => {
    const sseKms = Buffer.concat([secret, Buffer.from(' kms-guarded')]);
    const sseS3 = Buffer.concat([secret, Buffer.from(' s3-managed')]);
    await put('guarded/kms.txt', sseKms, { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    await put('guarded/s3.txt', sseS3);
    const reader = await makeUser(v, 's3-reader', allowPolicy(['s3:GetObject', 's3:PutObject'], `arn:aws:s3:::${bucket}/guarded/*`));
    const readerS3 = s3Client(v, reader.creds);

    const denied = await failure(get('guarded/kms.txt', {}, readerS3));
    expect(denied.name).toBe('AccessDenied');
    expect(denied.$metadata?.httpStatusCode).toBe(403);
    expect(denied.message).toContain('kms:Decrypt');
    // SSE-S3 needs no KMS permission from the caller.
    expect((await get('guarded/s3.txt', {}, readerS3)).bytes).toEqual(sseS3);
    // Writing SSE-KMS needs kms:GenerateDataKey on the key.
    const write = await failure(put('guarded/new.txt', 'x', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn }, readerS3));
    expect(write.name).toBe('AccessDenied');
    expect((await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'guarded/new.txt' })))).name).toBe('NotFound');

    await new IAMClient(v.sdk(v.root)).send(new PutUserPolicyCommand({ UserName: 's3-reader', PolicyName: 'kms', PolicyDocument: allowPolicy('kms:Decrypt', keyArn) }));
    expect((await get('guarded/kms.txt', {}, readerS3)).bytes).toEqual(sseKms);
    // Still not the other way round: Decrypt does not let it write.
    expect((await failure(put('guarded/new.txt', 'x', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn }, readerS3))).name).toBe('AccessDenied');
  });

  it('PCI: a bucket policy denying PutObject without aws:kms refuses plain and AES256 uploads and admits SSE-KMS ones', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'pci-encrypted' }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'pci-encrypted', Policy: denyUnencryptedPuts('pci-encrypted') }));
    const writer = await makeUser(v, 's3-writer', allowPolicy(['s3:*', 'kms:GenerateDataKey', 'kms:Decrypt']));
    for (const [who, client] of [['root', s3], ['user', s3Client(v, writer.creds)]] as const) {
      const plain = await failure(client.send(new PutObjectCommand({ Bucket: 'pci-encrypted', Key: `${who}/plain.txt`, Body: 'plain' })));
      expect(plain.name, who).toBe('AccessDenied');
      expect(plain.$metadata?.httpStatusCode, who).toBe(403);
      const aes = await failure(client.send(new PutObjectCommand({ Bucket: 'pci-encrypted', Key: `${who}/aes.txt`, Body: 'aes', ServerSideEncryption: 'AES256' })));
      expect(aes.name, who).toBe('AccessDenied');
      const ok = await client.send(new PutObjectCommand({
        Bucket: 'pci-encrypted', Key: `${who}/kms.txt`, Body: Buffer.concat([secret, Buffer.from(who)]), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn,
      }));
      expect(ok.ServerSideEncryption, who).toBe('aws:kms');
      // The managed key (aws:kms with no key id) satisfies the policy too.
      const managed = await client.send(new PutObjectCommand({ Bucket: 'pci-encrypted', Key: `${who}/managed.txt`, Body: 'm', ServerSideEncryption: 'aws:kms' }));
      expect(managed.SSEKMSKeyId, who).toMatch(new RegExp(`^arn:aws:kms:us-east-1:${v.accountId}:key/`));
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'pci-encrypted' }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual(['root/kms.txt', 'root/managed.txt', 'user/kms.txt', 'user/managed.txt']);
  });

  it('PCI: a bucket policy denying s3:* without TLS refuses every request on a plaintext listener and allows them over TLS', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'pci-tls' }));
    await s3.send(new PutObjectCommand({ Bucket: 'pci-tls', Key: 'before.txt', Body: 'before' }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'pci-tls', Policy: denyInsecureTransport('pci-tls') }));
    const plain = s3Client(v, v.root, 'plain');
    expect(v.listenerUrl('plain')).toMatch(/^http:\/\//);
    const attempts: [string, () => Promise<unknown>][] = [
      ['PutObject', () => plain.send(new PutObjectCommand({ Bucket: 'pci-tls', Key: 'plain.txt', Body: 'plain' }))],
      ['GetObject', () => plain.send(new GetObjectCommand({ Bucket: 'pci-tls', Key: 'before.txt' }))],
      ['ListObjectsV2', () => plain.send(new ListObjectsV2Command({ Bucket: 'pci-tls' }))],
      ['DeleteObject', () => plain.send(new DeleteObjectCommand({ Bucket: 'pci-tls', Key: 'before.txt' }))],
    ];
    for (const [op, attempt] of attempts) {
      const err = await failure(attempt());
      expect(err.name, op).toBe('AccessDenied');
      expect(err.$metadata?.httpStatusCode, op).toBe(403);
    }
    const head = await failure(plain.send(new HeadBucketCommand({ Bucket: 'pci-tls' })));
    expect(head.$metadata?.httpStatusCode).toBe(403);
    // The same requests over TLS are allowed.
    await s3.send(new PutObjectCommand({ Bucket: 'pci-tls', Key: 'tls.txt', Body: 'tls' }));
    expect((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: 'pci-tls', Key: 'before.txt' }))).Body)).toString()).toBe('before');
    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'pci-tls' }))).Contents?.map((c) => c.Key)).toEqual(['before.txt', 'tls.txt']);
    // Another bucket without the policy is reachable over the plaintext listener.
    expect((await plain.send(new HeadBucketCommand({ Bucket: bucket }))).$metadata.httpStatusCode).toBe(200);
  });

  it('answers bad input with S3 error codes', async () => {
    for (const name of ['Bad_Bucket', 'ab', 'bucket..dots', '192.168.1.1', '-leading-dash']) {
      const err = await failure(s3.send(new CreateBucketCommand({ Bucket: name })));
      expect(err.name, name).toBe('InvalidBucketName');
      expect(err.$metadata?.httpStatusCode, name).toBe(400);
    }
    const longKey = 'k'.repeat(1025);
    const tooLong = await failure(put(longKey, 'x'));
    expect(tooLong.name).toBe('KeyTooLongError');
    expect(tooLong.$metadata?.httpStatusCode).toBe(400);
    // 1024 bytes of UTF-8 is still allowed (here 512 two-byte characters).
    await put('é'.repeat(512), 'max key');
    expect((await failure(put(`${'é'.repeat(512)}x`, 'x'))).name).toBe('KeyTooLongError');

    const digest = await failure(put('digest.txt', 'the body', { ContentMD5: md5Base64(Buffer.from('another body')) }));
    expect(digest.name).toBe('BadDigest');
    expect(digest.$metadata?.httpStatusCode).toBe(400);
    expect((await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'digest.txt' })))).name).toBe('NotFound');
    await put('digest.txt', 'the body', { ContentMD5: md5Base64(Buffer.from('the body')) });

    const notEmpty = await failure(s3.send(new DeleteBucketCommand({ Bucket: bucket })));
    expect(notEmpty.name).toBe('BucketNotEmpty');
    expect(notEmpty.$metadata?.httpStatusCode).toBe(409);
    const missing = await failure(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket-here', Key: 'k' })));
    expect(missing.name).toBe('NoSuchBucket');
    // An empty bucket can be deleted.
    await s3.send(new CreateBucketCommand({ Bucket: 'sdk-empty' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'sdk-empty' }));
    expect((await failure(s3.send(new HeadBucketCommand({ Bucket: 'sdk-empty' })))).$metadata?.httpStatusCode).toBe(404);
  });

  it('leaves no plaintext byte of the uploaded test data anywhere under the data dir', async () => {
    const { files, hits } = await findSecrets(v.dataDir, [secret]);
    expect(files.some((f) => f.startsWith('blobs/objects/'))).toBe(true);
    expect(hits).toEqual([]);
  });
});
