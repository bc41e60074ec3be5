import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { ACCOUNT, REGION, allow, expectError, kmsHarness } from './testing.js';

const ARN_PREFIX = `arn:aws:kms:${REGION}:${ACCOUNT}:key/`;

withEachBackend((_name, open) => {
  describe('keys', () => {
    it('creates, describes (by id, ARN, alias name, alias ARN), lists and updates keys', async () => {
      const h = await kmsHarness(await open());
      const created = (await h.kmsCall('CreateKey', { Description: 'orders', Tags: [{ TagKey: 'team', TagValue: 'ml' }] })).KeyMetadata;
      expect(created).toMatchObject({
        AWSAccountId: ACCOUNT, Arn: `${ARN_PREFIX}${created.KeyId}`, Enabled: true, Description: 'orders', KeyUsage: 'ENCRYPT_DECRYPT',
        KeyState: 'Enabled', Origin: 'AWS_KMS', KeyManager: 'CUSTOMER', KeySpec: 'SYMMETRIC_DEFAULT',
        CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT', EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'], MultiRegion: false,
      });
      expect(created.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(created.CreationDate).toBeInstanceOf(Date);
      await h.kmsCall('CreateAlias', { AliasName: 'alias/orders', TargetKeyId: created.KeyId });
      for (const id of [created.KeyId, created.Arn, 'alias/orders', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/orders`]) {
        expect((await h.kmsCall('DescribeKey', { KeyId: id })).KeyMetadata.Arn).toBe(created.Arn);
      }
      await expectError(h.kmsCall('DescribeKey', { KeyId: 'nope' }), 'NotFoundException', "Invalid keyId 'nope'");
      await expectError(h.kmsCall('DescribeKey', { KeyId: '11111111-2222-3333-4444-555555555555' }), 'NotFoundException',
        `Key '${ARN_PREFIX}11111111-2222-3333-4444-555555555555' does not exist`);
      await expectError(h.kmsCall('DescribeKey', { KeyId: 'alias/none' }), 'NotFoundException',
        `Alias arn:aws:kms:${REGION}:${ACCOUNT}:alias/none is not found.`);
      // Keys are regional.
      await expectError(h.kmsCall('DescribeKey', { KeyId: created.KeyId }, h.root, { region: 'eu-west-1' }), 'NotFoundException');

      await h.kmsCall('UpdateKeyDescription', { KeyId: created.Arn, Description: 'orders v2' });
      expect((await h.kmsCall('DescribeKey', { KeyId: created.KeyId })).KeyMetadata.Description).toBe('orders v2');

      const others = [];
      for (let n = 0; n < 3; n++) others.push((await h.kmsCall('CreateKey', {})).KeyMetadata.KeyId);
      const p1 = await h.kmsCall('ListKeys', { Limit: 3 });
      expect(p1.Truncated).toBe(true);
      const p2 = await h.kmsCall('ListKeys', { Limit: 3, Marker: p1.NextMarker });
      expect(p2.Truncated).toBe(false);
      const listed = [...p1.Keys, ...p2.Keys];
      expect(listed.map((k: { KeyId: string }) => k.KeyId).sort()).toEqual([created.KeyId, ...others].sort());
      expect(listed.every((k: { KeyId: string; KeyArn: string }) => k.KeyArn === `${ARN_PREFIX}${k.KeyId}`)).toBe(true);
      await expectError(h.kmsCall('ListKeys', { Marker: 'garbage!' }), 'InvalidMarkerException');
    });

    it('validates key specs and usages, and answers NotImplemented for asymmetric keys', async () => {
      const h = await kmsHarness(await open());
      const hmac = (await h.kmsCall('CreateKey', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata;
      expect(hmac).toMatchObject({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', MacAlgorithms: ['HMAC_SHA_256'] });
      expect(hmac.EncryptionAlgorithms).toBeUndefined();
      await expectError(h.kmsCall('CreateKey', { KeySpec: 'HMAC_256' }), 'ValidationException', /must specify a KeyUsage/);
      await expectError(h.kmsCall('CreateKey', { KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'GENERATE_VERIFY_MAC' }), 'ValidationException');
      await expectError(h.kmsCall('CreateKey', { KeySpec: 'SYMMETRIC_DEFAULT', CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' }), 'ValidationException');
      await expectError(h.kmsCall('CreateKey', { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }), 'NotImplemented');
      await expectError(h.kmsCall('CreateKey', { Origin: 'EXTERNAL' }), 'NotImplemented');
    });

    it('disables and enables keys; cryptographic use of a disabled key is DisabledException', async () => {
      const h = await kmsHarness(await open());
      const { KeyId, Arn } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const blob = (await h.kmsCall('Encrypt', { KeyId, Plaintext: Buffer.from('x') })).CiphertextBlob;
      await h.kmsCall('DisableKey', { KeyId });
      expect((await h.kmsCall('DescribeKey', { KeyId })).KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false });
      await expectError(h.kmsCall('Encrypt', { KeyId, Plaintext: Buffer.from('x') }), 'DisabledException', `${Arn} is disabled.`);
      await expectError(h.kmsCall('Decrypt', { CiphertextBlob: blob }), 'DisabledException', `${Arn} is disabled.`);
      await expectError(h.kmsCall('GenerateDataKey', { KeyId, KeySpec: 'AES_256' }), 'DisabledException');
      // Management still works on a disabled key.
      await h.kmsCall('UpdateKeyDescription', { KeyId, Description: 'still manageable' });
      await h.kmsCall('EnableKey', { KeyId });
      expect((await h.kmsCall('Decrypt', { CiphertextBlob: blob })).Plaintext.toString()).toBe('x');
    });

    it('tags keys (case-sensitive keys, aws: reserved) and exposes them as aws:ResourceTag', async () => {
      const h = await kmsHarness(await open());
      const { KeyId } = (await h.kmsCall('CreateKey', { Tags: [{ TagKey: 'env', TagValue: 'dev' }] })).KeyMetadata;
      await h.kmsCall('TagResource', { KeyId, Tags: [{ TagKey: 'env', TagValue: 'prod' }, { TagKey: 'Env', TagValue: 'x' }] });
      expect((await h.kmsCall('ListResourceTags', { KeyId })).Tags).toEqual([{ TagKey: 'Env', TagValue: 'x' }, { TagKey: 'env', TagValue: 'prod' }]);
      await h.kmsCall('UntagResource', { KeyId, TagKeys: ['Env', 'missing'] });
      expect((await h.kmsCall('ListResourceTags', { KeyId })).Tags).toEqual([{ TagKey: 'env', TagValue: 'prod' }]);
      await expectError(h.kmsCall('TagResource', { KeyId, Tags: [{ TagKey: 'aws:x', TagValue: '1' }] }), 'TagException');
      await expectError(h.kmsCall('CreateKey', { Tags: [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'a', TagValue: '2' }] }), 'TagException');

      const abac = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'prod' } } }] };
      const alice = await h.user('alice', abac);
      await h.kmsCall('Encrypt', { KeyId, Plaintext: Buffer.from('x') }, alice);
      await h.kmsCall('TagResource', { KeyId, Tags: [{ TagKey: 'env', TagValue: 'dev' }] });
      await expectError(h.kmsCall('Encrypt', { KeyId, Plaintext: Buffer.from('x') }, alice), 'AccessDeniedException');
    });

    it('CreateKey is authorized by IAM alone, with aws:RequestTag and kms:KeySpec', async () => {
      const h = await kmsHarness(await open());
      const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'ml', 'kms:KeySpec': 'SYMMETRIC_DEFAULT' } } }] };
      const bob = await h.user('bob', policy);
      await h.kmsCall('CreateKey', { Tags: [{ TagKey: 'team', TagValue: 'ml' }], BypassPolicyLockoutSafetyCheck: true }, bob);
      await expectError(h.kmsCall('CreateKey', { Tags: [{ TagKey: 'team', TagValue: 'web' }] }, bob), 'AccessDeniedException');
      const carol = await h.user('carol', allow('kms:DescribeKey'));
      await expectError(h.kmsCall('CreateKey', {}, carol), 'AccessDeniedException',
        `User: arn:aws:iam::${ACCOUNT}:user/carol is not authorized to perform: kms:CreateKey because no identity-based policy allows the kms:CreateKey action`);
    });
  });
});
