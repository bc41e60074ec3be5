import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand,
  EnableKeyCommand, EnableKeyRotationCommand, EncryptCommand, GenerateDataKeyCommand, GetKeyRotationStatusCommand,
  KMSClient, ListAliasesCommand, ListKeyRotationsCommand, ListKeysCommand, RevokeGrantCommand, RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { allowPolicy, assumedRole, deniedMessage, failure, findSecrets, makeUser } from '../helpers/kms.js';
import type { TestVigil } from '../helpers/vigil.js';
import { startTestVigil } from '../helpers/vigil.js';

const DAY_MS = 24 * 3600 * 1000;
const CONTEXT = { purpose: 'model-artifacts', tenant: 'acme' };

describe('KMS through the AWS SDK for JavaScript v3', () => {
  let v: TestVigil;
  let offsetMs = 0;
  let kms: KMSClient;
  /** The distinctive secret every encryption test uses; the last test looks for it in the data dir. */
  const secret = Buffer.from(`vigil-kms-secret-${randomBytes(16).toString('hex')}`);
  /** Data keys the server handed out in plaintext: they must not be stored either. */
  const dataKeys: Buffer[] = [];
  let keyArn: string;
  let keyId: string;

  const newKey = async (description: string, client = kms, policy?: string) => {
    const out = await client.send(new CreateKeyCommand({ Description: description, ...(policy ? { Policy: policy } : {}) }));
    return out.KeyMetadata!;
  };
  const encrypt = async (arn: string, plaintext: Uint8Array = secret, client = kms, context: Record<string, string> = CONTEXT) =>
    (await client.send(new EncryptCommand({ KeyId: arn, Plaintext: plaintext, EncryptionContext: context }))).CiphertextBlob!;

  beforeAll(async () => {
    // A clock the test can move forward; the skew window is wide so real-time signatures stay valid past 8 days.
    v = await startTestVigil({ clock: { now: () => new Date(Date.now() + offsetMs) }, clockSkewSeconds: 9 * 24 * 3600 });
    kms = new KMSClient(v.sdk(v.root));
    const key = await newKey('sdk app key');
    keyArn = key.Arn!;
    keyId = key.KeyId!;
  });
  afterAll(async () => { await v?.stop(); });

  it('creates a key and an alias, both described with full ARNs', async () => {
    expect(keyArn).toBe(`arn:aws:kms:us-east-1:${v.accountId}:key/${keyId}`);
    expect(keyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/sdk-app', TargetKeyId: keyId }));
    const byAlias = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/sdk-app' }));
    expect(byAlias.KeyMetadata).toMatchObject({
      KeyId: keyId, Arn: keyArn, Description: 'sdk app key', KeyState: 'Enabled', Enabled: true,
      KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT', KeyManager: 'CUSTOMER', Origin: 'AWS_KMS',
    });
    const aliases = await kms.send(new ListAliasesCommand({ KeyId: keyId }));
    expect(aliases.Aliases?.map((a) => [a.AliasName, a.AliasArn, a.TargetKeyId])).toEqual([
      ['alias/sdk-app', `arn:aws:kms:us-east-1:${v.accountId}:alias/sdk-app`, keyId],
    ]);
    const keys = await kms.send(new ListKeysCommand({}));
    expect(keys.Keys?.map((k) => k.KeyArn)).toContain(keyArn);
  });

  it('encrypts through the alias and decrypts with the same encryption context; KeyId is the key ARN', async () => {
    const enc = await kms.send(new EncryptCommand({ KeyId: 'alias/sdk-app', Plaintext: secret, EncryptionContext: CONTEXT }));
    expect(enc.KeyId).toBe(keyArn);
    expect(enc.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    const blob = enc.CiphertextBlob!;
    expect(Buffer.from(blob).includes(secret)).toBe(false);
    // Decrypt needs no KeyId: the key is recovered from the ciphertext.
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { tenant: 'acme', purpose: 'model-artifacts' } }));
    expect(Buffer.from(dec.Plaintext!)).toEqual(secret);
    expect(dec.KeyId).toBe(keyArn);
    const named = await kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT, KeyId: 'alias/sdk-app' }));
    expect(Buffer.from(named.Plaintext!)).toEqual(secret);
    // Two encryptions of the same plaintext differ (fresh IV).
    expect(Buffer.from(await encrypt(keyArn))).not.toEqual(Buffer.from(blob));
  });

  it('rejects a wrong, missing, extra or differently-cased encryption context with InvalidCiphertextException', async () => {
    const blob = await encrypt(keyArn);
    const contexts: (Record<string, string> | undefined)[] = [
      { purpose: 'model-artifacts', tenant: 'other' },
      undefined,
      { purpose: 'model-artifacts' },
      { ...CONTEXT, extra: 'x' },
      { purpose: 'model-artifacts', tenant: 'ACME' },
      { Purpose: 'model-artifacts', tenant: 'acme' },
    ];
    for (const context of contexts) {
      const err = await failure(kms.send(new DecryptCommand({ CiphertextBlob: blob, ...(context ? { EncryptionContext: context } : {}) })));
      expect(err.name, JSON.stringify(context)).toBe('InvalidCiphertextException');
      expect(err.$metadata?.httpStatusCode).toBe(400);
    }
    // A tampered blob is refused the same way.
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1] ^= 0x01;
    expect((await failure(kms.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: CONTEXT })))).name)
      .toBe('InvalidCiphertextException');
  });

  it('answers DisabledException for a disabled key until it is enabled again', async () => {
    const key = await newKey('to disable');
    const blob = await encrypt(key.Arn!);
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId! }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId! }))).KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    const enc = await failure(encrypt(key.Arn!));
    expect(enc.name).toBe('DisabledException');
    expect(enc.message).toBe(`${key.Arn!} is disabled.`);
    const dec = await failure(kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT })));
    expect(dec.name).toBe('DisabledException');
    expect((await failure(kms.send(new GenerateDataKeyCommand({ KeyId: key.Arn!, KeySpec: 'AES_256' })))).name).toBe('DisabledException');
    await kms.send(new EnableKeyCommand({ KeyId: key.KeyId! }));
    const again = await kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT }));
    expect(Buffer.from(again.Plaintext!)).toEqual(secret);
  });

  it('GenerateDataKey returns a data key whose CiphertextBlob decrypts to the same plaintext', async () => {
    const out = await kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/sdk-app', KeySpec: 'AES_256', EncryptionContext: CONTEXT }));
    expect(out.KeyId).toBe(keyArn);
    expect(out.Plaintext).toHaveLength(32);
    dataKeys.push(Buffer.from(out.Plaintext!));
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob!, EncryptionContext: CONTEXT }));
    expect(Buffer.from(dec.Plaintext!)).toEqual(Buffer.from(out.Plaintext!));
    expect(dec.KeyId).toBe(keyArn);
    const wrong = await failure(kms.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob!, EncryptionContext: { tenant: 'acme' } })));
    expect(wrong.name).toBe('InvalidCiphertextException');
    const small = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, NumberOfBytes: 16 }));
    expect(small.Plaintext).toHaveLength(16);
    dataKeys.push(Buffer.from(small.Plaintext!));
  });

  it('a key policy that does not delegate to the account denies a role whose identity policy allows kms:*', async () => {
    // The key's administrator: a user who may create keys, and whom the key policy names (only them).
    const admin = await makeUser(v, 'key-admin', allowPolicy('kms:*'));
    const adminKms = new KMSClient(v.sdk(admin.creds));
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'AdminOnly', Effect: 'Allow', Principal: { AWS: admin.arn }, Action: 'kms:*', Resource: '*' }],
    });
    const locked = await newKey('admin only', adminKms, policy);
    const blob = await encrypt(locked.Arn!, secret, adminKms);
    expect(Buffer.from((await adminKms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT }))).Plaintext!)).toEqual(secret);

    const role = await assumedRole(v, 'kms-everything', 'batch-7', allowPolicy('kms:*'));
    expect(role.sessionArn).toBe(`arn:aws:sts::${v.accountId}:assumed-role/kms-everything/batch-7`);
    const roleKms = new KMSClient(v.sdk(role.creds));
    // The identity policy does work where the key policy delegates to the account (the default key policy)…
    const open = await roleKms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: secret, EncryptionContext: CONTEXT }));
    expect(Buffer.from((await roleKms.send(new DecryptCommand({ CiphertextBlob: open.CiphertextBlob!, EncryptionContext: CONTEXT }))).Plaintext!))
      .toEqual(secret);
    // …but not on the key whose policy names only the admin.
    const denied = await failure(roleKms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT })));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.$metadata?.httpStatusCode).toBe(400);
    expect(denied.message).toBe(deniedMessage(role.sessionArn, 'kms:Decrypt', locked.Arn!, 'resource-based'));
    const enc = await failure(encrypt(locked.Arn!, secret, roleKms));
    expect(enc.message).toBe(deniedMessage(role.sessionArn, 'kms:Encrypt', locked.Arn!, 'resource-based'));
    // Not even the account's root user gets in: a key policy that does not name the account shuts IAM out.
    const root = await failure(kms.send(new DescribeKeyCommand({ KeyId: locked.Arn! })));
    expect(root.name).toBe('AccessDeniedException');
    expect(root.message).toBe(deniedMessage(`arn:aws:iam::${v.accountId}:root`, 'kms:DescribeKey', locked.Arn!, 'resource-based'));
  });

  it('a grant lets a grantee without identity permissions decrypt, and only decrypt, until it is revoked', async () => {
    const grantee = await makeUser(v, 'grantee');
    const granteeKms = new KMSClient(v.sdk(grantee.creds));
    const blob = await encrypt(keyArn);
    const before = await failure(granteeKms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT })));
    expect(before.name).toBe('AccessDeniedException');
    expect(before.message).toBe(deniedMessage(grantee.arn, 'kms:Decrypt', keyArn, 'identity-based'));

    const grant = await kms.send(new CreateGrantCommand({
      KeyId: 'alias/sdk-app', GranteePrincipal: grantee.arn, Operations: ['Decrypt'], Name: 'grantee-decrypt',
      Constraints: { EncryptionContextSubset: { tenant: 'acme' } },
    }));
    expect(grant.GrantId).toMatch(/^[0-9a-f]{64}$/);
    expect(grant.GrantToken).toBeTruthy();
    const dec = await granteeKms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT }));
    expect(Buffer.from(dec.Plaintext!)).toEqual(secret);
    expect(dec.KeyId).toBe(keyArn);
    // The grant allows Decrypt only, and only where its constraint holds.
    const enc = await failure(encrypt(keyArn, secret, granteeKms));
    expect(enc.message).toBe(deniedMessage(grantee.arn, 'kms:Encrypt', keyArn, 'identity-based'));
    const other = await encrypt(keyArn, secret, kms, { tenant: 'globex' });
    expect((await failure(granteeKms.send(new DecryptCommand({ CiphertextBlob: other, EncryptionContext: { tenant: 'globex' } })))).name)
      .toBe('AccessDeniedException');

    await kms.send(new RevokeGrantCommand({ KeyId: keyId, GrantId: grant.GrantId! }));
    expect((await failure(granteeKms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT })))).name)
      .toBe('AccessDeniedException');
  });

  it('rotation keeps old ciphertexts decryptable and encrypts new ones under the new material', async () => {
    const key = await newKey('rotating');
    const old = await encrypt(key.Arn!);
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId!, RotationPeriodInDays: 90 }));
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId! }));
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90, KeyId: key.Arn! });
    const rotated = await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId! }));
    expect(rotated.KeyId).toBe(key.Arn!);
    const rotations = await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId! }));
    expect(rotations.Rotations?.map((r) => [r.KeyId, r.RotationType])).toEqual([[key.Arn!, 'ON_DEMAND']]);

    const fresh = await encrypt(key.Arn!);
    for (const blob of [old, fresh]) {
      const dec = await kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT }));
      expect(Buffer.from(dec.Plaintext!)).toEqual(secret);
      expect(dec.KeyId).toBe(key.Arn!);
    }
    // The old ciphertext still needs its own context after rotation.
    expect((await failure(kms.send(new DecryptCommand({ CiphertextBlob: old, EncryptionContext: { tenant: 'acme' } })))).name)
      .toBe('InvalidCiphertextException');
  });

  it('the client role: kms:Decrypt on one key only → Decrypt of that key\'s ciphertexts, nothing else', async () => {
    const clientKey = await newKey('client data key');
    const otherKey = await newKey('someone else\'s key');
    const mine = await encrypt(clientKey.Arn!);
    const theirs = await encrypt(otherKey.Arn!);
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: clientKey.Arn!, KeySpec: 'AES_256', EncryptionContext: CONTEXT }));
    dataKeys.push(Buffer.from(dataKey.Plaintext!));

    const role = await assumedRole(v, 'vigil-client', 'client-session', allowPolicy('kms:Decrypt', clientKey.Arn!));
    const client = new KMSClient(v.sdk(role.creds));
    const dec = await client.send(new DecryptCommand({ CiphertextBlob: mine, EncryptionContext: CONTEXT }));
    expect(Buffer.from(dec.Plaintext!)).toEqual(secret);
    expect(dec.KeyId).toBe(clientKey.Arn!);
    const dk = await client.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob!, EncryptionContext: CONTEXT, KeyId: clientKey.Arn! }));
    expect(Buffer.from(dk.Plaintext!)).toEqual(Buffer.from(dataKey.Plaintext!));

    const enc = await failure(encrypt(clientKey.Arn!, secret, client));
    expect(enc.name).toBe('AccessDeniedException');
    expect(enc.message).toBe(deniedMessage(role.sessionArn, 'kms:Encrypt', clientKey.Arn!, 'identity-based'));
    const gdk = await failure(client.send(new GenerateDataKeyCommand({ KeyId: clientKey.Arn!, KeySpec: 'AES_256' })));
    expect(gdk.message).toBe(deniedMessage(role.sessionArn, 'kms:GenerateDataKey', clientKey.Arn!, 'identity-based'));
    const other = await failure(client.send(new DecryptCommand({ CiphertextBlob: theirs, EncryptionContext: CONTEXT })));
    expect(other.name).toBe('AccessDeniedException');
    expect(other.message).toBe(deniedMessage(role.sessionArn, 'kms:Decrypt', otherKey.Arn!, 'identity-based'));
    // Naming the permitted key does not help with another key's ciphertext: IncorrectKeyException or a denial, never plaintext.
    const named = await failure(client.send(new DecryptCommand({ CiphertextBlob: theirs, EncryptionContext: CONTEXT, KeyId: clientKey.Arn! })));
    expect(['AccessDeniedException', 'IncorrectKeyException']).toContain(named.name);
  });

  it('ScheduleKeyDeletion (7 days), then an advanced clock and the job runner delete the key', async () => {
    const doomed = await newKey('doomed');
    const keeper = await newKey('kept 30 days');
    const blob = await encrypt(doomed.Arn!);
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId!, PendingWindowInDays: 7 }));
    expect(scheduled).toMatchObject({ KeyId: doomed.Arn!, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    const due = scheduled.DeletionDate!.getTime();
    expect(Math.abs(due - (Date.now() + 7 * DAY_MS))).toBeLessThan(60_000);
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keeper.KeyId!, PendingWindowInDays: 30 }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: doomed.KeyId! }))).KeyMetadata).toMatchObject({ KeyState: 'PendingDeletion' });
    const pending = await failure(kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT })));
    expect(pending.name).toBe('KMSInvalidStateException');
    expect(pending.message).toBe(`${doomed.Arn!} is pending deletion.`);

    try {
      offsetMs = 7 * DAY_MS + 3600_000;
      await v.server.jobs.runDue();
      const gone = await failure(kms.send(new DescribeKeyCommand({ KeyId: doomed.KeyId! })));
      expect(gone.name).toBe('NotFoundException');
      expect(gone.message).toBe(`Key '${doomed.Arn!}' does not exist`);
    } finally {
      offsetMs = 0;
    }
    // Back at today's time the key is still gone: the job purged it (not merely the date that passed).
    const gone = await failure(kms.send(new DescribeKeyCommand({ KeyId: doomed.Arn! })));
    expect(gone.name).toBe('NotFoundException');
    expect((await failure(kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT })))).name).toBe('NotFoundException');
    const keys = (await kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys!.map((k) => k.KeyId);
    expect(keys).not.toContain(doomed.KeyId!);
    expect(keys).toContain(keeper.KeyId!);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keeper.KeyId! }))).KeyMetadata!.KeyState).toBe('PendingDeletion');
  });

  it('stores no byte of the test secret or of a data key anywhere under the data dir', async () => {
    // One more round trip right before looking, so nothing has had time to be compacted away.
    const blob = await encrypt(keyArn);
    expect(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT }))).Plaintext!)).toEqual(secret);
    await v.server.audit.flush();
    const { files, hits } = await findSecrets(v.dataDir, [secret, ...dataKeys]);
    // The scan did read the database and its write-ahead log.
    expect(files).toContain('state.db');
    expect(files.some((f) => f.endsWith('state.db-wal'))).toBe(true);
    expect(dataKeys.length).toBeGreaterThanOrEqual(3);
    expect(hits).toEqual([]);
  });
});
