import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { AUTHORIZED_OPERATIONS } from './authz.js';
import { kmsHandlers } from './index.js';
import { ACCOUNT, allow, expectError, kmsContextFor, kmsHarness } from './testing.js';

const text = (s: string): Buffer => Buffer.from(s, 'utf8');
const userArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:user/${name}`;

/** A key policy that names one user and does not delegate to the account. */
const onlyUser = (name: string): string => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'OnlyThisUser', Effect: 'Allow', Principal: { AWS: userArn(name) }, Action: 'kms:*', Resource: '*' }],
});

withEachBackend((_name, open) => {
  describe('KMS authorization', () => {
    it('every implemented operation has exactly one rule in the authorization table', async () => {
      const h = await kmsHarness(await open());
      expect(Object.keys(kmsHandlers(h.deps)).sort()).toEqual([...AUTHORIZED_OPERATIONS].sort());
    });

    it('a key policy that does not delegate to the account lets in only the principals it names', async () => {
      const h = await kmsHarness(await open());
      const alice = await h.user('alice'); // no identity policy at all
      const admin = await h.user('admin', allow('kms:*'));
      const role = await h.roleSession('ops', allow('kms:*'));
      const { KeyId, Arn } = (await h.kmsCall('CreateKey', { Policy: onlyUser('alice'), BypassPolicyLockoutSafetyCheck: true })).KeyMetadata;

      // The requirement the gateway evaluates: the key ARN, the key policy as a `key` resource policy.
      const ctx = kmsContextFor(role, h.kms, 'Encrypt');
      const req = await h.kms.operations.Encrypt.authz({ KeyId, Plaintext: text('x'), EncryptionContext: { app: 'a' } }, ctx);
      expect(req).toMatchObject({
        action: 'kms:Encrypt', resources: [Arn],
        resourcePolicy: { document: onlyUser('alice'), kind: 'key', id: Arn, accountId: ACCOUNT },
        conditionKeys: { 'kms:CallerAccount': ACCOUNT, 'kms:EncryptionContext:app': 'a', 'kms:EncryptionContextKeys': ['app'], 'kms:KeySpec': 'SYMMETRIC_DEFAULT' },
      });

      const blob = (await h.kmsCall('Encrypt', { KeyId, Plaintext: text('x') }, alice)).CiphertextBlob;
      expect((await h.kmsCall('Decrypt', { CiphertextBlob: blob }, alice)).Plaintext.toString()).toBe('x');
      for (const [who, p] of [['role', role], ['admin', admin], ['root', h.root]] as const) {
        const err = await expectError(h.kmsCall('Decrypt', { CiphertextBlob: blob }, p), 'AccessDeniedException');
        expect(err.message, who).toBe(`User: ${p.arn} is not authorized to perform: kms:Decrypt on resource: ${Arn} because no resource-based policy allows the kms:Decrypt action`);
      }
    });

    it('with the default key policy, IAM decides: Decrypt on one key only, authorized against the ciphertext key', async () => {
      const h = await kmsHarness(await open());
      const a = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const b = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const client = await h.roleSession('client', allow('kms:Decrypt', a.Arn));
      const blobA = (await h.kmsCall('Encrypt', { KeyId: a.KeyId, Plaintext: text('a') })).CiphertextBlob;
      const blobB = (await h.kmsCall('Encrypt', { KeyId: b.KeyId, Plaintext: text('b') })).CiphertextBlob;
      expect((await h.kmsCall('Decrypt', { CiphertextBlob: blobA }, client)).Plaintext.toString()).toBe('a');
      // Without KeyId the key still comes from the blob, so B's ciphertext is judged against B.
      await expectError(h.kmsCall('Decrypt', { CiphertextBlob: blobB }, client), 'AccessDeniedException',
        new RegExp(`kms:Decrypt on resource: ${b.Arn} because no identity-based policy allows`));
      await expectError(h.kmsCall('Decrypt', { CiphertextBlob: blobB, KeyId: a.Arn }, client), 'AccessDeniedException');
      await expectError(h.kmsCall('Encrypt', { KeyId: a.KeyId, Plaintext: text('x') }, client), 'AccessDeniedException',
        new RegExp(`assumed-role/client/test is not authorized to perform: kms:Encrypt on resource: ${a.Arn}`));
      // A key that does not exist is NotFoundException, even for a caller without any permission.
      await expectError(h.kmsCall('DescribeKey', { KeyId: '00000000-0000-0000-0000-000000000000' }, client), 'NotFoundException');
    });

    it('encryption context condition keys and ReEncrypt needing both ReEncryptFrom and ReEncryptTo', async () => {
      const h = await kmsHarness(await open());
      const a = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const b = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const tenantOnly = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'acme' } } }],
      };
      const t = await h.user('tenant', tenantOnly);
      const blob = (await h.kmsCall('Encrypt', { KeyId: a.KeyId, Plaintext: text('x'), EncryptionContext: { tenant: 'acme' } }, t)).CiphertextBlob;
      await expectError(h.kmsCall('Encrypt', { KeyId: a.KeyId, Plaintext: text('x'), EncryptionContext: { tenant: 'other' } }, t), 'AccessDeniedException');
      await h.kmsCall('Decrypt', { CiphertextBlob: blob, EncryptionContext: { tenant: 'acme' } }, t);

      const from = await h.user('from-only', allow('kms:ReEncryptFrom', a.Arn));
      await expectError(h.kmsCall('ReEncrypt', { CiphertextBlob: blob, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: b.KeyId }, from),
        'AccessDeniedException', new RegExp(`kms:ReEncryptTo on resource: ${b.Arn}`));
      const both = await h.user('both', { Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Action: 'kms:ReEncryptFrom', Resource: a.Arn },
        { Effect: 'Allow', Action: 'kms:ReEncryptTo', Resource: b.Arn },
      ] });
      const re = await h.kmsCall('ReEncrypt', { CiphertextBlob: blob, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: b.KeyId }, both);
      expect(re.KeyId).toBe(b.Arn);
      const to = await h.user('to-only', allow('kms:ReEncryptTo', b.Arn));
      await expectError(h.kmsCall('ReEncrypt', { CiphertextBlob: blob, SourceEncryptionContext: { tenant: 'acme' }, DestinationKeyId: b.KeyId }, to),
        'AccessDeniedException', new RegExp(`kms:ReEncryptFrom on resource: ${a.Arn}`));
    });

    it('UpdateAlias needs the permission on the alias, the new key and the current key', async () => {
      const h = await kmsHarness(await open());
      const a = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const b = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      await h.kmsCall('CreateAlias', { AliasName: 'alias/app', TargetKeyId: a.KeyId });
      const alias = `arn:aws:kms:us-east-1:${ACCOUNT}:alias/app`;
      const partial = await h.user('partial', allow('kms:UpdateAlias', [alias, b.Arn]));
      await expectError(h.kmsCall('UpdateAlias', { AliasName: 'alias/app', TargetKeyId: b.KeyId }, partial), 'AccessDeniedException',
        new RegExp(`kms:UpdateAlias on resource: ${a.Arn}`));
      const full = await h.user('full', allow('kms:UpdateAlias', [alias, a.Arn, b.Arn]));
      await h.kmsCall('UpdateAlias', { AliasName: 'alias/app', TargetKeyId: b.KeyId }, full);
    });

    it('kms:ViaService and kms:GrantIsForAWSResource reflect internal calls by an AWS service', async () => {
      const h = await kmsHarness(await open());
      const { KeyId } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const viaOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:CreateGrant'], Resource: '*', Condition: {
        StringEquals: { 'kms:ViaService': 'sagemaker.us-east-1.amazonaws.com' }, Bool: { 'kms:GrantIsForAWSResource': 'true' },
      } }] };
      const u = await h.user('via', viaOnly);
      await expectError(h.kmsCall('CreateGrant', { KeyId, GranteePrincipal: userArn('via'), Operations: ['Decrypt'] }, u), 'AccessDeniedException');
      await h.kmsCall('CreateGrant', { KeyId, GranteePrincipal: userArn('via'), Operations: ['Decrypt'] }, u, { viaService: 'sagemaker.us-east-1.amazonaws.com' });
    });
  });
});
