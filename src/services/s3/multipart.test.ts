import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { body, expectError, readAll, s3Harness, type S3Harness } from './testing.js';

const MiB = 1024 * 1024;
const filled = (size: number, seed: number): Buffer => {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
};
const md5 = (b: Buffer): Buffer => createHash('md5').update(b).digest();

async function upload(h: S3Harness, bucket: string, key: string, parts: Buffer[], extra: Record<string, unknown> = {}): Promise<{ UploadId: string; etags: string[] }> {
  const { UploadId } = await h.call('CreateMultipartUpload', { Bucket: bucket, Key: key, ...extra });
  const etags: string[] = [];
  for (const [n, data] of parts.entries()) {
    etags.push((await h.call('UploadPart', { Bucket: bucket, Key: key, UploadId, PartNumber: n + 1, Body: body(data, 256 * 1024), ContentLength: data.length })).ETag);
  }
  return { UploadId, etags };
}

withEachBackend((_name, open) => {
  describe('multipart upload', () => {
    it('completes into an object made of the part blobs, with S3\'s ETag, readable across part boundaries', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'mpu' });
      const parts = [filled(5 * MiB, 1), filled(5 * MiB, 2), filled(1234, 3)];
      const { UploadId, etags } = await upload(h, 'mpu', 'big.bin', parts, { ContentType: 'application/x-big', Metadata: { m: '1' } });
      expect(etags[0]).toBe(`"${md5(parts[0]).toString('hex')}"`);
      const listed = await h.call('ListParts', { Bucket: 'mpu', Key: 'big.bin', UploadId });
      expect(listed.Parts.map((p: { PartNumber: number; Size: number }) => [p.PartNumber, p.Size])).toEqual([[1, 5 * MiB], [2, 5 * MiB], [3, 1234]]);
      const uploads = await h.call('ListMultipartUploads', { Bucket: 'mpu' });
      expect(uploads.Uploads.map((u: { UploadId: string }) => u.UploadId)).toEqual([UploadId]);

      const done = await h.call('CompleteMultipartUpload', { Bucket: 'mpu', Key: 'big.bin', UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } });
      const expected = `"${createHash('md5').update(Buffer.concat(parts.map(md5))).digest('hex')}-3"`;
      expect(done).toMatchObject({ Bucket: 'mpu', Key: 'big.bin', ETag: expected, ServerSideEncryption: 'AES256' });
      expect(h.vault.blobs.size).toBe(3);
      const all = Buffer.concat(parts);
      const got = await h.call('GetObject', { Bucket: 'mpu', Key: 'big.bin' });
      expect(got).toMatchObject({ ETag: expected, ContentLength: all.length, ContentType: 'application/x-big', Metadata: { m: '1' } });
      expect((await readAll(got.Body)).equals(all)).toBe(true);
      const Range = `bytes=${5 * MiB - 10}-${10 * MiB + 9}`;
      const ranged = await readAll((await h.call('GetObject', { Bucket: 'mpu', Key: 'big.bin', Range })).Body);
      expect(ranged.equals(all.subarray(5 * MiB - 10, 10 * MiB + 10))).toBe(true);
      const part2 = await h.call('GetObject', { Bucket: 'mpu', Key: 'big.bin', PartNumber: 2 });
      expect(part2).toMatchObject({ PartsCount: 3, ContentRange: `bytes ${5 * MiB}-${10 * MiB - 1}/${all.length}` });
      expect((await readAll(part2.Body)).equals(parts[1])).toBe(true);
      await expectError(h.call('ListParts', { Bucket: 'mpu', Key: 'big.bin', UploadId }), 'NoSuchUpload');
      expect((await h.call('ListMultipartUploads', { Bucket: 'mpu' })).Uploads).toEqual([]);
    });

    it('rejects bad part lists: order, unknown parts, wrong ETags, small parts, bad part numbers', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'mpu' });
      const { UploadId, etags } = await upload(h, 'mpu', 'k', [filled(100, 1), filled(100, 2)]);
      const complete = (Parts: unknown[]) => h.call('CompleteMultipartUpload', { Bucket: 'mpu', Key: 'k', UploadId, MultipartUpload: { Parts } });
      await expectError(complete([{ ETag: etags[1], PartNumber: 2 }, { ETag: etags[0], PartNumber: 1 }]), 'InvalidPartOrder');
      await expectError(complete([{ ETag: etags[0], PartNumber: 1 }, { ETag: etags[0], PartNumber: 1 }]), 'InvalidPartOrder');
      await expectError(complete([{ ETag: etags[0], PartNumber: 1 }, { ETag: etags[1], PartNumber: 3 }]), 'InvalidPart');
      await expectError(complete([{ ETag: '"0000"', PartNumber: 1 }]), 'InvalidPart');
      const small = await expectError(complete([{ ETag: etags[0], PartNumber: 1 }, { ETag: etags[1], PartNumber: 2 }]), 'EntityTooSmall',
        'Your proposed upload is smaller than the minimum allowed size');
      expect(small.extra).toMatchObject({ ProposedSize: 100, MinSizeAllowed: 5 * MiB });
      await expectError(h.call('UploadPart', { Bucket: 'mpu', Key: 'k', UploadId, PartNumber: 10001, Body: body('x') }), 'InvalidArgument');
      await expectError(h.call('UploadPart', { Bucket: 'mpu', Key: 'other', UploadId, PartNumber: 1, Body: body('x') }), 'NoSuchUpload');
      // A single small part is fine: the last part has no minimum.
      const one = await complete([{ ETag: etags[0].slice(1, -1), PartNumber: 1 }]);
      expect(one.ETag).toMatch(/^"[0-9a-f]{32}-1"$/);
      expect(h.vault.blobs.size).toBe(1);
      await expectError(h.call('AbortMultipartUpload', { Bucket: 'mpu', Key: 'k', UploadId }), 'NoSuchUpload');
    });

    it('re-uploading a part replaces it; abort removes every part blob; UploadPartCopy copies a range', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'mpu' });
      const { UploadId } = await upload(h, 'mpu', 'k', [filled(10, 1)]);
      await h.call('UploadPart', { Bucket: 'mpu', Key: 'k', UploadId, PartNumber: 1, Body: body('replaced') });
      expect(h.vault.blobs.size).toBe(1);
      await h.call('PutObject', { Bucket: 'mpu', Key: 'src', Body: body('0123456789') });
      const copy = await h.call('UploadPartCopy', { Bucket: 'mpu', Key: 'k', UploadId, PartNumber: 2, CopySource: '/mpu/src', CopySourceRange: 'bytes=2-4' });
      expect(copy.CopyPartResult.ETag).toBe(`"${createHash('md5').update('234').digest('hex')}"`);
      await expectError(h.call('UploadPartCopy', { Bucket: 'mpu', Key: 'k', UploadId, PartNumber: 3, CopySource: '/mpu/src', CopySourceRange: 'bytes=5-10' }),
        'InvalidRange');
      expect(h.vault.blobs.size).toBe(3);
      await h.call('AbortMultipartUpload', { Bucket: 'mpu', Key: 'k', UploadId });
      expect(h.vault.blobs.size).toBe(1);
    });
  });
});
