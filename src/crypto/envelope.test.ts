import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DataKeyCache, EnvelopeError, decryptBuffer, decryptStream, encryptBuffer, encryptStream, readHeader, type DataKeyProvider } from './envelope.js';
import { chunked, collect, layout, pseudoRandom } from './envelope-fixtures.js';
import { MemoryDataKeyProvider, MemoryKmsError } from './memory-data-key-provider.js';

const CTX = { bucket: 'captures', purpose: 'data-capture' };
const kms = new MemoryDataKeyProvider();
const KEY = kms.createKey();
const OTHER_KEY = kms.createKey();

/** Made by an independent implementation (pyca/cryptography, from the format comment in envelope-format.ts). */
const KAT = {
  message:
    '5647453101101112131415161718191a1b1c1d1e1f00000004004b61726e3a6177733a6b6d733a75732d656173742d313a313233343536' +
    '3738393031323a6b65792f31323334616263642d313261622d333463642d353665662d31323334353637383930616200196f7061717565' +
    '2d656e637279707465642d646174612d6b6579000200066275636b6574000362c3a90007707572706f736500036b61740935f04a52f34c' +
    '9d1da65bacbd9fc50ec79c7ca11230db1155ab3fdf1e2e8002cf9536ec59f29998a99bbda42bdb6567000000010000000004576c71845c' +
    '14695159536b1769858440a4eb73c3000000020000000004ff9c38312dc2df27a4c8df4f299c882ab084aa4c000000030100000003b46e' +
    'b4eeb44731245c0a4bcc5b0f9cef971942',
  dataKey: Buffer.from(Array.from({ length: 32 }, (_, i) => i)),
  keyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  context: { purpose: 'kat', bucket: 'bé' },
};

describe('envelope round trips', () => {
  for (const frameSize of [64 * 1024, 1000]) {
    const sizes = [0, 1, frameSize - 1, frameSize, frameSize + 1, 5 * 1024 * 1024];
    for (const size of sizes) {
      it(`buffer form, ${size} bytes, frame size ${frameSize}`, async () => {
        const plaintext = pseudoRandom(size, size + 1);
        const message = await encryptBuffer(kms, KEY, plaintext, CTX, { frameSize });
        const { plaintext: out, header } = await decryptBuffer(kms, message, CTX);
        expect(out.equals(plaintext)).toBe(true);
        expect(header).toMatchObject({ formatVersion: 1, keyArn: KEY, frameSize, context: CTX });
        const { frames } = layout(message);
        expect(frames).toHaveLength(Math.max(1, Math.ceil(size / frameSize)));
        expect(frames.map((f) => f.final)).toEqual(frames.map((_, i) => i === frames.length - 1));
      });
    }
  }

  it('stream and buffer forms interoperate, whatever the chunking', async () => {
    const plaintext = pseudoRandom(60_000, 3);
    const opts = { frameSize: 4096 };
    const fromStream = await collect(encryptStream(kms, KEY, CTX, opts)(chunked(plaintext, 10_000)));
    expect((await decryptBuffer(kms, fromStream, CTX)).plaintext.equals(plaintext)).toBe(true);
    const fromBuffer = await encryptBuffer(kms, KEY, plaintext, CTX, opts);
    expect(fromBuffer.length).toBe(fromStream.length); // same framing, only the message id and data key differ
    for (const maxChunk of [1, 7, 4096 + 25, 65_536]) {
      const out = await collect(decryptStream(kms, CTX)(chunked(fromBuffer, maxChunk)));
      expect(out.equals(plaintext)).toBe(true);
    }
  });

  it('accepts string and Uint8Array chunks', async () => {
    const message = await collect(encryptStream(kms, KEY, {})((async function* () {
      yield 'héllo ';
      yield new Uint8Array([119, 111, 114, 108, 100]);
    })()));
    expect((await decryptBuffer(kms, message)).plaintext.toString()).toBe('héllo world');
  });

  it('decrypts a message written by an independent implementation of the format', async () => {
    const provider: DataKeyProvider = {
      generateDataKey: () => Promise.reject(new Error('not used')),
      decryptDataKey: async (encryptedKey, keyArn, context) => {
        expect([encryptedKey.toString(), keyArn, context]).toEqual(['opaque-encrypted-data-key', KAT.keyArn, KAT.context]);
        return Buffer.from(KAT.dataKey);
      },
    };
    const { plaintext, header } = await decryptBuffer(provider, Buffer.from(KAT.message, 'hex'), KAT.context);
    expect(plaintext.toString()).toBe('hello world');
    expect(header.frameSize).toBe(4);
  });

  it('uses a fresh message id and data key per message without a cache', async () => {
    const a = readHeader(await encryptBuffer(kms, KEY, Buffer.from('x'), CTX));
    const b = readHeader(await encryptBuffer(kms, KEY, Buffer.from('x'), CTX));
    expect(a.messageId.equals(b.messageId)).toBe(false);
    expect(a.encryptedKey.equals(b.encryptedKey)).toBe(false);
  });
});

