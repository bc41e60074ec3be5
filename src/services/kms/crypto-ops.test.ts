import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { kmsContext } from './context.js';
import { expectError, kmsHarness } from './testing.js';

const text = (s: string): Buffer => Buffer.from(s, 'utf8');

withEachBackend((_name, open) => {
  describe('cryptographic operations', () => {
    it('encrypts and decrypts with an encryption context bound exactly (order-free, case-sensitive)', async () => {
      const h = await kmsHarness(await open());
      const { KeyId, Arn } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      await h.kmsCall('CreateAlias', { AliasName: 'alias/app', TargetKeyId: KeyId });
      const context = { tenant: 'acme', purpose: 'test' };
      const enc = await h.kmsCall('Encrypt', { KeyId: 'alias/app', Plaintext: text('secret'), EncryptionContext: context });
      expect(enc).toMatchObject({ KeyId: Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
      expect(enc.CiphertextBlob).toBeInstanceOf(Buffer);

      const dec = await h.kmsCall('Decrypt', { CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { purpose: 'test', tenant: 'acme' } });
      expect(dec).toMatchObject({ KeyId: Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
      expect(dec.Plaintext.toString()).toBe('secret');
      for (const wrong of [undefined, { tenant: 'acme' }, { tenant: 'Acme', purpose: 'test' }, { ...context, extra: '' }, { tenantpurpose: 'acmetest' }]) {
        await expectError(h.kmsCall('Decrypt', { CiphertextBlob: enc.CiphertextBlob, EncryptionContext: wrong }), 'InvalidCiphertextException', '');
      }
      // The same bytes under another split of keys and values are another context (length-prefixed encoding).
      const ab = await h.kmsCall('Encrypt', { KeyId, Plaintext: text('p'), EncryptionContext: { a: 'bc' } });
      await expectError(h.kmsCall('Decrypt', { CiphertextBlob: ab.CiphertextBlob, EncryptionContext: { ab: 'c' } }), 'InvalidCiphertextException');
    });

    it('detects tampering anywhere in the blob and foreign blobs', async () => {
      const h = await kmsHarness(await open());
      const { KeyId } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const blob: Buffer = (await h.kmsCall('Encrypt', { KeyId, Plaintext: text('secret') })).CiphertextBlob;
      for (const at of [0, 20, 25, 40, blob.length - 1]) {
        const bad = Buffer.from(blob);
        bad[at] ^= 0x01;
        const err = await h.kmsCall('Decrypt', { CiphertextBlob: bad }).then(() => undefined, (e: { code: string }) => e.code);
        // A flipped key-id byte names a key that does not exist; everything else fails authentication.
        expect(at >= 1 && at <= 16 ? ['NotFoundException', 'InvalidCiphertextException'] : ['InvalidCiphertextException']).toContain(err);
      }
      await expectError(h.kmsCall('Decrypt', { CiphertextBlob: blob.subarray(0, blob.length - 1) }), 'InvalidCiphertextException');
      await expectError(h.kmsCall('Decrypt', { CiphertextBlob: text('not a kms blob at all') }), 'InvalidCiphertextException');
      // A version that does not exist (the header is authenticated, so this is a forgery).
      const forged = Buffer.from(blob);
      forged.writeUInt32BE(7, 17);
      await expectError(h.kmsCall('Decrypt', { CiphertextBlob: forged }), 'InvalidCiphertextException');
    });

    it('Decrypt with a KeyId that is not the ciphertext key fails with IncorrectKeyException; ReEncrypt moves data between keys', async () => {
      const h = await kmsHarness(await open());
      const a = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const b = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const blob = (await h.kmsCall('Encrypt', { KeyId: a.KeyId, Plaintext: text('data'), EncryptionContext: { k: 'v' } })).CiphertextBlob;
      await expectError(h.kmsCall('Decrypt', { CiphertextBlob: blob, EncryptionContext: { k: 'v' }, KeyId: b.Arn }), 'IncorrectKeyException',
        'The key ID in the request does not identify a CMK that can perform this operation.');
      expect((await h.kmsCall('Decrypt', { CiphertextBlob: blob, EncryptionContext: { k: 'v' }, KeyId: a.Arn })).KeyId).toBe(a.Arn);

      const re = await h.kmsCall('ReEncrypt', {
        CiphertextBlob: blob, SourceEncryptionContext: { k: 'v' }, DestinationKeyId: b.KeyId, DestinationEncryptionContext: { n: 'w' },
      });
      expect(re).toMatchObject({ SourceKeyId: a.Arn, KeyId: b.Arn, SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
      const back = await h.kmsCall('Decrypt', { CiphertextBlob: re.CiphertextBlob, EncryptionContext: { n: 'w' } });
      expect(back).toMatchObject({ KeyId: b.Arn });
      expect(back.Plaintext.toString()).toBe('data');
      await expectError(h.kmsCall('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: b.KeyId }), 'InvalidCiphertextException');
    });

    it('generates data keys of the requested size and random bytes; enforces AWS size limits', async () => {
      const h = await kmsHarness(await open());
      const { KeyId, Arn } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      for (const [input, size] of [[{ KeySpec: 'AES_256' }, 32], [{ KeySpec: 'AES_128' }, 16], [{ NumberOfBytes: 1 }, 1], [{ NumberOfBytes: 1024 }, 1024]] as const) {
        const out = await h.kmsCall('GenerateDataKey', { KeyId, EncryptionContext: { a: 'b' }, ...input });
        expect(out.KeyId).toBe(Arn);
        expect(out.Plaintext).toHaveLength(size);
        const dec = await h.kmsCall('Decrypt', { CiphertextBlob: out.CiphertextBlob, EncryptionContext: { a: 'b' } });
        expect(Buffer.compare(dec.Plaintext, out.Plaintext)).toBe(0);
      }
      const np = await h.kmsCall('GenerateDataKeyWithoutPlaintext', { KeyId, KeySpec: 'AES_256' });
      expect(np.Plaintext).toBeUndefined();
      expect((await h.kmsCall('Decrypt', { CiphertextBlob: np.CiphertextBlob })).Plaintext).toHaveLength(32);
      await expectError(h.kmsCall('GenerateDataKey', { KeyId }), 'ValidationException', 'Please specify either number of bytes or key spec.');
      await expectError(h.kmsCall('GenerateDataKey', { KeyId, NumberOfBytes: 1025 }), 'ValidationException', /numberOfBytes/);
      await expectError(h.kmsCall('GenerateDataKey', { KeyId, NumberOfBytes: 0 }), 'ValidationException');

      await h.kmsCall('Encrypt', { KeyId, Plaintext: Buffer.alloc(4096, 1) });
      await expectError(h.kmsCall('Encrypt', { KeyId, Plaintext: Buffer.alloc(4097, 1) }), 'ValidationException', /length less than or equal to 4096/);
      await expectError(h.kmsCall('Encrypt', { KeyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), 'InvalidKeyUsageException');

      const r1 = (await h.kmsCall('GenerateRandom', { NumberOfBytes: 64 })).Plaintext;
      const r2 = (await h.kmsCall('GenerateRandom', { NumberOfBytes: 64 })).Plaintext;
      expect(r1).toHaveLength(64);
      expect(Buffer.compare(r1, r2)).not.toBe(0);
      await expectError(h.kmsCall('GenerateRandom', { NumberOfBytes: 1025 }), 'ValidationException');
      await expectError(h.kmsCall('GenerateRandom', {}), 'ValidationException');
    });

    it('HMAC keys generate and verify MACs; a wrong MAC is KMSInvalidMacException; usage is enforced both ways', async () => {
      const h = await kmsHarness(await open());
      const hmac = (await h.kmsCall('CreateKey', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata;
      const sym = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      const out = await h.kmsCall('GenerateMac', { KeyId: hmac.KeyId, Message: text('hello'), MacAlgorithm: 'HMAC_SHA_256' });
      expect(out).toMatchObject({ KeyId: hmac.Arn, MacAlgorithm: 'HMAC_SHA_256' });
      expect(out.Mac).toHaveLength(32);
      const again = await h.kmsCall('GenerateMac', { KeyId: hmac.KeyId, Message: text('hello'), MacAlgorithm: 'HMAC_SHA_256' });
      expect(Buffer.compare(again.Mac, out.Mac)).toBe(0);
      expect(await h.kmsCall('VerifyMac', { KeyId: hmac.Arn, Message: text('hello'), MacAlgorithm: 'HMAC_SHA_256', Mac: out.Mac }))
        .toEqual({ KeyId: hmac.Arn, MacValid: true, MacAlgorithm: 'HMAC_SHA_256' });
      await expectError(h.kmsCall('VerifyMac', { KeyId: hmac.KeyId, Message: text('hellO'), MacAlgorithm: 'HMAC_SHA_256', Mac: out.Mac }), 'KMSInvalidMacException');
      await expectError(h.kmsCall('GenerateMac', { KeyId: hmac.KeyId, Message: text('x'), MacAlgorithm: 'HMAC_SHA_512' }), 'InvalidKeyUsageException',
        'Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256.');
      await expectError(h.kmsCall('GenerateMac', { KeyId: sym.KeyId, Message: text('x'), MacAlgorithm: 'HMAC_SHA_256' }), 'InvalidKeyUsageException',
        `${sym.Arn} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.`);
      await expectError(h.kmsCall('Encrypt', { KeyId: hmac.KeyId, Plaintext: text('x') }), 'InvalidKeyUsageException',
        `${hmac.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt.`);
    });

    it('stores key material only sealed: no backing key bytes (raw, hex or base64) and no plaintext in any row', async () => {
      const h = await kmsHarness(await open());
      const { KeyId, Arn } = (await h.kmsCall('CreateKey', {})).KeyMetadata;
      await h.kmsCall('RotateKeyOnDemand', { KeyId });
      const secret = 'TOP-SECRET-PLAINTEXT-1234567890';
      await h.kmsCall('Encrypt', { KeyId, Plaintext: text(secret) });
      const k = kmsContext(h.deps);
      const materials = [1, 2].map((v) => k.materials.get(`${Arn}#${v}`)!);
      expect(materials.every((m) => m?.length === 32)).toBe(true);
      const rows = await h.state.db.query<{ id: string; doc: string }>('SELECT id, doc FROM resources');
      const dump = rows.map((r) => `${r.id}\n${r.doc}`).join('\n');
      expect(dump).toContain('"Sealed":"v1:');
      for (const m of materials) {
        for (const needle of [m.toString('base64'), m.toString('hex'), m.toString('base64url'), m.toString('latin1')]) expect(dump).not.toContain(needle);
      }
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(Buffer.from(secret).toString('base64'));
    });
  });
});
