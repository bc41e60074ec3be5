import { describe, expect, it } from 'vitest';
import { authorize } from '../../gateway/authorize.js';
import { withEachBackend } from '../../state/testing.js';
import { AUTHORIZED_OPERATIONS } from './authz.js';
import { s3Handlers } from './index.js';
import { ACCOUNT, MemoryVault, body, expectError, s3ContextFor, s3Harness } from './testing.js';

const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };

/** PCI DSS classic 1: objects must be written with SSE-KMS. */
const requireKms = (bucket: string): string => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{
    Sid: 'DenyUnencryptedObjectUploads', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${bucket}/*`,
    Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
  }],
});

/** PCI DSS classic 2: nothing without TLS. */
const requireTls = (bucket: string): string => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{
    Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*',
    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  }],
});

const publicRead = (bucket: string): string => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }],
});

withEachBackend((_name, open) => {
  describe('S3 authorization', () => {
    it('every implemented operation has exactly one rule in the authorization table', async () => {
      const h = await s3Harness(await open());
      expect(Object.keys(s3Handlers(h.deps, new MemoryVault())).sort()).toEqual([...AUTHORIZED_OPERATIONS].sort());
    });

    it('maps operations to S3 actions, ARNs, condition keys and the bucket policy', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'pci' });
      await h.call('PutBucketPolicy', { Bucket: 'pci', Policy: requireKms('pci') });
      const put = await h.s3.operations.PutObject.authz({ Bucket: 'pci', Key: 'a/b', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/k', Tagging: 'env=prod' },
        s3ContextFor(h.root, h.s3, 'PutObject'));
      expect(put).toMatchObject({
        action: 's3:PutObject', resources: ['arn:aws:s3:::pci/a/b'],
        resourcePolicy: { document: requireKms('pci'), kind: 'resource', id: 'arn:aws:s3:::pci', accountId: ACCOUNT },
        conditionKeys: { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': 'alias/k',
          's3:RequestObjectTag/env': 'prod', 's3:RequestObjectTagKeys': ['env'] },
      });
      const list = await h.s3.operations.ListObjectsV2.authz({ Bucket: 'pci', Prefix: 'logs/', Delimiter: '/', MaxKeys: 10 }, s3ContextFor(h.root, h.s3, 'ListObjectsV2'));
      expect(list).toMatchObject({ action: 's3:ListBucket', resources: ['arn:aws:s3:::pci'],
        conditionKeys: { 's3:prefix': 'logs/', 's3:delimiter': '/', 's3:max-keys': '10' } });
      const head = await h.s3.operations.HeadObject.authz({ Bucket: 'pci', Key: 'k' }, s3ContextFor(h.root, h.s3, 'HeadObject'));
      expect(head).toMatchObject({ action: 's3:GetObject', resources: ['arn:aws:s3:::pci/k'] });
      const lb = await h.s3.operations.ListBuckets.authz({}, s3ContextFor(h.root, h.s3, 'ListBuckets'));
      expect(lb).toMatchObject({ action: 's3:ListAllMyBuckets', resources: ['*'] });
      await expectError(Promise.resolve().then(() => h.s3.operations.GetObject.authz({ Bucket: 'nope', Key: 'k' }, s3ContextFor(h.root, h.s3, 'GetObject'))), 'NoSuchBucket');
    });

    it('PCI: deny s3:PutObject unless aws:kms is requested, through authorize()', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'pci' });
      await h.call('PutBucketPolicy', { Bucket: 'pci', Policy: requireKms('pci') });
      const writer = await h.user('writer', allowAll);
      for (const [input, allowed] of [
        [{}, false], [{ ServerSideEncryption: 'AES256' }, false], [{ ServerSideEncryption: 'aws:kms' }, true],
        [{ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/k' }, true],
      ] as const) {
        const ctx = s3ContextFor(writer, h.s3, 'PutObject');
        const req = await h.s3.operations.PutObject.authz({ Bucket: 'pci', Key: 'x', ...input }, ctx);
        const run = () => authorize(ctx, writer, req, req.action!, new Date());
        if (allowed) expect(run().result).toBe('Allowed');
        else {
          expect(run).toThrow(/explicit deny in a resource-based policy/);
          expect(ctx.decision?.result).toBe('ExplicitlyDenied');
        }
      }
      // End to end: the plain PUT is refused with 403 AccessDenied, the SSE-KMS one is stored; even root is denied.
      const denied = await expectError(h.call('PutObject', { Bucket: 'pci', Key: 'x', Body: body('secret') }, writer), 'AccessDenied');
      expect(denied.httpStatus).toBe(403);
      await expectError(h.call('PutObject', { Bucket: 'pci', Key: 'x', Body: body('secret') }), 'AccessDenied');
      await h.call('PutObject', { Bucket: 'pci', Key: 'x', Body: body('secret'), ServerSideEncryption: 'aws:kms' }, writer);
      // Multipart: the parts are admitted under the SSE the upload was created with.
      await expectError(h.call('CreateMultipartUpload', { Bucket: 'pci', Key: 'm' }, writer), 'AccessDenied');
      const { UploadId } = await h.call('CreateMultipartUpload', { Bucket: 'pci', Key: 'm', ServerSideEncryption: 'aws:kms' }, writer);
      const { ETag } = await h.call('UploadPart', { Bucket: 'pci', Key: 'm', UploadId, PartNumber: 1, Body: body('p') }, writer);
      await h.call('CompleteMultipartUpload', { Bucket: 'pci', Key: 'm', UploadId, MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] } }, writer);
      // CopyObject writes are PutObject writes too.
      await expectError(h.call('CopyObject', { Bucket: 'pci', Key: 'y', CopySource: '/pci/x' }, writer), 'AccessDenied');
      await h.call('CopyObject', { Bucket: 'pci', Key: 'y', CopySource: '/pci/x', ServerSideEncryption: 'aws:kms' }, writer);
    });

    it('PCI: deny every request without TLS', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'tls' });
      await h.call('PutBucketPolicy', { Bucket: 'tls', Policy: requireTls('tls') });
      await h.call('PutObject', { Bucket: 'tls', Key: 'k', Body: body('v') });
      for (const [op, input] of [['GetObject', { Bucket: 'tls', Key: 'k' }], ['PutObject', { Bucket: 'tls', Key: 'k', Body: body('v') }],
        ['ListObjectsV2', { Bucket: 'tls' }], ['GetBucketPolicy', { Bucket: 'tls' }], ['DeleteObject', { Bucket: 'tls', Key: 'k' }]] as const) {
        const ctx = s3ContextFor(h.root, h.s3, op, { secure: false });
        const req = await h.s3.operations[op].authz(input, ctx);
        expect(() => authorize(ctx, h.root, req, req.action!, new Date()), op).toThrow(/explicit deny in a resource-based policy/);
        await expectError(h.call(op, input, h.root, { secure: false }), 'AccessDenied');
        const secure = s3ContextFor(h.root, h.s3, op);
        expect(authorize(secure, h.root, await h.s3.operations[op].authz(input, secure), req.action!, new Date()).result, op).toBe('Allowed');
      }
      const out = await h.call('DeleteObjects', { Bucket: 'tls', Delete: { Objects: [{ Key: 'k' }] } }, h.root, { secure: false });
      expect(out.Errors).toEqual([expect.objectContaining({ Key: 'k', Code: 'AccessDenied' })]);
    });

    it('identity ∪ bucket policy in the account; cross-account needs the bucket policy', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'share' });
      await h.call('PutObject', { Bucket: 'share', Key: 'k', Body: body('v') });
      const nobody = await h.user('nobody');
      await expectError(h.call('GetObject', { Bucket: 'share', Key: 'k' }, nobody), 'AccessDenied');
      const partner = await h.foreign('partner', allowAll);
      await expectError(h.call('GetObject', { Bucket: 'share', Key: 'k' }, partner), 'AccessDenied');
      await h.call('PutBucketPolicy', { Bucket: 'share', Policy: JSON.stringify({ Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Principal: { AWS: [nobody.arn, partner.arn] }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::share/*' }] }) });
      await h.call('GetObject', { Bucket: 'share', Key: 'k' }, nobody);
      await h.call('GetObject', { Bucket: 'share', Key: 'k' }, partner);
      await expectError(h.call('PutObject', { Bucket: 'share', Key: 'k', Body: body('x') }, partner), 'AccessDenied');
      await expectError(h.call('CreateBucket', { Bucket: 'share' }, partner), 'BucketAlreadyExists');
      // CopyObject needs s3:GetObject on the source as well as s3:PutObject on the destination.
      const putOnly = await h.user('put-only', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }] });
      await h.call('PutObject', { Bucket: 'share', Key: 'secret/s', Body: body('s') });
      await expectError(h.call('CopyObject', { Bucket: 'share', Key: 'leak', CopySource: '/share/secret/s' }, putOnly), 'AccessDenied',
        /s3:GetObject on resource: arn:aws:s3:::share\/secret\/s/);
    });

    it('Block Public Access refuses a public policy; GetBucketPolicyStatus reports it; RestrictPublicBuckets', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'pub' });
      await h.call('PutObject', { Bucket: 'pub', Key: 'k', Body: body('v') });
      await expectError(h.call('GetBucketPolicyStatus', { Bucket: 'pub' }), 'NoSuchBucketPolicy');
      const err = await expectError(h.call('PutBucketPolicy', { Bucket: 'pub', Policy: publicRead('pub') }), 'AccessDenied',
        /because public policies are blocked by the BlockPublicPolicy block public access setting\.$/);
      expect(err.httpStatus).toBe(403);
      await expectError(h.call('GetBucketPolicy', { Bucket: 'pub' }), 'NoSuchBucketPolicy');
      // A policy restricted by a fixed condition is not public.
      const vpceOnly = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::pub/*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } }] });
      await h.call('PutBucketPolicy', { Bucket: 'pub', Policy: vpceOnly });
      expect(await h.call('GetBucketPolicyStatus', { Bucket: 'pub' })).toEqual({ PolicyStatus: { IsPublic: false } });

      await h.call('PutPublicAccessBlock', { Bucket: 'pub', PublicAccessBlockConfiguration: { RestrictPublicBuckets: true } });
      await h.call('PutBucketPolicy', { Bucket: 'pub', Policy: publicRead('pub') });
      expect(await h.call('GetBucketPolicyStatus', { Bucket: 'pub' })).toEqual({ PolicyStatus: { IsPublic: true } });
      const outsider = await h.foreign('outsider', allowAll);
      const insider = await h.user('insider');
      await expectError(h.call('GetObject', { Bucket: 'pub', Key: 'k' }, outsider), 'AccessDenied');
      await h.call('GetObject', { Bucket: 'pub', Key: 'k' }, insider);
      await h.call('DeletePublicAccessBlock', { Bucket: 'pub' });
      await h.call('GetObject', { Bucket: 'pub', Key: 'k' }, outsider);
    });

    it('validates bucket policies with S3\'s wording', async () => {
      const h = await s3Harness(await open());
      await h.call('CreateBucket', { Bucket: 'val' });
      const malformed = (Policy: string) => expectError(h.call('PutBucketPolicy', { Bucket: 'val', Policy }), 'MalformedPolicy');
      expect((await malformed('not json')).message).toBe("Policies must be valid JSON and the first byte must be '{'");
      expect((await malformed('{"Version": ')).message).toBe("Policies must be valid JSON and the first byte must be '{'");
      expect((await malformed(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::val/*' }] }))).message).toBe('Missing required field Principal');
      expect((await malformed(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT },
        Action: 's3:GetObject', Resource: 'arn:aws:s3:::other/*' }] }))).message).toBe('Policy has invalid resource');
      expect((await malformed(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT },
        Action: 'iam:GetUser', Resource: 'arn:aws:s3:::val/*' }] }))).message).toBe('Policy has invalid action');
      await h.call('PutBucketPolicy', { Bucket: 'val', Policy: requireTls('val') });
      expect((await h.call('GetBucketPolicy', { Bucket: 'val' })).Policy).toBe(requireTls('val'));
      await h.call('DeleteBucketPolicy', { Bucket: 'val' });
      await expectError(h.call('GetBucketPolicy', { Bucket: 'val' }), 'NoSuchBucketPolicy', 'The bucket policy does not exist');
    });
  });
});
