import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { S3_SERVICE, objectId, uploadRecordId, type ObjectDoc, type UploadDoc } from './store.js';
import { body, readAll, s3Harness, ACCOUNT, type S3Harness } from './testing.js';

const KMS = { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/data', BucketKeyEnabled: true };

async function text(h: S3Harness, Bucket: string, Key: string): Promise<string> {
  return (await readAll((await h.call('GetObject', { Bucket, Key })).Body)).toString();
}

async function objectDoc(h: S3Harness, bucket: string, key: string): Promise<ObjectDoc> {
  return (await h.state.resources.get<ObjectDoc>(ACCOUNT, S3_SERVICE, 'object', objectId(bucket, key)))!.doc;
}

/**
 * Turns an object written now into one as written before bucket keys took the bucket ARN: its blob bound to the
 * object ARN and no KeyScope marker on the record (BucketKeyEnabled still true).
 */
async function makeLegacy(h: S3Harness, bucket: string, key: string): Promise<void> {
  const doc = await objectDoc(h, bucket, key);
  for (const b of doc.Blobs) h.vault.blobs.get(b.BlobId)!.context['aws:s3:arn'] = `arn:aws:s3:::${bucket}/${key}`;
  delete doc.Sse.KeyScope;
  await h.state.resources.update(ACCOUNT, S3_SERVICE, 'object', objectId(bucket, key), doc);
}

withEachBackend((_name, open) => {
  describe('S3 Bucket Keys: the read context follows the scope recorded at write time', () => {
    it('reads objects written before the bucket-ARN context (no KeyScope) and new ones, and copies both', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'bkt' });

      const put = await h.call('PutObject', { Bucket: 'bkt', Key: 'new', Body: body('new object'), ...KMS });
      expect(put).toMatchObject({ ServerSideEncryption: 'aws:kms', BucketKeyEnabled: true });
      const fresh = await objectDoc(h, 'bkt', 'new');
      expect(fresh.Sse).toMatchObject({ BucketKeyEnabled: true, KeyScope: 'bucket' });
      expect(h.vault.blobs.get(fresh.Blobs[0].BlobId)!.context).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::bkt' });

      await h.call('PutObject', { Bucket: 'bkt', Key: 'old', Body: body('old object'), ...KMS });
      await makeLegacy(h, 'bkt', 'old');
      const legacy = await objectDoc(h, 'bkt', 'old');
      expect(legacy.Sse.BucketKeyEnabled).toBe(true);
      expect(legacy.Sse.KeyScope).toBeUndefined();

      expect(await text(h, 'bkt', 'new')).toBe('new object');
      expect(await text(h, 'bkt', 'old')).toBe('old object');
      const ranged = await h.call('GetObject', { Bucket: 'bkt', Key: 'old', Range: 'bytes=0-2' });
      expect((await readAll(ranged.Body)).toString()).toBe('old');
      expect((await h.call('HeadObject', { Bucket: 'bkt', Key: 'old' })).BucketKeyEnabled).toBe(true);

      // CopyObject reads each source with its own scope; the copies are new writes (bucket scope with a bucket key).
      for (const src of ['new', 'old']) {
        await h.call('CopyObject', { Bucket: 'bkt', Key: `${src}-bk`, CopySource: `/bkt/${src}`, ...KMS });
        await h.call('CopyObject', { Bucket: 'bkt', Key: `${src}-plain`, CopySource: `/bkt/${src}`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/data' });
        expect(await text(h, 'bkt', `${src}-bk`)).toBe(`${src} object`);
        expect(await text(h, 'bkt', `${src}-plain`)).toBe(`${src} object`);
        expect((await objectDoc(h, 'bkt', `${src}-bk`)).Sse.KeyScope).toBe('bucket');
        expect((await objectDoc(h, 'bkt', `${src}-plain`)).Sse.KeyScope).toBeUndefined();
      }
      // A self-copy that rewrites the legacy object in place moves it to the bucket scope.
      await h.call('CopyObject', { Bucket: 'bkt', Key: 'old', CopySource: '/bkt/old', MetadataDirective: 'REPLACE', ...KMS });
      expect((await objectDoc(h, 'bkt', 'old')).Sse.KeyScope).toBe('bucket');
      expect(await text(h, 'bkt', 'old')).toBe('old object');
    });

    it('keeps the bucket default (BucketKeyEnabled) on the bucket scope, and SSE-S3 on the object scope', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'dflt' });
      await h.call('PutBucketEncryption', { Bucket: 'dflt', ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/data' }, BucketKeyEnabled: true }] } });
      await h.call('PutObject', { Bucket: 'dflt', Key: 'a', Body: body('a') });
      expect((await objectDoc(h, 'dflt', 'a')).Sse.KeyScope).toBe('bucket');
      await h.call('PutObject', { Bucket: 'dflt', Key: 's3', Body: body('b'), ServerSideEncryption: 'AES256' });
      const sseS3 = await objectDoc(h, 'dflt', 's3');
      expect(sseS3.Sse.KeyScope).toBeUndefined();
      expect(h.vault.blobs.get(sseS3.Blobs[0].BlobId)!.context).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::dflt/s3' });
      expect(await text(h, 'dflt', 'a')).toBe('a');
      expect(await text(h, 'dflt', 's3')).toBe('b');
    });

    it('writes the parts of an upload under the scope the upload recorded (new uploads and ones created before)', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'mpu' });
      for (const [key, legacy] of [['fresh', false], ['legacy', true]] as const) {
        const { UploadId } = await h.call('CreateMultipartUpload', { Bucket: 'mpu', Key: key, ...KMS });
        if (legacy) {
          const id = uploadRecordId('mpu', UploadId);
          const up = (await h.state.resources.get<UploadDoc>(ACCOUNT, S3_SERVICE, 'upload', id))!.doc;
          expect(up.Sse.KeyScope).toBe('bucket');
          delete up.Sse.KeyScope;
          await h.state.resources.update(ACCOUNT, S3_SERVICE, 'upload', id, up);
        }
        const part = await h.call('UploadPart', { Bucket: 'mpu', Key: key, UploadId, PartNumber: 1, Body: body(`${key} parts`) });
        await h.call('CompleteMultipartUpload', { Bucket: 'mpu', Key: key, UploadId, MultipartUpload: { Parts: [{ ETag: part.ETag, PartNumber: 1 }] } });
        const doc = await objectDoc(h, 'mpu', key);
        expect(h.vault.blobs.get(doc.Blobs[0].BlobId)!.context['aws:s3:arn']).toBe(legacy ? `arn:aws:s3:::mpu/${key}` : 'arn:aws:s3:::mpu');
        expect(await text(h, 'mpu', key)).toBe(`${key} parts`);
      }
    });
  });
});
