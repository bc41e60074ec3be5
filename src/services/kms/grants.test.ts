import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { ACCOUNT, allow, expectError, kmsHarness } from './testing.js';

const text = (s: string): Buffer => Buffer.from(s, 'utf8');
const roleArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;

withEachBackend((_name, open) => {
  describe('grants', () => {
    it('a grant lets its grantee (a role) use the key for the granted operations only; revoking ends it', async () => {
      const h = await kmsHarness(await open());
      const { KeyId, Arn } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const blob = (await h.kmsCall('Encrypt', { KeyId, Plaintext: text('for the app') })).CiphertextBlob;
      const app = await h.roleSession('app');
      await expectError(h.kmsCall('Decrypt', { CiphertextBlob: blob }, app), 'AccessDeniedException');

      const grant = await h.kmsCall('CreateGrant', { KeyId, GranteePrincipal: roleArn('app'), Operations: ['Decrypt', 'DescribeKey'], Name: 'app-decrypt' });
      expect(grant.GrantId).toMatch(/^[0-9a-f]{64}$/);
      expect(typeof grant.GrantToken).toBe('string');
      expect((await h.kmsCall('Decrypt', { CiphertextBlob: blob, GrantTokens: [grant.GrantToken] }, app)).Plaintext.toString()).toBe('for the app');
      expect((await h.kmsCall('Decrypt', { CiphertextBlob: blob }, app)).KeyId).toBe(Arn);
      await h.kmsCall('DescribeKey', { KeyId }, app);
      await expectError(h.kmsCall('Encrypt', { KeyId, Plaintext: text('x') }, app), 'AccessDeniedException');
      await expectError(h.kmsCall('Decrypt', { CiphertextBlob: blob, GrantTokens: ['bogus'] }, app), 'InvalidGrantTokenException');

      // Same name and parameters: the same grant comes back (with a fresh token).
      const again = await h.kmsCall('CreateGrant', { KeyId, GranteePrincipal: roleArn('app'), Operations: ['DescribeKey', 'Decrypt'], Name: 'app-decrypt' });
      expect(again.GrantId).toBe(grant.GrantId);
      expect(again.GrantToken).not.toBe(grant.GrantToken);

      const listed = (await h.kmsCall('ListGrants', { KeyId })).Grants;
      expect(listed).toMatchObject([{
        KeyId: Arn, GrantId: grant.GrantId, Name: 'app-decrypt', GranteePrincipal: roleArn('app'),
        IssuingAccount: `arn:aws:iam::${ACCOUNT}:root`, Operations: ['Decrypt', 'DescribeKey'],
      }]);
      expect((await h.kmsCall('ListGrants', { KeyId, GranteePrincipal: 'someone-else' })).Grants).toEqual([]);
      await expectError(h.kmsCall('ListGrants', { KeyId, GrantId: 'f'.repeat(64) }), 'InvalidGrantIdException');

      await h.kmsCall('RevokeGrant', { KeyId, GrantId: grant.GrantId });
      await expectError(h.kmsCall('Decrypt', { CiphertextBlob: blob }, app), 'AccessDeniedException');
      await expectError(h.kmsCall('RevokeGrant', { KeyId, GrantId: grant.GrantId }), 'InvalidGrantIdException');
    });

    it('honours encryption context constraints (Subset and Equals)', async () => {
      const h = await kmsHarness(await open());
      const { KeyId } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const svc = await h.user('svc');
      const svcArn = `arn:aws:iam::${ACCOUNT}:user/svc`;
      await h.kmsCall('CreateGrant', { KeyId, GranteePrincipal: svcArn, Operations: ['Encrypt'], Constraints: { EncryptionContextSubset: { tenant: 'a' } } });
      await h.kmsCall('CreateGrant', { KeyId, GranteePrincipal: svcArn, Operations: ['GenerateDataKey'], Constraints: { EncryptionContextEquals: { tenant: 'a' } } });
      await h.kmsCall('Encrypt', { KeyId, Plaintext: text('x'), EncryptionContext: { tenant: 'a', extra: '1' } }, svc);
      await expectError(h.kmsCall('Encrypt', { KeyId, Plaintext: text('x'), EncryptionContext: { tenant: 'b' } }, svc), 'AccessDeniedException');
      await expectError(h.kmsCall('Encrypt', { KeyId, Plaintext: text('x') }, svc), 'AccessDeniedException');
      await h.kmsCall('GenerateDataKey', { KeyId, KeySpec: 'AES_256', EncryptionContext: { tenant: 'a' } }, svc);
      await expectError(h.kmsCall('GenerateDataKey', { KeyId, KeySpec: 'AES_256', EncryptionContext: { tenant: 'a', extra: '1' } }, svc), 'AccessDeniedException');
      const hmac = (await h.kmsCall('CreateKey', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata;
      await expectError(h.kmsCall('CreateGrant', { KeyId: hmac.KeyId, GranteePrincipal: svcArn, Operations: ['Encrypt'] }), 'ValidationException');
      await expectError(h.kmsCall('CreateGrant', {
        KeyId: hmac.KeyId, GranteePrincipal: svcArn, Operations: ['GenerateMac'], Constraints: { EncryptionContextSubset: { a: 'b' } },
      }), 'ValidationException');
    });

    it('the retiring principal (or a grantee holding RetireGrant) retires grants, by token or by id', async () => {
      const h = await kmsHarness(await open());
      const { KeyId, Arn } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const retirer = await h.user('retirer');
      const retirerArn = `arn:aws:iam::${ACCOUNT}:user/retirer`;
      const g1 = await h.kmsCall('CreateGrant', { KeyId, GranteePrincipal: roleArn('x'), RetiringPrincipal: retirerArn, Operations: ['Decrypt'] });
      const g2 = await h.kmsCall('CreateGrant', { KeyId, GranteePrincipal: roleArn('x'), RetiringPrincipal: retirerArn, Operations: ['Encrypt'] });
      const retirable = await h.kmsCall('ListRetirableGrants', { RetiringPrincipal: retirerArn });
      expect(retirable.Grants.map((g: { GrantId: string }) => g.GrantId).sort()).toEqual([g1.GrantId, g2.GrantId].sort());

      const stranger = await h.user('stranger');
      await expectError(h.kmsCall('RetireGrant', { GrantToken: g1.GrantToken }, stranger), 'AccessDeniedException');
      await h.kmsCall('RetireGrant', { GrantToken: g1.GrantToken }, retirer);
      await h.kmsCall('RetireGrant', { KeyId: Arn, GrantId: g2.GrantId }, retirer);
      expect((await h.kmsCall('ListGrants', { KeyId })).Grants).toEqual([]);
      await expectError(h.kmsCall('RetireGrant', { GrantToken: g1.GrantToken }), 'NotFoundException');
      await expectError(h.kmsCall('RetireGrant', {}), 'ValidationException');

      const self = await h.user('self');
      const g3 = await h.kmsCall('CreateGrant', { KeyId, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:user/self`, Operations: ['Decrypt', 'RetireGrant'] });
      await h.kmsCall('RetireGrant', { KeyId, GrantId: g3.GrantId }, self);
    });

    it('a grant with CreateGrant passes on only what it holds, at least as strictly', async () => {
      const h = await kmsHarness(await open());
      const { KeyId } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const broker = await h.user('broker');
      await h.kmsCall('CreateGrant', {
        KeyId, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:user/broker`, Operations: ['CreateGrant', 'Decrypt', 'Encrypt'],
        Constraints: { EncryptionContextSubset: { tenant: 'a' } },
      });
      const child = { KeyId, GranteePrincipal: roleArn('worker') };
      await h.kmsCall('CreateGrant', { ...child, Operations: ['Decrypt'], Constraints: { EncryptionContextEquals: { tenant: 'a', job: '1' } } }, broker);
      await h.kmsCall('CreateGrant', { ...child, Operations: ['Encrypt'], Constraints: { EncryptionContextSubset: { tenant: 'a', job: '2' } } }, broker);
      await expectError(h.kmsCall('CreateGrant', { ...child, Operations: ['Decrypt'] }, broker), 'AccessDeniedException');
      await expectError(h.kmsCall('CreateGrant', { ...child, Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: { tenant: 'b' } } }, broker), 'AccessDeniedException');
      await expectError(h.kmsCall('CreateGrant', { ...child, Operations: ['GenerateDataKey'], Constraints: { EncryptionContextSubset: { tenant: 'a' } } }, broker), 'AccessDeniedException');
    });

    it('a grant adds to IAM: an explicit deny in an identity policy still wins', async () => {
      const h = await kmsHarness(await open());
      const { KeyId } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*' }] };
      const denied = await h.user('denied', deny);
      await h.kmsCall('CreateGrant', { KeyId, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:user/denied`, Operations: ['Encrypt'] });
      await expectError(h.kmsCall('Encrypt', { KeyId, Plaintext: text('x') }, denied), 'AccessDeniedException', /explicit deny/);
      const lister = await h.user('lister', allow('kms:ListGrants'));
      expect((await h.kmsCall('ListGrants', { KeyId }, lister)).Grants).toHaveLength(1);
    });
  });
});