describe('readHeader', () => {
  it('reads the header from the first bytes alone, and says when they are too few', async () => {
    const message = await encryptBuffer(kms, KEY, pseudoRandom(100_000), CTX);
    const { headerLength } = layout(message);
    const header = readHeader(message.subarray(0, headerLength));
    expect(header).toMatchObject({ formatVersion: 1, keyArn: KEY, context: CTX, frameSize: 65_536 });
    expect(header.messageId).toHaveLength(16);
    expect(() => readHeader(message.subarray(0, headerLength - 1))).toThrow(EnvelopeError);
    expect(() => readHeader(Buffer.from('PK\x03\x04 not an envelope'))).toThrow(/bad magic/);
  });
});

describe('encryption context and key checks', () => {
  it('fails on any mismatch with the expected context, before calling KMS', async () => {
    const message = await encryptBuffer(kms, KEY, Buffer.from('secret'), CTX);
    const before = kms.calls.decryptDataKey;
    const wrongs: Record<string, string>[] = [{}, { bucket: 'captures' }, { ...CTX, extra: '1' }, { ...CTX, bucket: 'Captures' }];
    for (const wrong of wrongs) {
      await expect(decryptBuffer(kms, message, wrong)).rejects.toThrow(EnvelopeError);
    }
    expect(kms.calls.decryptDataKey).toBe(before);
    expect((await decryptBuffer(kms, message, { purpose: 'data-capture', bucket: 'captures' })).plaintext.toString()).toBe('secret');
  });

  it('restricts the key when allowedKeyArns is given', async () => {
    const message = await encryptBuffer(kms, OTHER_KEY, Buffer.from('secret'), CTX);
    await expect(decryptBuffer(kms, message, CTX, { allowedKeyArns: [KEY] })).rejects.toThrow(/not allowed/);
    expect((await decryptBuffer(kms, message, CTX, { allowedKeyArns: [KEY, OTHER_KEY] })).plaintext.toString()).toBe('secret');
  });

  it('passes provider errors through unchanged (so AccessDenied stays AccessDenied)', async () => {
    await expect(encryptBuffer(kms, 'no-such-key', Buffer.from('x'), CTX)).rejects.toThrow(MemoryKmsError);
    const denied = Object.assign(new Error('User is not authorized to perform: kms:Decrypt'), { name: 'AccessDeniedException' });
    const provider: DataKeyProvider = { generateDataKey: kms.generateDataKey.bind(kms), decryptDataKey: () => Promise.reject(denied) };
    const message = await encryptBuffer(kms, KEY, Buffer.from('x'), CTX);
    await expect(decryptBuffer(provider, message, CTX)).rejects.toBe(denied);
  });

  it('rejects a provider that returns a wrong data key or a key of the wrong size', async () => {
    const message = await encryptBuffer(kms, KEY, Buffer.from('secret'), CTX);
    const wrongKey: DataKeyProvider = { generateDataKey: kms.generateDataKey.bind(kms), decryptDataKey: async () => randomBytes(32) };
    await expect(decryptBuffer(wrongKey, message, CTX)).rejects.toThrow(/key commitment/);
    const shortKey: DataKeyProvider = { generateDataKey: kms.generateDataKey.bind(kms), decryptDataKey: async () => randomBytes(16) };
    await expect(decryptBuffer(shortKey, message, CTX)).rejects.toThrow(EnvelopeError);
    const shortGenerate: DataKeyProvider = {
      generateDataKey: async () => ({ keyArn: KEY, plaintext: randomBytes(16), encryptedKey: randomBytes(40) }),
      decryptDataKey: kms.decryptDataKey.bind(kms),
    };
    await expect(encryptBuffer(shortGenerate, KEY, Buffer.from('x'), CTX)).rejects.toThrow(EnvelopeError);
  });

  it('rejects frame sizes outside 1 .. 16 MiB', async () => {
    for (const frameSize of [0, -1, 1.5, 16 * 1024 * 1024 + 1]) {
      await expect(encryptBuffer(kms, KEY, Buffer.from('x'), CTX, { frameSize })).rejects.toThrow(RangeError);
    }
  });
});

