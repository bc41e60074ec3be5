import { describe, expect, it } from 'vitest';
import { encodeContext } from './context-encoding.js';
import { DataKeyCache, EnvelopeError, decryptBuffer, decryptStream, encryptBuffer, readHeader, type DataKeyProvider } from './envelope.js';
import { TransparentProvider, chunked, collectUntilError, layout, pseudoRandom, type FrameSpan } from './envelope-fixtures.js';
import { MemoryDataKeyProvider, MemoryKmsError } from './memory-data-key-provider.js';

const CTX = { bucket: 'captures', endpoint: 'fraud' };
const FRAME = 32;
const PLAINTEXT = pseudoRandom(3 * FRAME + 5, 11); // frames of 32, 32, 32 and a final 5

const kms = new MemoryDataKeyProvider();
const KEY = kms.createKey();
const KEY_2 = kms.createKey();
const transparent = new TransparentProvider();

async function seal(provider: DataKeyProvider = kms, key = KEY, plaintext = PLAINTEXT, cache?: DataKeyCache) {
  return encryptBuffer(provider, key, plaintext, CTX, { frameSize: FRAME, cache });
}

/** Decrypts in buffer form and in stream form (odd chunking); both must fail, and the stream must release nothing unverified. */
async function expectRejected(provider: DataKeyProvider, message: Buffer, errorType: new (...a: never[]) => Error = EnvelopeError) {
  await expect(decryptBuffer(provider, message, CTX)).rejects.toBeInstanceOf(errorType);
  const { released, error } = await collectUntilError(decryptStream(provider, CTX)(chunked(message, 13)));
  expect(error).toBeInstanceOf(errorType);
  expect(PLAINTEXT.subarray(0, released.length).equals(released)).toBe(true);
  // Whole verified frames only; all of them when the fault (appended data) lies after the final frame.
  expect(released.length % FRAME === 0 || released.length === PLAINTEXT.length).toBe(true);
}

const frames = (message: Buffer) => layout(message).frames;
const bytesOf = (message: Buffer, f: FrameSpan) => message.subarray(f.start, f.end);
const headerOf = (message: Buffer) => message.subarray(0, layout(message).headerLength);

describe('tampering: every byte', () => {
  it('a flipped bit anywhere fails with EnvelopeError, when the provider checks nothing itself', async () => {
    const message = await seal(transparent, 'arn:aws:kms:us-east-1:123456789012:key/transparent');
    for (let i = 0; i < message.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const bad = Buffer.from(message);
        bad[i] ^= bit;
        await expect(decryptBuffer(transparent, bad), `byte ${i} ^ ${bit}`).rejects.toBeInstanceOf(EnvelopeError);
      }
    }
  });

  it('with a KMS-like provider, every flip fails: in the frames and fixed header fields with EnvelopeError', async () => {
    const message = await seal();
    const header = readHeader(message);
    // key ARN, encrypted key and context reach KMS, which rejects them with its own error (passed through).
    const kmsChecked = { start: 25, end: 25 + 2 + Buffer.byteLength(header.keyArn) + 2 + header.encryptedKey.length + encodeContext(CTX).length };
    for (let i = 0; i < message.length; i++) {
      const bad = Buffer.from(message);
      bad[i] ^= 0x04;
      const rejection = expect(decryptBuffer(kms, bad), `byte ${i}`).rejects;
      if (i >= kmsChecked.start && i < kmsChecked.end) await rejection.toSatisfy((e) => e instanceof EnvelopeError || e instanceof MemoryKmsError);
      else await rejection.toBeInstanceOf(EnvelopeError);
    }
  });

  it('each frame region (seq, final flag, length, ciphertext, tag) fails in both decrypt forms', async () => {
    const message = await seal();
    for (const f of frames(message)) {
      for (const offset of [f.start, f.start + 3, f.start + 4, f.start + 5, f.start + 8, f.body, f.tag - 1, f.tag, f.end - 1]) {
        const bad = Buffer.from(message);
        bad[offset] ^= 0x01;
        await expectRejected(kms, bad);
      }
    }
  });
});

