import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptBuffer, encryptBuffer, EnvelopeError } from './envelope.js';
import { layout } from './envelope-fixtures.js';
import { FRAME_OVERHEAD, messageLayout, openMessage, parseHeaderPrefix, planRange, planWhole } from './envelope-range.js';
import { MemoryDataKeyProvider } from './memory-data-key-provider.js';

const ctx = { 'aws:s3:arn': 'arn:aws:s3:::bucket/key' };

async function setup(size: number, frameSize: number) {
  const kms = new MemoryDataKeyProvider();
  const keyArn = kms.createKey();
  const plaintext = randomBytes(size);
  const message = await encryptBuffer(kms, keyArn, plaintext, ctx, { frameSize });
  return { kms, keyArn, plaintext, message };
}

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

/** Byte-at-a-time delivery: frame parsing must not depend on how the store chunks its output. */
async function* bytewise(b: Buffer): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i++) yield b.subarray(i, i + 1);
}

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of source) out.push(c);
  return Buffer.concat(out);
}

async function readRange(kms: MemoryDataKeyProvider, message: Buffer, start: number, end: number, chunking = once) {
  const parsed = parseHeaderPrefix(message)!;
  const opener = await openMessage(kms, parsed, message.length, ctx);
  const plan = planRange(opener.layout, start, end);
  return collect(opener.decrypt(plan, chunking(message.subarray(plan.cipherStart, plan.cipherEnd + 1))));
}

describe('envelope random access', () => {
  it('computes the same layout as the writer produced, for every size around frame boundaries', async () => {
    for (const size of [0, 1, 15, 16, 17, 31, 32, 33, 100]) {
      const { message } = await setup(size, 16);
      const actual = layout(message);
      const computed = messageLayout(actual.headerLength, 16, message.length);
      expect(computed.frameCount, `size ${size}`).toBe(actual.frames.length);
      expect(computed.plaintextLength).toBe(size);
      const whole = planWhole(computed);
      expect(whole.cipherEnd + 1).toBe(message.length);
    }
  });

  it('decrypts every range of small messages exactly', async () => {
    for (const size of [1, 15, 16, 17, 33, 48]) {
      const { kms, plaintext, message } = await setup(size, 16);
      for (let start = 0; start < size; start++) {
        for (let end = start; end < size + 2; end += 3) {
          expect((await readRange(kms, message, start, end)).equals(plaintext.subarray(start, end + 1)), `${size}: ${start}-${end}`).toBe(true);
        }
      }
    }
  });

  it('fetches only the frames a range needs', async () => {
    const { kms, plaintext, message } = await setup(1_000_000, 4096);
    const parsed = parseHeaderPrefix(message)!;
    const opener = await openMessage(kms, parsed, message.length, ctx);
    const plan = planRange(opener.layout, 500_000, 500_099);
    expect(plan.lastSeq - plan.firstSeq).toBe(0);
    expect(plan.cipherEnd - plan.cipherStart + 1).toBe(4096 + FRAME_OVERHEAD);
    expect((await readRange(kms, message, 500_000, 500_099, bytewise)).equals(plaintext.subarray(500_000, 500_100))).toBe(true);
  });

  it('reads the whole message through planWhole, empty ones included', async () => {
    for (const size of [0, 5, 64]) {
      const { kms, plaintext, message } = await setup(size, 16);
      const opener = await openMessage(kms, parseHeaderPrefix(message)!, message.length, ctx);
      const plan = planWhole(opener.layout);
      expect((await collect(opener.decrypt(plan, once(message.subarray(plan.cipherStart))))).equals(plaintext)).toBe(true);
    }
  });

  it('fails on a tampered frame in the range, and is unaffected by frames outside it', async () => {
    const { kms, plaintext, message } = await setup(160, 16);
    const bad = Buffer.from(message);
    const frames = layout(message).frames;
    bad[frames[3].body + 2] ^= 1; // frame 4 covers plaintext 48..63
    await expect(readRange(kms, bad, 50, 52)).rejects.toThrow(new EnvelopeError('envelope frame 4 failed authentication'));
    expect((await readRange(kms, bad, 0, 40)).equals(plaintext.subarray(0, 41))).toBe(true);
  });

  it('detects moved, truncated and extended messages when the range touches the damage', async () => {
    const { kms, message } = await setup(160, 16);
    const f = layout(message).frames;
    const swapped = Buffer.concat([message.subarray(0, f[1].start), message.subarray(f[2].start, f[2].end),
      message.subarray(f[1].start, f[1].end), message.subarray(f[3].start)]);
    await expect(readRange(kms, swapped, 16, 20)).rejects.toThrow(/out of sequence/);
    const truncated = message.subarray(0, f[8].end); // final frame 10 and frame 9's successor gone
    await expect(readRange(kms, truncated, 140, 143)).rejects.toThrow(/does not match the message layout/);
    const extended = Buffer.concat([message, randomBytes(16 + FRAME_OVERHEAD)]);
    await expect(readRange(kms, extended, 150, 159)).rejects.toThrow(EnvelopeError);
    await expect(readRange(kms, message.subarray(0, message.length - 1), 150, 159)).rejects.toThrow(EnvelopeError);
  });

  it('refuses a wrong context or key before asking KMS, and a tampered header after', async () => {
    const { kms, keyArn, message } = await setup(40, 16);
    const parsed = parseHeaderPrefix(message)!;
    const calls = kms.calls.decryptDataKey;
    await expect(openMessage(kms, parsed, message.length, { 'aws:s3:arn': 'arn:aws:s3:::bucket/other' })).rejects.toThrow(EnvelopeError);
    await expect(openMessage(kms, parsed, message.length, ctx, { allowedKeyArns: [`${keyArn}x`] })).rejects.toThrow(EnvelopeError);
    expect(kms.calls.decryptDataKey).toBe(calls);
    const bad = Buffer.from(message);
    bad[5] ^= 1; // messageId: commitment and header tag no longer match
    await expect(openMessage(kms, parseHeaderPrefix(bad)!, bad.length, ctx)).rejects.toThrow(EnvelopeError);
  });

  it('refuses more ciphertext than the plan asked for', async () => {
    const { kms, message } = await setup(40, 16);
    const opener = await openMessage(kms, parseHeaderPrefix(message)!, message.length, ctx);
    const plan = planRange(opener.layout, 0, 3);
    await expect(collect(opener.decrypt(plan, once(message.subarray(plan.cipherStart, plan.cipherEnd + 2))))).rejects.toThrow(EnvelopeError);
  });

  it('agrees with decryptBuffer on a multi-frame message', async () => {
    const { kms, message } = await setup(70_000, 1024);
    const whole = (await decryptBuffer(kms, message, ctx)).plaintext;
    expect((await readRange(kms, message, 0, 69_999)).equals(whole)).toBe(true);
  });

  it('rejects ranges outside the message', async () => {
    const { kms, message } = await setup(10, 16);
    const opener = await openMessage(kms, parseHeaderPrefix(message)!, message.length, ctx);
    expect(() => planRange(opener.layout, 10, 12)).toThrow(RangeError);
    expect(() => planRange(opener.layout, 3, 2)).toThrow(RangeError);
    expect(planRange(opener.layout, 8, 100).take).toBe(2);
  });
});
