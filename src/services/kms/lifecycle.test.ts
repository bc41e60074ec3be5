import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { kmsContext } from './context.js';
import { readHeader } from './ciphertext.js';
import { expectError, kmsHarness } from './testing.js';

const text = (s: string): Buffer => Buffer.from(s, 'utf8');
const DAY = 24 * 3600 * 1000;

withEachBackend((_name, open) => {
  describe('key deletion', () => {
    it('schedules deletion (7–30 days), refuses use meanwhile, and the scheduler deletes the key when due', async () => {
      const h = await kmsHarness(await open());
      const { KeyId, Arn } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      await h.kmsCall('CreateAlias', { AliasName: 'alias/doomed', TargetKeyId: KeyId });
      await h.kmsCall('CreateGrant', { KeyId, GranteePrincipal: 'arn:aws:iam::123456789012:user/x', Operations: ['Decrypt'] });
      const blob = (await h.kmsCall('Encrypt', { KeyId, Plaintext: text('x') })).CiphertextBlob;
      await expectError(h.kmsCall('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 6 }), 'ValidationException',
        'PendingWindowInDays should be between 7 and 30, but it is 6');
      const out = await h.kmsCall('ScheduleKeyDeletion', { KeyId });
      expect(out).toMatchObject({ KeyId: Arn, KeyState: 'PendingDeletion', PendingWindowInDays: 30 });
      expect(out.DeletionDate.getTime()).toBe(h.clock.now().getTime() + 30 * DAY);
      expect((await h.kmsCall('DescribeKey', { KeyId })).KeyMetadata).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false, PendingDeletionWindowInDays: 30 });
      await expectError(h.kmsCall('Decrypt', { CiphertextBlob: blob }), 'KMSInvalidStateException', `${Arn} is pending deletion.`);
      await expectError(h.kmsCall('Encrypt', { KeyId, Plaintext: text('x') }), 'KMSInvalidStateException');
      await expectError(h.kmsCall('EnableKey', { KeyId }), 'KMSInvalidStateException');
      await expectError(h.kmsCall('ScheduleKeyDeletion', { KeyId }), 'KMSInvalidStateException');

      h.clock.advanceDays(29);
      await h.runner.runDue();
      expect((await h.kmsCall('DescribeKey', { KeyId })).KeyMetadata.KeyState).toBe('PendingDeletion');

      h.clock.advanceDays(1);
      // Past the deletion date the key is gone even before the sweep runs.
      await expectError(h.kmsCall('DescribeKey', { KeyId }), 'NotFoundException', `Key '${Arn}' does not exist`);
      await h.runner.runDue();
      await expectError(h.kmsCall('DescribeKey', { KeyId }), 'NotFoundException');
      await expectError(h.kmsCall('DescribeKey', { KeyId: 'alias/doomed' }), 'NotFoundException');
      await expectError(h.kmsCall('Decrypt', { CiphertextBlob: blob }), 'NotFoundException');
      expect((await h.kmsCall('ListKeys', {})).Keys).toEqual([]);
      // Everything about the key is gone from the store: metadata, material, aliases, grants, schedule.
      const rows = await h.state.db.query<{ kind: string }>("SELECT kind FROM resources WHERE service = 'kms'");
      expect(rows).toEqual([]);
      expect(kmsContext(h.deps).materials.get(`${Arn}#1`)).toBeUndefined();
    });

    it('CancelKeyDeletion leaves the key disabled, and the scheduler then leaves it alone', async () => {
      const h = await kmsHarness(await open());
      const { KeyId, Arn } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      await expectError(h.kmsCall('CancelKeyDeletion', { KeyId }), 'KMSInvalidStateException', `${Arn} is not pending deletion.`);
      await h.kmsCall('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 7 });
      expect(await h.kmsCall('CancelKeyDeletion', { KeyId })).toEqual({ KeyId: Arn });
      const meta = (await h.kmsCall('DescribeKey', { KeyId })).KeyMetadata;
      expect(meta).toMatchObject({ KeyState: 'Disabled', Enabled: false });
      expect(meta.DeletionDate).toBeUndefined();
      h.clock.advanceDays(60);
      await h.runner.runDue();
      await h.kmsCall('EnableKey', { KeyId });
      await h.kmsCall('Encrypt', { KeyId, Plaintext: text('alive') });
    });
  });

  describe('rotation', () => {
    it('rotates on schedule; old ciphertexts still decrypt, new ones use the new version', async () => {
      const h = await kmsHarness(await open());
      const { KeyId, Arn } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      expect(await h.kmsCall('GetKeyRotationStatus', { KeyId })).toEqual({ KeyRotationEnabled: false, KeyId: Arn });
      await expectError(h.kmsCall('EnableKeyRotation', { KeyId, RotationPeriodInDays: 89 }), 'ValidationException');
      await h.kmsCall('EnableKeyRotation', { KeyId, RotationPeriodInDays: 90 });
      const status = await h.kmsCall('GetKeyRotationStatus', { KeyId });
      expect(status).toMatchObject({ KeyRotationEnabled: true, KeyId: Arn, RotationPeriodInDays: 90 });
      expect(status.NextRotationDate.getTime()).toBe(h.clock.now().getTime() + 90 * DAY);

      const old = (await h.kmsCall('Encrypt', { KeyId, Plaintext: text('v1 data'), EncryptionContext: { a: '1' } })).CiphertextBlob;
      expect(readHeader(old)?.version).toBe(1);
      h.clock.advanceDays(90);
      await h.runner.runDue();
      const fresh = (await h.kmsCall('Encrypt', { KeyId, Plaintext: text('v2 data') })).CiphertextBlob;
      expect(readHeader(fresh)?.version).toBe(2);
      expect((await h.kmsCall('Decrypt', { CiphertextBlob: old, EncryptionContext: { a: '1' } })).Plaintext.toString()).toBe('v1 data');
      expect((await h.kmsCall('Decrypt', { CiphertextBlob: fresh })).Plaintext.toString()).toBe('v2 data');
      const next = (await h.kmsCall('GetKeyRotationStatus', { KeyId })).NextRotationDate;
      expect(next.getTime()).toBe(h.clock.now().getTime() + 90 * DAY);
      // Running again the same day rotates nothing more.
      await h.runner.runDue();
      expect((await h.kmsCall('ListKeyRotations', { KeyId })).Rotations).toHaveLength(1);

      // A disabled key does not rotate; enabling it catches up.
      await h.kmsCall('DisableKey', { KeyId });
      h.clock.advanceDays(100);
      await h.runner.runDue();
      await h.kmsCall('EnableKey', { KeyId });
      expect((await h.kmsCall('ListKeyRotations', { KeyId })).Rotations).toHaveLength(1);
      await h.runner.runDue();
      const rotations = (await h.kmsCall('ListKeyRotations', { KeyId })).Rotations;
      expect(rotations.map((r: { RotationType: string }) => r.RotationType)).toEqual(['AUTOMATIC', 'AUTOMATIC']);
      expect(rotations.map((r: { KeyMaterialState: string }) => r.KeyMaterialState)).toEqual(['NON_CURRENT', 'CURRENT']);

      await h.kmsCall('DisableKeyRotation', { KeyId });
      expect((await h.kmsCall('GetKeyRotationStatus', { KeyId })).KeyRotationEnabled).toBe(false);
      h.clock.advanceDays(400);
      await h.runner.runDue();
      expect((await h.kmsCall('ListKeyRotations', { KeyId })).Rotations).toHaveLength(2);
      expect((await h.kmsCall('Decrypt', { CiphertextBlob: old, EncryptionContext: { a: '1' } })).Plaintext.toString()).toBe('v1 data');
    });

    it('RotateKeyOnDemand adds a version at once, at most 10 times; HMAC keys do not rotate', async () => {
      const h = await kmsHarness(await open());
      const { KeyId, Arn } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const before = (await h.kmsCall('Encrypt', { KeyId, Plaintext: text('before') })).CiphertextBlob;
      for (let n = 0; n < 10; n++) expect(await h.kmsCall('RotateKeyOnDemand', { KeyId })).toEqual({ KeyId: Arn });
      await expectError(h.kmsCall('RotateKeyOnDemand', { KeyId }), 'LimitExceededException');
      const list = await h.kmsCall('ListKeyRotations', { KeyId, Limit: 4 });
      expect(list.Rotations).toHaveLength(4);
      expect(list.Truncated).toBe(true);
      expect(list.Rotations[0]).toMatchObject({ KeyId: Arn, RotationType: 'ON_DEMAND' });
      expect(list.Rotations[0].KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
      const after = (await h.kmsCall('Encrypt', { KeyId, Plaintext: text('after') })).CiphertextBlob;
      expect(readHeader(after)?.version).toBe(11);
      expect((await h.kmsCall('Decrypt', { CiphertextBlob: before })).Plaintext.toString()).toBe('before');

      const hmac = (await h.kmsCall('CreateKey', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata;
      await expectError(h.kmsCall('EnableKeyRotation', { KeyId: hmac.KeyId }), 'UnsupportedOperationException');
      await expectError(h.kmsCall('RotateKeyOnDemand', { KeyId: hmac.KeyId }), 'UnsupportedOperationException');
      await h.kmsCall('DisableKey', { KeyId });
      await expectError(h.kmsCall('RotateKeyOnDemand', { KeyId }), 'DisabledException');
      await expectError(h.kmsCall('EnableKeyRotation', { KeyId }), 'DisabledException');
    });
  });

  describe('key policies', () => {
    it('gets, lists and puts the default policy, with validation and the lockout safety check', async () => {
      const h = await kmsHarness(await open());
      const { KeyId, Arn } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      expect(JSON.parse((await h.kmsCall('GetKeyPolicy', { KeyId, PolicyName: 'default' })).Policy)).toEqual({
        Version: '2012-10-17', Id: 'key-default-1',
        Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' }],
      });
      expect(await h.kmsCall('ListKeyPolicies', { KeyId })).toEqual({ PolicyNames: ['default'], Truncated: false });
      await expectError(h.kmsCall('GetKeyPolicy', { KeyId, PolicyName: 'other' }), 'NotFoundException');
      await expectError(h.kmsCall('PutKeyPolicy', { KeyId, PolicyName: 'default', Policy: '{"Version":"2012-10-17"}' }), 'MalformedPolicyDocumentException');

      const lockout = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:Decrypt', Resource: '*' }] });
      await expectError(h.kmsCall('PutKeyPolicy', { KeyId, PolicyName: 'default', Policy: lockout }), 'MalformedPolicyDocumentException',
        'The new key policy will not allow you to update the key policy in the future.');
      await expectError(h.kmsCall('CreateKey', { Policy: lockout }), 'MalformedPolicyDocumentException');
      await h.kmsCall('PutKeyPolicy', { KeyId, PolicyName: 'default', Policy: lockout, BypassPolicyLockoutSafetyCheck: true });
      // The locked-out policy denies even reading it; look past authorization to check it was stored.
      await expectError(h.kmsCall('GetKeyPolicy', { KeyId, PolicyName: 'default' }), 'AccessDeniedException');
      expect((await h.kmsCall('GetKeyPolicy', { KeyId, PolicyName: 'default' }, h.root, { authorize: false })).Policy).toBe(lockout);
      // Now even root cannot change it: the key policy is authoritative.
      await expectError(h.kmsCall('PutKeyPolicy', { KeyId, PolicyName: 'default', Policy: lockout }), 'AccessDeniedException',
        new RegExp(`kms:PutKeyPolicy on resource: ${Arn}`));
      const created = (await h.kmsCall('CreateKey', { Policy: lockout, BypassPolicyLockoutSafetyCheck: true })).KeyMetadata;
      expect(created.KeyState).toBe('Enabled');
    });
  });
});
