import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { ensureServiceKey } from './index.js';
import { ACCOUNT, REGION, allow, expectError, kmsHarness } from './testing.js';

withEachBackend((_name, open) => {
  describe('AWS managed service keys', () => {
    it('creates alias/aws/<service> once, even under concurrent first use', async () => {
      const h = await kmsHarness(await open());
      const arns = await Promise.all([1, 2, 3, 4].map(() => ensureServiceKey(h.deps, ACCOUNT, REGION, 'sagemaker')));
      expect(new Set(arns).size).toBe(1);
      expect(arns[0]).toMatch(new RegExp(`^arn:aws:kms:${REGION}:${ACCOUNT}:key/`));
      expect(await ensureServiceKey(h.deps, ACCOUNT, REGION, 'sagemaker')).toBe(arns[0]);
      expect(await ensureServiceKey(h.deps, ACCOUNT, REGION, 's3')).not.toBe(arns[0]);
      expect(await ensureServiceKey(h.deps, ACCOUNT, 'eu-west-1', 'sagemaker')).toMatch(/^arn:aws:kms:eu-west-1:/);
      expect((await h.kmsCall('ListKeys', {})).Keys).toHaveLength(2);
      const meta = (await h.kmsCall('DescribeKey', { KeyId: 'alias/aws/sagemaker' })).KeyMetadata;
      expect(meta).toMatchObject({ Arn: arns[0], KeyManager: 'AWS', Description: 'Default key that protects my SageMaker data when no other key is defined' });
    });

    it('lets principals of the account use the key through the service only', async () => {
      const h = await kmsHarness(await open());
      const arn = await ensureServiceKey(h.deps, ACCOUNT, REGION, 'sagemaker');
      const role = await h.roleSession('exec', allow(['kms:GenerateDataKey', 'kms:Decrypt']));
      const via = { viaService: `sagemaker.${REGION}.amazonaws.com` };
      const dk = await h.kmsCall('GenerateDataKey', { KeyId: arn, KeySpec: 'AES_256', EncryptionContext: { a: 'b' } }, role, via);
      expect((await h.kmsCall('Decrypt', { CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { a: 'b' } }, role, via)).KeyId).toBe(arn);
      await expectError(h.kmsCall('Decrypt', { CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { a: 'b' } }, role), 'AccessDeniedException');
      await expectError(h.kmsCall('Decrypt', { CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { a: 'b' } }, role,
        { viaService: `s3.${REGION}.amazonaws.com` }), 'AccessDeniedException');
      expect((await h.kmsCall('GetKeyPolicy', { KeyId: arn, PolicyName: 'default' })).Policy).toContain('kms:ViaService');
      await expectError(h.kmsCall('PutKeyPolicy', { KeyId: arn, PolicyName: 'default', Policy: '{}' }), 'AccessDeniedException');
    });
  });
});
