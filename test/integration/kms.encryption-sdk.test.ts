import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommitmentPolicy, KmsKeyringNode, buildClient } from '@aws-crypto/client-node';
import { CreateKeyCommand, KMS, KMSClient } from '@aws-sdk/client-kms';
import { allowPolicy, assumedRole, failure, makeUser } from '../helpers/kms.js';
import type { Creds, TestVigil } from '../helpers/vigil.js';
import { startTestVigil } from '../helpers/vigil.js';

const MiB = 1024 * 1024;
const CONTEXT = { purpose: 'model-artifacts', model: 'churn-v3' };

/** The AWS Encryption SDK for JavaScript with a KMS keyring whose KMS client talks to Vigil. */
describe('KMS with the AWS Encryption SDK for JavaScript', () => {
  let v: TestVigil;
  let dir: string;
  let keyArn: string;
  let plaintextFile: string;
  let plaintext: Buffer;
  const { encrypt, decrypt, encryptStream, decryptStream } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  /**
   * The keyring calls `decrypt`/`encrypt`/`generateDataKey` methods on its client, so the client is the SDK's
   * aggregated `KMS` (a `KMSClient` with one method per operation), configured like every other test client.
   */
  const keyring = (creds: Creds) => new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider: () => new KMS(v.sdk(creds)) });

  beforeAll(async () => {
    v = await startTestVigil();
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-kms-esdk-'));
    const key = await new KMSClient(v.sdk(v.root)).send(new CreateKeyCommand({ Description: 'encryption sdk key' }));
    keyArn = key.KeyMetadata!.Arn!;
    plaintext = Buffer.concat([Buffer.from(`vigil-kms-secret-${randomBytes(16).toString('hex')}`), randomBytes(MiB)]);
    plaintextFile = path.join(dir, 'model.bin');
    await writeFile(plaintextFile, plaintext);
  });
  afterAll(async () => {
    await v?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('encrypts a 1 MiB file under the Vigil key and decrypts it back', async () => {
    const { result, messageHeader } = await encrypt(keyring(v.root), await readFile(plaintextFile), { encryptionContext: CONTEXT });
    expect(result.includes(plaintext.subarray(0, 48))).toBe(false);
    expect(messageHeader.encryptionContext).toMatchObject(CONTEXT);
    // The encrypted data key names the key by the full ARN Vigil returned.
    expect(messageHeader.encryptedDataKeys.map((k) => [k.providerId, k.providerInfo])).toEqual([['aws-kms', keyArn]]);
    const ciphertextFile = path.join(dir, 'model.bin.encrypted');
    await writeFile(ciphertextFile, result);

    const out = await decrypt(keyring(v.root), await readFile(ciphertextFile));
    expect(out.plaintext.equals(plaintext)).toBe(true);
    expect(out.messageHeader.encryptionContext).toMatchObject(CONTEXT);

    // A flipped byte in the body is an error, never data.
    const tampered = Buffer.from(result);
    tampered[tampered.length - 200] ^= 0x01;
    await expect(decrypt(keyring(v.root), tampered)).rejects.toThrow();
  });

  it('streams a file through encryptStream and decryptStream', async () => {
    const encrypted = path.join(dir, 'stream.encrypted');
    const decrypted = path.join(dir, 'stream.decrypted');
    await pipeline(createReadStream(plaintextFile), encryptStream(keyring(v.root), { encryptionContext: CONTEXT }),
      createWriteStream(encrypted));
    await pipeline(createReadStream(encrypted), decryptStream(keyring(v.root)), createWriteStream(decrypted));
    expect((await readFile(decrypted)).equals(plaintext)).toBe(true);
  });

  it('decrypting with credentials that lack kms:Decrypt fails; the client role with kms:Decrypt succeeds', async () => {
    // A producer that may generate data keys but not decrypt them.
    const producer = await makeUser(v, 'esdk-producer', allowPolicy(['kms:GenerateDataKey', 'kms:Encrypt'], keyArn));
    const { result } = await encrypt(keyring(producer.creds), plaintext, { encryptionContext: CONTEXT });

    const err = await failure(decrypt(keyring(producer.creds), result));
    expect(err.message).toContain('Unable to decrypt data key');
    expect(err.message).toContain('AccessDeniedException');
    expect(err.message).toContain(`User: ${producer.arn} is not authorized to perform: kms:Decrypt on resource: ${keyArn} ` +
      'because no identity-based policy allows the kms:Decrypt action');
    const nobody = await makeUser(v, 'esdk-nobody');
    expect((await failure(decrypt(keyring(nobody.creds), result))).message).toContain('AccessDeniedException');

    const client = await assumedRole(v, 'esdk-client', 'reader', allowPolicy('kms:Decrypt', keyArn));
    const out = await decrypt(keyring(client.creds), result);
    expect(out.plaintext.equals(plaintext)).toBe(true);
    // …and that role cannot encrypt new messages.
    const enc = await failure(encrypt(keyring(client.creds), Buffer.from('x'), { encryptionContext: CONTEXT }));
    expect(enc.message).toContain(`User: ${client.sessionArn} is not authorized to perform: kms:GenerateDataKey on resource: ${keyArn}`);
  });
});
