import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KMSClient, ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import { aws, boto3, type RunResult } from '../helpers/cli.js';
import { allowPolicy, assumedRole, deniedMessage, makeUser } from '../helpers/kms.js';
import type { Creds, TestVigil } from '../helpers/vigil.js';
import { startTestVigil } from '../helpers/vigil.js';

const DAY_MS = 24 * 3600 * 1000;

/** The KMS scenarios of the SDK suite, driven by Debian's AWS CLI v2 and boto3 (SDK calls only set up IAM). */
describe('KMS through /usr/bin/aws and boto3', () => {
  let v: TestVigil;
  let offsetMs = 0;
  let dir: string;
  let keyArn: string;
  let keyId: string;
  const secret = Buffer.concat([Buffer.from(`vigil-kms-secret-${randomBytes(16).toString('hex')}`), Buffer.from([0, 1, 2, 0xfe, 0xff, 0x0a, 0x0d])]);
  const CONTEXT = 'purpose=cli,tenant=acme';

  const cli = (args: string[], creds: Creds = v.root) => aws(v.url, creds, v.caPath, args);
  const json = (r: RunResult) => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };
  const file = (name: string) => path.join(dir, name);
  /** `aws kms encrypt --plaintext fileb://…`, the base64 CiphertextBlob decoded into a file; returns its path. */
  const encryptFile = async (keyRef: string, plaintextFile: string, out: string, creds: Creds = v.root): Promise<string> => {
    const r = await cli(['kms', 'encrypt', '--key-id', keyRef, '--plaintext', `fileb://${plaintextFile}`,
      '--encryption-context', CONTEXT, '--output', 'text', '--query', 'CiphertextBlob'], creds);
    expect(r.stderr).toBe('');
    await writeFile(file(out), Buffer.from(r.stdout.trim(), 'base64'));
    return file(out);
  };
  const decryptFile = (ciphertextFile: string, context = CONTEXT, creds: Creds = v.root, query = 'Plaintext') =>
    cli(['kms', 'decrypt', '--ciphertext-blob', `fileb://${ciphertextFile}`, '--encryption-context', context,
      '--output', 'text', '--query', query], creds);
  /** Runs the clock forward, lets the background jobs do what is due, and comes back to real time. */
  const afterDays = async (days: number) => {
    try {
      offsetMs = days * DAY_MS;
      await v.server.jobs.runDue();
    } finally {
      offsetMs = 0;
    }
  };
  /** boto3 with a JSON config as CFG; the script prints one JSON object. */
  const py = async (creds: Creds, cfg: object, body: string) => {
    const r = await boto3(v.url, creds, v.caPath, `import boto3, botocore, json, os, base64
CFG = json.loads(${JSON.stringify(JSON.stringify(cfg))})
s = boto3.session.Session()
kms = s.client('kms', endpoint_url=os.environ['ENDPOINT'])
def code(f):
    try:
        f()
        return 'ok'
    except botocore.exceptions.ClientError as e:
        return e.response['Error']['Code'] + ': ' + e.response['Error']['Message']
${body}`);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    v = await startTestVigil({ clock: { now: () => new Date(Date.now() + offsetMs) } });
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-kms-cli-'));
    await writeFile(file('secret.bin'), secret);
    const key = json(await cli(['kms', 'create-key', '--description', 'cli app key'])).KeyMetadata;
    keyArn = key.Arn;
    keyId = key.KeyId;
  });
  afterAll(async () => {
    await v?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('AWS CLI: create-key and create-alias; describe-key by alias', async () => {
    expect(keyArn).toBe(`arn:aws:kms:us-east-1:${v.accountId}:key/${keyId}`);
    const alias = await cli(['kms', 'create-alias', '--alias-name', 'alias/cli-app', '--target-key-id', keyId]);
    expect(alias.code).toBe(0);
    expect(alias.stderr).toBe('');
    const described = json(await cli(['kms', 'describe-key', '--key-id', 'alias/cli-app'])).KeyMetadata;
    expect(described).toMatchObject({ KeyId: keyId, Arn: keyArn, Description: 'cli app key', KeyState: 'Enabled', KeyUsage: 'ENCRYPT_DECRYPT' });
    const aliases = json(await cli(['kms', 'list-aliases', '--key-id', keyId])).Aliases;
    expect(aliases).toEqual([expect.objectContaining({ AliasName: 'alias/cli-app', TargetKeyId: keyId })]);
  });

  it('AWS CLI: encrypt --plaintext fileb:// and decrypt --ciphertext-blob fileb:// round-trip with the encryption context', async () => {
    const enc = json(await cli(['kms', 'encrypt', '--key-id', 'alias/cli-app', '--plaintext', `fileb://${file('secret.bin')}`,
      '--encryption-context', CONTEXT]));
    expect(enc.KeyId).toBe(keyArn);
    const ct = await encryptFile('alias/cli-app', file('secret.bin'), 'secret.ct');
    const raw = await readFile(ct);
    expect(raw.length).toBeGreaterThan(secret.length);
    expect(raw.includes(secret.subarray(0, 20))).toBe(false);
    const dec = await decryptFile(ct);
    expect(dec.stderr).toBe('');
    expect(Buffer.from(dec.stdout.trim(), 'base64')).toEqual(secret);
    // The context's order on the command line does not matter; the key comes back as its ARN.
    const keyOut = await decryptFile(ct, 'tenant=acme,purpose=cli', v.root, 'KeyId');
    expect(keyOut.stdout.trim()).toBe(keyArn);
  });

  it('AWS CLI: a wrong encryption context answers InvalidCiphertextException', async () => {
    const ct = await encryptFile(keyArn, file('secret.bin'), 'ctx.ct');
    for (const context of ['purpose=cli,tenant=other', 'purpose=cli', 'purpose=cli,tenant=ACME']) {
      const r = await decryptFile(ct, context);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/An error occurred \(InvalidCiphertextException\) when calling the Decrypt operation/);
    }
  });

  it('AWS CLI: disable-key → DisabledException, enable-key → works again', async () => {
    const key = json(await cli(['kms', 'create-key', '--description', 'cli disabled'])).KeyMetadata;
    const ct = await encryptFile(key.KeyId, file('secret.bin'), 'disabled.ct');
    expect((await cli(['kms', 'disable-key', '--key-id', key.KeyId])).code).toBe(0);
    const enc = await cli(['kms', 'encrypt', '--key-id', key.Arn, '--plaintext', `fileb://${file('secret.bin')}`]);
    expect(enc.code).not.toBe(0);
    expect(enc.stderr).toContain(`An error occurred (DisabledException) when calling the Encrypt operation`);
    expect(enc.stderr).toContain(`${key.Arn} is disabled.`);
    const dec = await decryptFile(ct);
    expect(dec.stderr).toContain('(DisabledException) when calling the Decrypt operation');
    expect((await cli(['kms', 'enable-key', '--key-id', key.KeyId])).code).toBe(0);
    expect(Buffer.from((await decryptFile(ct)).stdout.trim(), 'base64')).toEqual(secret);
  });

  it('AWS CLI: a key policy naming only its admin denies a role whose identity policy allows kms:*', async () => {
    const admin = await makeUser(v, 'cli-key-admin', allowPolicy('kms:*'));
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: admin.arn }, Action: 'kms:*', Resource: '*' }],
    });
    const key = json(await cli(['kms', 'create-key', '--description', 'admin only', '--policy', policy], admin.creds)).KeyMetadata;
    const ct = await encryptFile(key.Arn, file('secret.bin'), 'locked.ct', admin.creds);
    expect(Buffer.from((await decryptFile(ct, CONTEXT, admin.creds)).stdout.trim(), 'base64')).toEqual(secret);
    const role = await assumedRole(v, 'cli-kms-everything', 'cli-session', allowPolicy('kms:*'));
    // The role may use the default-policy key…
    const mine = await encryptFile(keyArn, file('secret.bin'), 'role.ct', role.creds);
    expect(Buffer.from((await decryptFile(mine, CONTEXT, role.creds)).stdout.trim(), 'base64')).toEqual(secret);
    // …not the admin's.
    const denied = await decryptFile(ct, CONTEXT, role.creds);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('An error occurred (AccessDeniedException) when calling the Decrypt operation');
    expect(denied.stderr).toContain(deniedMessage(role.sessionArn, 'kms:Decrypt', key.Arn, 'resource-based'));
  });

  it('AWS CLI: create-grant lets a grantee without identity permissions decrypt', async () => {
    const grantee = await makeUser(v, 'cli-grantee');
    const ct = await encryptFile(keyArn, file('secret.bin'), 'granted.ct');
    const before = await decryptFile(ct, CONTEXT, grantee.creds);
    expect(before.stderr).toContain(deniedMessage(grantee.arn, 'kms:Decrypt', keyArn, 'identity-based'));
    const grant = json(await cli(['kms', 'create-grant', '--key-id', 'alias/cli-app', '--grantee-principal', grantee.arn,
      '--operations', 'Decrypt']));
    expect(grant.GrantId).toBeTruthy();
    const listed = json(await cli(['kms', 'list-grants', '--key-id', keyId])).Grants;
    expect(listed).toEqual([expect.objectContaining({ GrantId: grant.GrantId, GranteePrincipal: grantee.arn, Operations: ['Decrypt'], KeyId: keyArn })]);
    const after = await decryptFile(ct, CONTEXT, grantee.creds);
    expect(after.stderr).toBe('');
    expect(Buffer.from(after.stdout.trim(), 'base64')).toEqual(secret);
    const enc = await cli(['kms', 'encrypt', '--key-id', keyArn, '--plaintext', `fileb://${file('secret.bin')}`], grantee.creds);
    expect(enc.stderr).toContain(deniedMessage(grantee.arn, 'kms:Encrypt', keyArn, 'identity-based'));
  });

  it('AWS CLI: enable-key-rotation, the rotation job a year later, then an old ciphertext still decrypts', async () => {
    const key = json(await cli(['kms', 'create-key', '--description', 'cli rotating'])).KeyMetadata;
    const old = await encryptFile(key.KeyId, file('secret.bin'), 'old.ct');
    expect((await cli(['kms', 'enable-key-rotation', '--key-id', key.KeyId])).code).toBe(0);
    expect(json(await cli(['kms', 'get-key-rotation-status', '--key-id', key.KeyId])).KeyRotationEnabled).toBe(true);
    await afterDays(366);
    // The rotation happened (this CLI predates ListKeyRotations; the SDK reads it).
    const rotations = await new KMSClient(v.sdk(v.root)).send(new ListKeyRotationsCommand({ KeyId: key.KeyId }));
    expect(rotations.Rotations?.map((r) => r.RotationType)).toEqual(['AUTOMATIC']);
    const fresh = await encryptFile(key.KeyId, file('secret.bin'), 'new.ct');
    for (const ct of [old, fresh]) {
      const r = await decryptFile(ct);
      expect(r.stderr).toBe('');
      expect(Buffer.from(r.stdout.trim(), 'base64')).toEqual(secret);
    }
  });

  it('AWS CLI: schedule-key-deletion, then an advanced clock and the job runner delete the key', async () => {
    const key = json(await cli(['kms', 'create-key', '--description', 'cli doomed'])).KeyMetadata;
    const scheduled = json(await cli(['kms', 'schedule-key-deletion', '--key-id', key.KeyId, '--pending-window-in-days', '7']));
    expect(scheduled).toMatchObject({ KeyId: key.Arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(json(await cli(['kms', 'describe-key', '--key-id', key.KeyId])).KeyMetadata.KeyState).toBe('PendingDeletion');
    await afterDays(8);
    const gone = await cli(['kms', 'describe-key', '--key-id', key.KeyId]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('An error occurred (NotFoundException) when calling the DescribeKey operation');
    expect(gone.stderr).toContain(`Key '${key.Arn}' does not exist`);
  });

  it('boto3: encrypt/decrypt with a context, generate_data_key, describe_key by alias, and the error codes', async () => {
    const out = await py(v.root, { secret: secret.toString('base64') }, `
secret = base64.b64decode(CFG['secret'])
ctx = {'purpose': 'boto3', 'tenant': 'acme'}
out = {}
out['described'] = kms.describe_key(KeyId='alias/cli-app')['KeyMetadata']['Arn']
enc = kms.encrypt(KeyId='alias/cli-app', Plaintext=secret, EncryptionContext=ctx)
out['encKeyId'] = enc['KeyId']
dec = kms.decrypt(CiphertextBlob=enc['CiphertextBlob'], EncryptionContext=ctx)
out['roundTrip'] = dec['Plaintext'] == secret
out['decKeyId'] = dec['KeyId']
dk = kms.generate_data_key(KeyId='alias/cli-app', KeySpec='AES_256', EncryptionContext=ctx)
out['dataKeyLength'] = len(dk['Plaintext'])
out['dataKeyRoundTrip'] = kms.decrypt(CiphertextBlob=dk['CiphertextBlob'], EncryptionContext=ctx)['Plaintext'] == dk['Plaintext']
out['wrongContext'] = code(lambda: kms.decrypt(CiphertextBlob=enc['CiphertextBlob'], EncryptionContext={'purpose': 'boto3', 'tenant': 'other'}))
out['noContext'] = code(lambda: kms.decrypt(CiphertextBlob=enc['CiphertextBlob']))
key = kms.create_key(Description='boto3 disabled')['KeyMetadata']
ct = kms.encrypt(KeyId=key['Arn'], Plaintext=secret, EncryptionContext=ctx)['CiphertextBlob']
kms.disable_key(KeyId=key['KeyId'])
out['disabledArn'] = key['Arn']
out['disabledEncrypt'] = code(lambda: kms.encrypt(KeyId=key['Arn'], Plaintext=secret))
out['disabledDecrypt'] = code(lambda: kms.decrypt(CiphertextBlob=ct, EncryptionContext=ctx))
out['missing'] = code(lambda: kms.describe_key(KeyId='alias/no-such-alias'))
print(json.dumps(out))
`);
    expect(out).toEqual({
      described: keyArn, encKeyId: keyArn, roundTrip: true, decKeyId: keyArn, dataKeyLength: 32, dataKeyRoundTrip: true,
      wrongContext: 'InvalidCiphertextException: ', noContext: 'InvalidCiphertextException: ',
      disabledArn: out.disabledArn,
      disabledEncrypt: `DisabledException: ${out.disabledArn} is disabled.`,
      disabledDecrypt: `DisabledException: ${out.disabledArn} is disabled.`,
      missing: `NotFoundException: Alias arn:aws:kms:us-east-1:${v.accountId}:alias/no-such-alias is not found.`,
    });
    expect(out.disabledArn).toMatch(new RegExp(`^arn:aws:kms:us-east-1:${v.accountId}:key/`));
  });

  it('boto3: a key policy that does not delegate to the account denies a role; a grant lets a grantee decrypt', async () => {
    const admin = await makeUser(v, 'boto-key-admin', allowPolicy('kms:*'));
    const role = await assumedRole(v, 'boto-kms-everything', 'boto-session', allowPolicy('kms:*'));
    const grantee = await makeUser(v, 'boto-grantee');
    const out = await py(admin.creds, { role: role.creds, grantee: grantee.creds, adminArn: admin.arn, granteeArn: grantee.arn }, `
def client(c):
    return boto3.session.Session(aws_access_key_id=c['accessKeyId'], aws_secret_access_key=c['secretAccessKey'],
        aws_session_token=c.get('sessionToken')).client('kms', endpoint_url=os.environ['ENDPOINT'])
policy = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': CFG['adminArn']}, 'Action': 'kms:*', 'Resource': '*'}]}
key = kms.create_key(Description='boto3 admin only', Policy=json.dumps(policy))['KeyMetadata']
ctx = {'k': 'v'}
ct = kms.encrypt(KeyId=key['Arn'], Plaintext=b'boto3 secret', EncryptionContext=ctx)['CiphertextBlob']
role = client(CFG['role'])
out = {'keyArn': key['Arn']}
out['roleDecrypt'] = code(lambda: role.decrypt(CiphertextBlob=ct, EncryptionContext=ctx))
grantee = client(CFG['grantee'])
out['before'] = code(lambda: grantee.decrypt(CiphertextBlob=ct, EncryptionContext=ctx))
kms.create_grant(KeyId=key['KeyId'], GranteePrincipal=CFG['granteeArn'], Operations=['Decrypt'])
out['after'] = grantee.decrypt(CiphertextBlob=ct, EncryptionContext=ctx)['Plaintext'].decode()
out['afterEncrypt'] = code(lambda: grantee.encrypt(KeyId=key['Arn'], Plaintext=b'x'))
print(json.dumps(out))
`);
    expect(out.roleDecrypt).toBe(`AccessDeniedException: ${deniedMessage(role.sessionArn, 'kms:Decrypt', out.keyArn, 'resource-based')}`);
    // The key policy names neither of them, so it is the resource-based policy that does not allow…
    expect(out.before).toBe(`AccessDeniedException: ${deniedMessage(grantee.arn, 'kms:Decrypt', out.keyArn, 'resource-based')}`);
    // …and the grant (Decrypt only) is what lets the grantee in.
    expect(out.after).toBe('boto3 secret');
    expect(out.afterEncrypt).toBe(`AccessDeniedException: ${deniedMessage(grantee.arn, 'kms:Encrypt', out.keyArn, 'resource-based')}`);
  });

  it('boto3: rotation keeps an old ciphertext decryptable; scheduled deletion removes the key', async () => {
    const first = await py(v.root, {}, `
key = kms.create_key(Description='boto3 rotating')['KeyMetadata']
kms.enable_key_rotation(KeyId=key['KeyId'])
old = kms.encrypt(KeyId=key['KeyId'], Plaintext=b'before rotation', EncryptionContext={'k': 'v'})['CiphertextBlob']
doomed = kms.create_key(Description='boto3 doomed')['KeyMetadata']
d = kms.schedule_key_deletion(KeyId=doomed['KeyId'], PendingWindowInDays=7)
print(json.dumps({'key': key['KeyId'], 'old': base64.b64encode(old).decode(), 'doomed': doomed['KeyId'], 'state': d['KeyState']}))
`);
    expect(first.state).toBe('PendingDeletion');
    await afterDays(366);
    const second = await py(v.root, first, `
out = {}
out['old'] = kms.decrypt(CiphertextBlob=base64.b64decode(CFG['old']), EncryptionContext={'k': 'v'})['Plaintext'].decode()
new = kms.encrypt(KeyId=CFG['key'], Plaintext=b'after rotation', EncryptionContext={'k': 'v'})['CiphertextBlob']
out['new'] = kms.decrypt(CiphertextBlob=new, EncryptionContext={'k': 'v'})['Plaintext'].decode()
out['doomed'] = code(lambda: kms.describe_key(KeyId=CFG['doomed']))
print(json.dumps(out))
`);
    const rotations = await new KMSClient(v.sdk(v.root)).send(new ListKeyRotationsCommand({ KeyId: first.key }));
    expect(rotations.Rotations).toHaveLength(1);
    expect(second).toEqual({
      old: 'before rotation', new: 'after rotation',
      doomed: `NotFoundException: Key 'arn:aws:kms:us-east-1:${v.accountId}:key/${first.doomed}' does not exist`,
    });
  });
});
