import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { body, expectError, md5Base64, md5Hex, readAll, s3Harness } from './testing.js';

withEachBackend((_name, open) => {
  describe('S3 objects', () => {
    it('puts, gets, heads, overwrites and deletes objects; old blobs go after the commit', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'data' });
      const put = await h.call('PutObject', {
        Bucket: 'data', Key: 'dir/a.txt', Body: body('hello world'), ContentLength: 11, ContentType: 'text/plain', Metadata: { owner: 'ml' },
      });
      expect(put).toEqual({ ETag: `"${md5Hex('hello world')}"`, ServerSideEncryption: 'AES256' });
      const got = await h.call('GetObject', { Bucket: 'data', Key: 'dir/a.txt' });
      expect((await readAll(got.Body)).toString()).toBe('hello world');
      expect(got).toMatchObject({ ContentLength: 11, ContentType: 'text/plain', ETag: put.ETag, AcceptRanges: 'bytes', Metadata: { owner: 'ml' },
        ServerSideEncryption: 'AES256' });
      expect(got.LastModified).toBeInstanceOf(Date);
      const head = await h.call('HeadObject', { Bucket: 'data', Key: 'dir/a.txt' });
      expect(head.Body).toBeUndefined();
      expect(head.ContentLength).toBe(11);
      expect(h.vault.blobs.size).toBe(1);

      await h.call('PutObject', { Bucket: 'data', Key: 'dir/a.txt', Body: body('v2') });
      expect((await readAll((await h.call('GetObject', { Bucket: 'data', Key: 'dir/a.txt' })).Body)).toString()).toBe('v2');
      expect((await h.call('HeadObject', { Bucket: 'data', Key: 'dir/a.txt' })).ContentType).toBe('binary/octet-stream');
      expect(h.vault.blobs.size).toBe(1);

      expect(await h.call('DeleteObject', { Bucket: 'data', Key: 'dir/a.txt' })).toEqual({});
      expect(await h.call('DeleteObject', { Bucket: 'data', Key: 'dir/a.txt' })).toEqual({});
      expect(h.vault.blobs.size).toBe(0);
      const err = await expectError(h.call('GetObject', { Bucket: 'data', Key: 'dir/a.txt' }), 'NoSuchKey', 'The specified key does not exist.');
      expect(err.httpStatus).toBe(404);
      await expectError(h.call('PutObject', { Bucket: 'nope', Key: 'k', Body: body('x') }), 'NoSuchBucket');
    });

    it('verifies Content-MD5 and x-amz-checksum-*; a failed PUT leaves nothing behind', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'md5' });
      await h.call('PutObject', { Bucket: 'md5', Key: 'k', Body: body('payload'), ContentMD5: md5Base64('payload') });
      const bad = await expectError(h.call('PutObject', { Bucket: 'md5', Key: 'k', Body: body('tampered'), ContentMD5: md5Base64('payload') }),
        'BadDigest', 'The Content-MD5 you specified did not match what we received.');
      expect(bad.httpStatus).toBe(400);
      await expectError(h.call('PutObject', { Bucket: 'md5', Key: 'k2', Body: body('x'), ContentMD5: 'not-md5' }), 'InvalidDigest');
      expect((await readAll((await h.call('GetObject', { Bucket: 'md5', Key: 'k' })).Body)).toString()).toBe('payload');
      await expectError(h.call('HeadObject', { Bucket: 'md5', Key: 'k2' }), 'NoSuchKey');
      expect(h.vault.blobs.size).toBe(1);

      const sha = (await import('node:crypto')).createHash('sha256').update('abc').digest('base64');
      const ok = await h.call('PutObject', { Bucket: 'md5', Key: 'c', Body: body('abc'), ChecksumSHA256: sha });
      expect(ok.ChecksumSHA256).toBe(sha);
      expect((await h.call('HeadObject', { Bucket: 'md5', Key: 'c', ChecksumMode: 'ENABLED' })).ChecksumSHA256).toBe(sha);
      await expectError(h.call('PutObject', { Bucket: 'md5', Key: 'c2', Body: body('abd'), ChecksumSHA256: sha }), 'BadDigest',
        'The sha256 you specified did not match the calculated checksum.');
      const crc = await h.call('PutObject', { Bucket: 'md5', Key: 'c3', Body: body('123456789'), ChecksumAlgorithm: 'CRC32' });
      expect(crc.ChecksumCRC32).toBe(Buffer.from('cbf43926', 'hex').toString('base64'));
      await expectError(h.call('PutObject', { Bucket: 'md5', Key: 'short', Body: body('abc'), ContentLength: 5 }), 'IncompleteBody');
      expect(h.vault.blobs.size).toBe(3);
    });

    it('rejects keys over 1024 bytes and uploads over 5 GiB', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'limits' });
      await h.call('PutObject', { Bucket: 'limits', Key: 'é'.repeat(512), Body: body('x') });
      const err = await expectError(h.call('PutObject', { Bucket: 'limits', Key: `${'é'.repeat(512)}x`, Body: body('x') }), 'KeyTooLongError', 'Your key is too long');
      expect(err.extra).toMatchObject({ Size: 1025, MaxSizeAllowed: 1024 });
      await expectError(h.call('PutObject', { Bucket: 'limits', Key: 'big', Body: body(''), ContentLength: 5 * 1024 ** 3 + 1 }), 'EntityTooLarge');
    });

    it('encrypts with the request SSE, else the bucket default, else SSE-S3, binding the object ARN and user context', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'enc' });
      const kms = await h.call('PutObject', { Bucket: 'enc', Key: 'a', Body: body('x'), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/data',
        SSEKMSEncryptionContext: Buffer.from(JSON.stringify({ project: 'fraud' })).toString('base64') });
      expect(kms).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'arn:aws:kms:us-east-1:123456789012:key/alias-data' });
      const [blob] = [...h.vault.blobs.values()];
      expect(blob.context).toEqual({ project: 'fraud', 'aws:s3:arn': 'arn:aws:s3:::enc/a' });
      const got = await h.call('GetObject', { Bucket: 'enc', Key: 'a' });
      expect(got).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kms.SSEKMSKeyId });
      expect((await readAll(got.Body)).toString()).toBe('x');

      const managed = await h.call('PutObject', { Bucket: 'enc', Key: 'b', Body: body('x'), ServerSideEncryption: 'aws:kms' });
      expect(managed.SSEKMSKeyId).toBe('arn:aws:kms:us-east-1:123456789012:key/alias-aws-s3');
      await h.call('PutBucketEncryption', { Bucket: 'enc', ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/default' } }] } });
      expect((await h.call('PutObject', { Bucket: 'enc', Key: 'c', Body: body('x') })).SSEKMSKeyId).toMatch(/alias-default$/);
      expect(await h.call('PutObject', { Bucket: 'enc', Key: 'd', Body: body('x'), ServerSideEncryption: 'AES256' }))
        .toEqual({ ETag: expect.any(String), ServerSideEncryption: 'AES256' });

      await expectError(h.call('PutObject', { Bucket: 'enc', Key: 'e', Body: body('x'), SSEKMSKeyId: 'alias/data' }), 'InvalidArgument');
      await expectError(h.call('PutObject', { Bucket: 'enc', Key: 'e', Body: body('x'), ServerSideEncryption: 'aws:kms',
        SSEKMSEncryptionContext: 'not json' }), 'InvalidArgument');
      h.vault.missingKeys.add('alias/gone');
      const missing = await expectError(h.call('PutObject', { Bucket: 'enc', Key: 'e', Body: body('x'), ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'alias/gone' }), 'KMS.NotFoundException');
      expect(missing.httpStatus).toBe(400);
      const reader = await h.user('reader', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
      h.vault.noDecrypt.add(reader.arn);
      const denied = await expectError(h.call('GetObject', { Bucket: 'enc', Key: 'a' }, reader), 'AccessDenied');
      expect(denied.httpStatus).toBe(403);
      expect(denied.message).toMatch(/kms:Decrypt/);
      await h.call('HeadObject', { Bucket: 'enc', Key: 'a' }, reader);
    });

    it('DeleteObjects deletes each key, honours Quiet and reports per-key errors', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'multi' });
      for (const k of ['a', 'b', 'keep/c']) await h.call('PutObject', { Bucket: 'multi', Key: k, Body: body(k) });
      const out = await h.call('DeleteObjects', { Bucket: 'multi', Delete: { Objects: [{ Key: 'a' }, { Key: 'b' }, { Key: 'never' }] } });
      expect(out).toEqual({ Deleted: [{ Key: 'a' }, { Key: 'b' }, { Key: 'never' }] });
      const user = await h.user('partial', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::multi/tmp/*' }] });
      await h.call('PutObject', { Bucket: 'multi', Key: 'tmp/x', Body: body('x') });
      const mixed = await h.call('DeleteObjects', { Bucket: 'multi', Delete: { Objects: [{ Key: 'tmp/x' }, { Key: 'keep/c' }], Quiet: true } }, user);
      expect(mixed.Deleted).toBeUndefined();
      expect(mixed.Errors).toEqual([{ Key: 'keep/c', Code: 'AccessDenied', Message: expect.stringMatching(/s3:DeleteObject on resource: arn:aws:s3:::multi\/keep\/c/) }]);
      await h.call('HeadObject', { Bucket: 'multi', Key: 'keep/c' });
      await expectError(h.call('HeadObject', { Bucket: 'multi', Key: 'tmp/x' }), 'NoSuchKey');
      await expectError(h.call('DeleteObjects', { Bucket: 'multi', Delete: { Objects: [] } }), 'MalformedXML');
    });

    it('CopyObject copies or replaces metadata and re-encrypts under the destination', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'src' });
      await h.call('CreateBucket', { Bucket: 'dst' });
      await h.call('PutObject', { Bucket: 'src', Key: 'o', Body: body('copy me'), ContentType: 'text/plain', Metadata: { a: '1' },
        ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/src' });
      const copied = await h.call('CopyObject', { Bucket: 'dst', Key: 'o2', CopySource: '/src/o' });
      expect(copied.CopyObjectResult.ETag).toBe(`"${md5Hex('copy me')}"`);
      expect(copied.ServerSideEncryption).toBe('AES256');
      const got = await h.call('GetObject', { Bucket: 'dst', Key: 'o2' });
      expect(got).toMatchObject({ ContentType: 'text/plain', Metadata: { a: '1' } });
      expect((await readAll(got.Body)).toString()).toBe('copy me');
      await h.call('CopyObject', { Bucket: 'dst', Key: 'o3', CopySource: '/src/o', MetadataDirective: 'REPLACE', Metadata: { b: '2' },
        ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/dst' });
      const replaced = await h.call('HeadObject', { Bucket: 'dst', Key: 'o3' });
      expect(replaced).toMatchObject({ Metadata: { b: '2' }, ContentType: 'binary/octet-stream', SSEKMSKeyId: expect.stringMatching(/alias-dst$/) });
      await expectError(h.call('CopyObject', { Bucket: 'src', Key: 'o', CopySource: '/src/o' }), 'InvalidRequest');
      await expectError(h.call('CopyObject', { Bucket: 'dst', Key: 'x', CopySource: '/src/none' }), 'NoSuchKey');
      await expectError(h.call('CopyObject', { Bucket: 'dst', Key: 'x', CopySource: '/src/o', CopySourceIfMatch: '"nope"' }), 'PreconditionFailed');
    });
  });
});
