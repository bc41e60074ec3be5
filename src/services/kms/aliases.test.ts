import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { ACCOUNT, REGION, allow, expectError, kmsHarness } from './testing.js';

const aliasArn = (name: string): string => `arn:aws:kms:${REGION}:${ACCOUNT}:${name}`;

withEachBackend((_name, open) => {
  describe('aliases', () => {
    it('creates, lists, updates and deletes aliases', async () => {
      const h = await kmsHarness(await open());
      const a = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const b = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      await h.kmsCall('CreateAlias', { AliasName: 'alias/app', TargetKeyId: a.Arn });
      await h.kmsCall('CreateAlias', { AliasName: 'alias/team/db', TargetKeyId: a.KeyId });
      const all = (await h.kmsCall('ListAliases', {})).Aliases;
      expect(all).toMatchObject([
        { AliasName: 'alias/app', AliasArn: aliasArn('alias/app'), TargetKeyId: a.KeyId },
        { AliasName: 'alias/team/db', TargetKeyId: a.KeyId },
      ]);
      expect(all[0].CreationDate).toBeInstanceOf(Date);
      expect((await h.kmsCall('ListAliases', { KeyId: b.KeyId })).Aliases).toEqual([]);

      await h.kmsCall('UpdateAlias', { AliasName: 'alias/app', TargetKeyId: b.KeyId });
      expect((await h.kmsCall('DescribeKey', { KeyId: 'alias/app' })).KeyMetadata.KeyId).toBe(b.KeyId);
      expect((await h.kmsCall('ListAliases', { KeyId: b.Arn })).Aliases.map((x: { AliasName: string }) => x.AliasName)).toEqual(['alias/app']);

      await h.kmsCall('DeleteAlias', { AliasName: 'alias/app' });
      await expectError(h.kmsCall('DescribeKey', { KeyId: 'alias/app' }), 'NotFoundException', `Alias ${aliasArn('alias/app')} is not found.`);
      await expectError(h.kmsCall('DeleteAlias', { AliasName: 'alias/app' }), 'NotFoundException');
      const page = await h.kmsCall('ListAliases', { Limit: 1 });
      expect(page).toMatchObject({ Truncated: false, Aliases: [{ AliasName: 'alias/team/db' }] });
    });

    it('refuses duplicates, reserved and malformed names, alias targets, and keys pending deletion', async () => {
      const h = await kmsHarness(await open());
      const { KeyId } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      await h.kmsCall('CreateAlias', { AliasName: 'alias/app', TargetKeyId: KeyId });
      await expectError(h.kmsCall('CreateAlias', { AliasName: 'alias/app', TargetKeyId: KeyId }), 'AlreadyExistsException',
        `An alias with the name ${aliasArn('alias/app')} already exists`);
      await expectError(h.kmsCall('CreateAlias', { AliasName: 'alias/aws/s3', TargetKeyId: KeyId }), 'NotAuthorizedException');
      await expectError(h.kmsCall('CreateAlias', { AliasName: 'app2', TargetKeyId: KeyId }), 'ValidationException', /must start with the prefix "alias\/"/);
      await expectError(h.kmsCall('CreateAlias', { AliasName: 'alias/a:b', TargetKeyId: KeyId }), 'ValidationException', /regular expression/);
      await expectError(h.kmsCall('CreateAlias', { AliasName: 'alias/x', TargetKeyId: 'alias/app' }), 'ValidationException', 'Aliases must refer to keys. Not aliases');
      const hmac = (await h.kmsCall('CreateKey', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata;
      await expectError(h.kmsCall('UpdateAlias', { AliasName: 'alias/app', TargetKeyId: hmac.KeyId }), 'ValidationException');
      const doomed = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      await h.kmsCall('ScheduleKeyDeletion', { KeyId: doomed.KeyId, PendingWindowInDays: 7 });
      await expectError(h.kmsCall('CreateAlias', { AliasName: 'alias/late', TargetKeyId: doomed.KeyId }), 'KMSInvalidStateException',
        `${doomed.Arn} is pending deletion.`);
    });

    it('alias operations need the permission on the alias and on the key; kms:RequestAlias names the alias used', async () => {
      const h = await kmsHarness(await open());
      const { KeyId, Arn } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const onlyAlias = await h.user('only-alias', allow('kms:CreateAlias', aliasArn('alias/app')));
      await expectError(h.kmsCall('CreateAlias', { AliasName: 'alias/app', TargetKeyId: KeyId }, onlyAlias), 'AccessDeniedException',
        new RegExp(`kms:CreateAlias on resource: ${Arn}`));
      const both = await h.user('both', allow('kms:CreateAlias', [aliasArn('alias/app'), Arn]));
      await h.kmsCall('CreateAlias', { AliasName: 'alias/app', TargetKeyId: KeyId }, both);

      const viaAlias = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'kms:RequestAlias': 'alias/app' } } }] };
      const dana = await h.user('dana', viaAlias);
      await h.kmsCall('Encrypt', { KeyId: 'alias/app', Plaintext: Buffer.from('x') }, dana);
      await expectError(h.kmsCall('Encrypt', { KeyId, Plaintext: Buffer.from('x') }, dana), 'AccessDeniedException');
    });

    it('DescribeKey on alias/aws/s3 creates the AWS managed key, which its owner cannot change', async () => {
      const h = await kmsHarness(await open());
      const meta = (await h.kmsCall('DescribeKey', { KeyId: 'alias/aws/s3' })).KeyMetadata;
      expect(meta).toMatchObject({ KeyManager: 'AWS', KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT' });
      expect((await h.kmsCall('DescribeKey', { KeyId: 'alias/aws/s3' })).KeyMetadata.KeyId).toBe(meta.KeyId);
      expect((await h.kmsCall('GetKeyRotationStatus', { KeyId: meta.KeyId })).KeyRotationEnabled).toBe(true);
      await expectError(h.kmsCall('DisableKey', { KeyId: meta.KeyId }), 'AccessDeniedException');
      await expectError(h.kmsCall('ScheduleKeyDeletion', { KeyId: meta.KeyId }), 'AccessDeniedException');
      await expectError(h.kmsCall('DeleteAlias', { AliasName: 'alias/aws/s3' }), 'NotAuthorizedException');
      // Direct use is denied; use through S3 (kms:ViaService) is allowed.
      await expectError(h.kmsCall('Encrypt', { KeyId: 'alias/aws/s3', Plaintext: Buffer.from('x') }), 'AccessDeniedException');
      const out = await h.kmsCall('Encrypt', { KeyId: 'alias/aws/s3', Plaintext: Buffer.from('x') }, h.root, { viaService: `s3.${REGION}.amazonaws.com` });
      expect(out.KeyId).toBe(meta.Arn);
    });
  });
});
