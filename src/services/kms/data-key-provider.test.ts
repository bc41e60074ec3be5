/**
 * kmsDataKeyProvider against a real in-process Vigil: the provider's calls go through the gateway as the given
 * principal, so KMS authorizes them (key policy + IAM, kms:ViaService) and CloudTrail records them as made by S3.
 */
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowPolicy, failure, makeUser } from '../../../test/helpers/kms.js';
import { startTestVigil, type TestVigil } from '../../../test/helpers/vigil.js';
import type { Principal } from '../../auth/types.js';
import { decryptBuffer, encryptBuffer } from '../../crypto/envelope.js';
import { ServiceError } from '../../protocol/errors.js';
import { kmsDataKeyProvider } from './data-key-provider.js';

const VIA = 's3.amazonaws.com';
const ctx = { 'aws:s3:arn': 'arn:aws:s3:::bucket/object' };

describe('kmsDataKeyProvider through the gateway', () => {
  let v: TestVigil;
  let keyArn: string;
  const principals: Record<string, Principal> = {};
  const creds: Record<string, { accessKeyId: string; secretAccessKey: string }> = {};
  const provider = (name: string) => kmsDataKeyProvider(v.server.deps.internal, principals[name], { region: 'us-east-1', viaService: VIA });

  beforeAll(async () => {
    v = await startTestVigil();
    const kms = new KMSClient(v.sdk(v.root));
    keyArn = (await kms.send(new CreateKeyCommand({ Description: 'data-key-provider test' }))).KeyMetadata!.Arn!;
    const users: Record<string, string> = {
      reader: allowPolicy(['kms:GenerateDataKey', 'kms:Decrypt'], keyArn),
      writer: allowPolicy('kms:GenerateDataKey', keyArn),
      // Decrypt only when S3 asks on the user's behalf, the classic kms:ViaService pattern (AWS names the regional endpoint).
      viaS3: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt'], Resource: keyArn,
        Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } } }] }),
    };
    for (const [name, policy] of Object.entries(users)) {
      const u = await makeUser(v, `dkp-${name}`, policy);
      creds[name] = u.creds;
      principals[name] = (await v.server.deps.credentials.resolve(u.creds.accessKeyId))!.principal;
    }
  });
  afterAll(async () => { await v?.stop(); });

  it('generates a 256-bit data key under the key and decrypts it back with the same context', async () => {
    const p = provider('reader');
    const material = await p.generateDataKey(keyArn.split('/')[1], ctx);
    expect(material.keyArn).toBe(keyArn);
    expect(material.plaintext.length).toBe(32);
    expect((await p.decryptDataKey(material.encryptedKey, material.keyArn, ctx)).equals(material.plaintext)).toBe(true);
  });

  it('drives the envelope end to end', async () => {
    const p = provider('reader');
    const message = await encryptBuffer(p, keyArn, Buffer.from('through KMS'), ctx);
    expect((await decryptBuffer(p, message, ctx)).plaintext.toString()).toBe('through KMS');
  });

  it('passes KMS errors through unchanged: wrong context, and a principal without kms:Decrypt', async () => {
    const material = await provider('writer').generateDataKey(keyArn, ctx);
    const wrong = await failure(provider('reader').decryptDataKey(material.encryptedKey, keyArn, { 'aws:s3:arn': 'arn:aws:s3:::bucket/other' }));
    expect(wrong).toBeInstanceOf(ServiceError);
    expect((wrong as ServiceError).code).toBe('InvalidCiphertextException');
    const denied = await failure(provider('writer').decryptDataKey(material.encryptedKey, keyArn, ctx));
    expect(denied).toBeInstanceOf(ServiceError);
    expect((denied as ServiceError).code).toBe('AccessDeniedException');
    expect(denied.message).toContain(`${principals.writer.arn} is not authorized to perform: kms:Decrypt on resource: ${keyArn}`);
  });

  it('carries kms:ViaService, which direct calls do not have', async () => {
    const p = provider('viaS3');
    const material = await p.generateDataKey(keyArn, ctx);
    expect((await p.decryptDataKey(material.encryptedKey, keyArn, ctx)).equals(material.plaintext)).toBe(true);
    const direct = new KMSClient(v.sdk(creds.viaS3));
    const err = await failure(direct.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('x') })));
    expect(err.name).toBe('AccessDeniedException');
    const blob = (await new KMSClient(v.sdk(v.root)).send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('x') }))).CiphertextBlob!;
    expect((await failure(direct.send(new DecryptCommand({ CiphertextBlob: blob })))).name).toBe('AccessDeniedException');
  });

  it('is audited as the principal, invoked by S3, without key material', async () => {
    const material = await provider('writer').generateDataKey(keyArn, ctx);
    await failure(provider('writer').decryptDataKey(material.encryptedKey, keyArn, ctx));
    await v.server.audit.flush();
    const mine = async (eventName: string) => (await v.server.state.audit.list({ eventName, limit: 1000 }))
      .filter((e) => (e.userIdentity as { arn?: string }).arn === principals.writer.arn);
    const generated = await mine('GenerateDataKey');
    expect(generated.length).toBeGreaterThan(0);
    for (const e of generated) {
      expect(e.userIdentity).toMatchObject({ type: 'IAMUser', invokedBy: VIA });
      expect(e.errorCode).toBeUndefined();
      expect(e.requestParameters).toMatchObject({ keyId: keyArn, keySpec: 'AES_256', encryptionContext: ctx });
      expect(JSON.stringify(e)).not.toContain(material.plaintext.toString('base64'));
    }
    const denied = (await mine('Decrypt')).filter((e) => e.errorCode === 'AccessDeniedException');
    expect(denied.length).toBeGreaterThan(0);
    expect(denied[0].userIdentity).toMatchObject({ invokedBy: VIA });
  });
});