describe('tampering: truncation and extension', () => {
  it('every truncation fails, in both decrypt forms', async () => {
    const message = await seal();
    for (let cut = 0; cut < message.length; cut++) await expectRejected(kms, message.subarray(0, cut));
  });

  it('data after the final frame fails', async () => {
    const message = await seal();
    await expectRejected(kms, Buffer.concat([message, Buffer.from([0])]));
    await expectRejected(kms, Buffer.concat([message, bytesOf(message, frames(message)[0])]));
  });

  it('cutting after a frame re-marked as final fails (the flag is authenticated)', async () => {
    const message = await seal();
    const second = frames(message)[1];
    const bad = Buffer.from(message.subarray(0, second.end));
    bad[second.start + 4] = 1;
    await expectRejected(kms, bad);
  });
});

describe('tampering: frame order', () => {
  const rebuild = (message: Buffer, order: number[]) =>
    Buffer.concat([headerOf(message), ...order.map((i) => bytesOf(message, frames(message)[i]))]);

  it('reordered, dropped, duplicated or missing-final frames fail', async () => {
    const message = await seal();
    expect(frames(message)).toHaveLength(4);
    for (const order of [[1, 0, 2, 3], [0, 2, 1, 3], [0, 2, 3], [1, 2, 3], [0, 1, 2], [0, 0, 1, 2, 3], [0, 1, 1, 2, 3], [0, 1, 2, 3, 3]]) {
      await expectRejected(kms, rebuild(message, order));
    }
    expect((await decryptBuffer(kms, rebuild(message, [0, 1, 2, 3]), CTX)).plaintext.equals(PLAINTEXT)).toBe(true);
  });

  it('a frame renumbered to fit its new position still fails (seq is in the AAD and the IV)', async () => {
    const message = await seal();
    const [f0, f1] = frames(message);
    const swapped = Buffer.concat([headerOf(message), bytesOf(message, f1), bytesOf(message, f0), message.subarray(f1.end)]);
    swapped.writeUInt32BE(1, f0.start);
    swapped.writeUInt32BE(2, f0.start + (f1.end - f1.start));
    await expectRejected(kms, swapped);
  });
});

describe('tampering: splicing two messages', () => {
  async function twoMessages(sameDataKey: boolean) {
    if (!sameDataKey) return [await seal(kms, KEY), await seal(kms, KEY_2)];
    const cache = new DataKeyCache({ maxAgeMs: 60_000 });
    const a = await seal(kms, KEY, PLAINTEXT, cache);
    const b = await seal(kms, KEY, pseudoRandom(PLAINTEXT.length, 99), cache);
    expect(readHeader(a).encryptedKey).toEqual(readHeader(b).encryptedKey); // really the same data key
    return [a, b];
  }

  for (const sameDataKey of [true, false]) {
    it(`frames and headers of two messages do not mix (${sameDataKey ? 'same data key via the cache' : 'different KMS keys'})`, async () => {
      const [a, b] = await twoMessages(sameDataKey);
      const fa = frames(a);
      const fb = frames(b);
      const spliced = [
        Buffer.concat([headerOf(a), bytesOf(a, fa[0]), bytesOf(b, fb[1]), bytesOf(a, fa[2]), bytesOf(a, fa[3])]),
        Buffer.concat([headerOf(a), bytesOf(a, fa[0]), bytesOf(a, fa[1]), bytesOf(a, fa[2]), bytesOf(b, fb[3])]),
        Buffer.concat([headerOf(b), a.subarray(fa[0].start)]), // swapped header
      ];
      // With different keys the swapped header decrypts its data key fine, then every frame fails; with one data
      // key the header verifies and the frames fail. Either way: an error, never data.
      for (const message of spliced) await expectRejected(kms, message);
    });
  }

  it('a header edited to name another key or context fails even when KMS would not notice', async () => {
    const message = await seal(transparent, 'arn:aws:kms:us-east-1:123456789012:key/aaaa');
    const h = layout(message).headerLength;
    for (const [from, to] of [['key/aaaa', 'key/bbbb'], ['fraud', 'frauD']]) {
      const at = message.subarray(0, h).indexOf(from);
      expect(at).toBeGreaterThan(0);
      const bad = Buffer.from(message);
      bad.write(to, at, 'utf8');
      await expect(decryptBuffer(transparent, bad)).rejects.toThrow(/header failed authentication/);
    }
  });
});
