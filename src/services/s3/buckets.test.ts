import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { isValidBucketName } from './names.js';
import { body, expectError, s3Harness } from './testing.js';

describe('bucket names', () => {
  it('follows S3 rules', () => {
    for (const ok of ['abc', 'my-bucket.data', 'a'.repeat(63), '1bucket', 'a-b.c-d']) expect(isValidBucketName(ok), ok).toBe(true);
    for (const bad of ['ab', 'a'.repeat(64), 'My-Bucket', 'bucket_', '-bucket', 'bucket-', '.bucket', 'bucket.', 'a..b',
      '192.168.5.4', 'xn--bucket', 'sthree-x', 'bucket-s3alias', 'bucket--ol-s3', 'my bucket', 'amzn-s3-demo-x', 'a.mrap']) {
      expect(isValidBucketName(bad), bad).toBe(false);
    }
  });
});

withEachBackend((_name, open) => {
  describe('S3 buckets', () => {
    it('creates, lists, heads, locates and deletes buckets', async () => {
      const h = await s3Harness(await open());
      await expectError(h.call('CreateBucket', { Bucket: 'Bad_Name' }), 'InvalidBucketName');
      expect(await h.call('CreateBucket', { Bucket: 'beta' })).toEqual({ Location: '/beta' });
      await h.call('CreateBucket', { Bucket: 'alpha' });
      const list = await h.call('ListBuckets', {});
      expect(list.Buckets.map((b: { Name: string }) => b.Name)).toEqual(['alpha', 'beta']);
      expect(list.Owner.ID).toMatch(/^[0-9a-f]{64}$/);
      await h.call('HeadBucket', { Bucket: 'alpha' });
      expect(await h.call('GetBucketLocation', { Bucket: 'alpha' })).toEqual({});
      await expectError(h.call('HeadBucket', { Bucket: 'missing' }), 'NoSuchBucket');
      await h.call('DeleteBucket', { Bucket: 'alpha' });
      await expectError(h.call('DeleteBucket', { Bucket: 'alpha' }), 'NoSuchBucket', 'The specified bucket does not exist');
      expect((await h.call('ListBuckets', {})).Buckets.map((b: { Name: string }) => b.Name)).toEqual(['beta']);
    });

    it('bucket names are global; recreating your own us-east-1 bucket there is a no-op, elsewhere 409', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'shared' });
      await h.call('CreateBucket', { Bucket: 'shared' });
      const other = await h.foreign();
      const err = await expectError(h.call('CreateBucket', { Bucket: 'shared' }, other), 'BucketAlreadyExists');
      expect(err.httpStatus).toBe(409);
      expect((await h.call('ListBuckets', {}, other)).Buckets).toEqual([]);
      await h.call('CreateBucket', { Bucket: 'west', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }, h.root, { region: 'eu-west-1' });
      expect(await h.call('GetBucketLocation', { Bucket: 'west' })).toEqual({ LocationConstraint: 'eu-west-1' });
      const owned = await expectError(h.call('CreateBucket', { Bucket: 'west', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } },
        h.root, { region: 'eu-west-1' }), 'BucketAlreadyOwnedByYou');
      expect(owned.httpStatus).toBe(409);
      await expectError(h.call('CreateBucket', { Bucket: 'west' }), 'BucketAlreadyOwnedByYou');
    });

    it('checks LocationConstraint against the endpoint region', async () => {
      const h = await s3Harness(await open());
      await expectError(h.call('CreateBucket', { Bucket: 'bkt1', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
        'IllegalLocationConstraintException');
      await expectError(h.call('CreateBucket', { Bucket: 'bkt1' }, h.root, { region: 'eu-west-1' }), 'IllegalLocationConstraintException',
        'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.');
    });

    it('DeleteBucket refuses a bucket with objects or uploads in progress (409 BucketNotEmpty)', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'full' });
      await h.call('PutObject', { Bucket: 'full', Key: 'a', Body: body('x') });
      const err = await expectError(h.call('DeleteBucket', { Bucket: 'full' }), 'BucketNotEmpty', 'The bucket you tried to delete is not empty');
      expect(err.httpStatus).toBe(409);
      expect(err.extra).toEqual({ BucketName: 'full' });
      await h.call('DeleteObject', { Bucket: 'full', Key: 'a' });
      const { UploadId } = await h.call('CreateMultipartUpload', { Bucket: 'full', Key: 'm' });
      await expectError(h.call('DeleteBucket', { Bucket: 'full' }), 'BucketNotEmpty');
      await h.call('AbortMultipartUpload', { Bucket: 'full', Key: 'm', UploadId });
      await h.call('DeleteBucket', { Bucket: 'full' });
    });

    it('tagging, default encryption and public access block round-trip', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'cfg' });
      await expectError(h.call('GetBucketTagging', { Bucket: 'cfg' }), 'NoSuchTagSet');
      await h.call('PutBucketTagging', { Bucket: 'cfg', Tagging: { TagSet: [{ Key: 'team', Value: 'ml' }] } });
      expect(await h.call('GetBucketTagging', { Bucket: 'cfg' })).toEqual({ TagSet: [{ Key: 'team', Value: 'ml' }] });
      await expectError(h.call('PutBucketTagging', { Bucket: 'cfg', Tagging: { TagSet: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] } }), 'InvalidTag');
      await h.call('DeleteBucketTagging', { Bucket: 'cfg' });
      await expectError(h.call('GetBucketTagging', { Bucket: 'cfg' }), 'NoSuchTagSet');

      const sseS3 = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] };
      expect((await h.call('GetBucketEncryption', { Bucket: 'cfg' })).ServerSideEncryptionConfiguration).toEqual(sseS3);
      const kms = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/data' }, BucketKeyEnabled: true }] };
      await h.call('PutBucketEncryption', { Bucket: 'cfg', ServerSideEncryptionConfiguration: kms });
      expect((await h.call('GetBucketEncryption', { Bucket: 'cfg' })).ServerSideEncryptionConfiguration).toEqual(kms);
      await h.call('DeleteBucketEncryption', { Bucket: 'cfg' });
      expect((await h.call('GetBucketEncryption', { Bucket: 'cfg' })).ServerSideEncryptionConfiguration).toEqual(sseS3);
      await expectError(h.call('PutBucketEncryption', { Bucket: 'cfg', ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: 'k' } }] } }), 'InvalidArgument');

      const all = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
      expect((await h.call('GetPublicAccessBlock', { Bucket: 'cfg' })).PublicAccessBlockConfiguration).toEqual(all);
      await h.call('PutPublicAccessBlock', { Bucket: 'cfg', PublicAccessBlockConfiguration: { BlockPublicPolicy: true } });
      expect((await h.call('GetPublicAccessBlock', { Bucket: 'cfg' })).PublicAccessBlockConfiguration)
        .toEqual({ BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false });
      await h.call('DeletePublicAccessBlock', { Bucket: 'cfg' });
      await expectError(h.call('GetPublicAccessBlock', { Bucket: 'cfg' }), 'NoSuchPublicAccessBlockConfiguration');
    });
  });
});