describe('envelope with a data-key cache', () => {
  it('reuses a data key within limits, with a fresh message id (so fresh derived keys) per message', async () => {
    const provider = new MemoryDataKeyProvider();
    const key = provider.createKey();
    const cache = new DataKeyCache({ maxAgeMs: 60_000, maxUses: 3 });
    const headers = [];
    for (let i = 0; i < 4; i++) headers.push(readHeader(await encryptBuffer(provider, key, Buffer.from('same'), CTX, { cache })));
    expect(provider.calls.generateDataKey).toBe(2); // uses 1-3 share a key, the 4th gets a new one
    expect(headers[1].encryptedKey).toEqual(headers[0].encryptedKey);
    expect(new Set(headers.map((h) => h.messageId.toString('hex'))).size).toBe(4);
  });

  it('never repeats a keystream: equal frames differ within a message and across messages sharing a data key', async () => {
    const cache = new DataKeyCache({ maxAgeMs: 60_000 });
    const zeros = Buffer.alloc(3000); // three equal 1000-byte frames
    const messages = [await encryptBuffer(kms, KEY, zeros, CTX, { frameSize: 1000, cache }), await encryptBuffer(kms, KEY, zeros, CTX, { frameSize: 1000, cache })];
    expect(readHeader(messages[0]).encryptedKey).toEqual(readHeader(messages[1]).encryptedKey);
    const bodies = messages.flatMap((m) => layout(m).frames.map((f) => m.subarray(f.body, f.tag).toString('hex')));
    expect(new Set(bodies).size).toBe(6);
  });

  it('caches decrypted data keys only after they verified a header', async () => {
    const provider = new MemoryDataKeyProvider();
    const key = provider.createKey();
    const cache = new DataKeyCache({ maxAgeMs: 60_000 });
    const message = await encryptBuffer(provider, key, Buffer.from('secret'), CTX);
    const liar: DataKeyProvider = { generateDataKey: provider.generateDataKey.bind(provider), decryptDataKey: async () => randomBytes(32) };
    await expect(decryptBuffer(liar, message, CTX, { cache })).rejects.toThrow(EnvelopeError);
    expect(cache.size.decrypt).toBe(0);
    for (let i = 0; i < 3; i++) expect((await decryptBuffer(provider, message, CTX, { cache })).plaintext.toString()).toBe('secret');
    expect(provider.calls.decryptDataKey).toBe(1);
  });

  it('streams use the cache only with a declared length, and fail if they exceed it', async () => {
    const provider = new MemoryDataKeyProvider();
    const key = provider.createKey();
    const cache = new DataKeyCache({ maxAgeMs: 60_000 });
    const data = pseudoRandom(10_000);
    for (let i = 0; i < 2; i++) await collect(encryptStream(provider, key, CTX, { cache })(chunked(data, 999)));
    expect(provider.calls.generateDataKey).toBe(2);
    for (let i = 0; i < 2; i++) await collect(encryptStream(provider, key, CTX, { cache, plaintextLength: data.length })(chunked(data, 999)));
    expect(provider.calls.generateDataKey).toBe(3);
    const tooLong = encryptStream(provider, key, CTX, { cache, plaintextLength: data.length - 1 });
    await expect(collect(tooLong(chunked(data, 999)))).rejects.toThrow(/longer than the declared/);
  });
});
