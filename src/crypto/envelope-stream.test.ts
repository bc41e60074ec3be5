import { Duplex, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { EnvelopeError, decryptStream, encryptBuffer, encryptStream } from './envelope.js';
import { chunked, collect, collectUntilError, layout, pseudoRandom } from './envelope-fixtures.js';
import { MemoryDataKeyProvider } from './memory-data-key-provider.js';

const CTX = { endpoint: 'fraud' };
const kms = new MemoryDataKeyProvider();
const KEY = kms.createKey();

function sink(): { writable: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const writable = new Writable({ write: (chunk: Buffer, _enc, done) => (chunks.push(chunk), done()) });
  return { writable, bytes: () => Buffer.concat(chunks) };
}

describe('stream stages', () => {
  it('compose with stream.pipeline between a Readable and a Writable', async () => {
    const plaintext = pseudoRandom(200_000, 5);
    const out = sink();
    await pipeline(Readable.from(chunked(plaintext, 5000)), encryptStream(kms, KEY, CTX, { frameSize: 8192 }), decryptStream(kms, CTX), out.writable);
    expect(out.bytes().equals(plaintext)).toBe(true);
  });

  it('become classic Duplex streams through Duplex.from', async () => {
    const plaintext = pseudoRandom(50_000, 6);
    const out = sink();
    const done = new Promise((resolve, reject) => out.writable.on('finish', resolve).on('error', reject));
    Readable.from([plaintext]).pipe(Duplex.from(encryptStream(kms, KEY, CTX))).pipe(Duplex.from(decryptStream(kms, CTX))).pipe(out.writable);
    await done;
    expect(out.bytes().equals(plaintext)).toBe(true);
  });

  it('fail the pipeline on tampering, with the EnvelopeError', async () => {
    const message = await encryptBuffer(kms, KEY, pseudoRandom(100_000), CTX);
    message[message.length - 1] ^= 1;
    await expect(pipeline(Readable.from([message]), decryptStream(kms, CTX), sink().writable)).rejects.toBeInstanceOf(EnvelopeError);
  });
});

describe('streaming decrypt releases', () => {
  it('each frame as soon as it verified, before the rest of the message has arrived', async () => {
    const frameSize = 1000;
    const plaintext = pseudoRandom(5 * frameSize, 8);
    const message = await encryptBuffer(kms, KEY, plaintext, CTX, { frameSize });
    const { headerLength, frames } = layout(message);
    let delivered = 0;
    async function* source() {
      delivered = frames[1].end; // header and the first two frames
      yield message.subarray(0, delivered);
      delivered = message.length;
      yield message.subarray(frames[1].end);
    }
    const seen: number[] = [];
    for await (const chunk of decryptStream(kms, CTX)(source())) seen.push(chunk.length, delivered);
    expect(seen.slice(0, 4)).toEqual([frameSize, frames[1].end, frameSize, frames[1].end]);
    expect(headerLength).toBeGreaterThan(0);
  });

  it('nothing of a frame whose tag fails, and nothing after it', async () => {
    const frameSize = 1000;
    const plaintext = pseudoRandom(5 * frameSize, 9);
    const message = await encryptBuffer(kms, KEY, plaintext, CTX, { frameSize });
    for (const [index, expected] of [[0, 0], [2, 2 * frameSize]]) {
      const bad = Buffer.from(message);
      bad[layout(message).frames[index].end - 1] ^= 0x40; // last tag byte: the ciphertext itself is intact
      const { released, error } = await collectUntilError(decryptStream(kms, CTX)(chunked(bad, 333)));
      expect(error).toBeInstanceOf(EnvelopeError);
      expect(released.equals(plaintext.subarray(0, expected))).toBe(true);
    }
  });
});

describe('stream lifecycle', () => {
  it('closes the source when the consumer stops early, and surfaces source errors', async () => {
    const message = await encryptBuffer(kms, KEY, pseudoRandom(10_000), CTX, { frameSize: 100 });
    let closed = false;
    async function* source() {
      try {
        yield* chunked(message, 50);
      } finally {
        closed = true;
      }
    }
    for await (const chunk of decryptStream(kms, CTX)(source())) if (chunk.length) break;
    expect(closed).toBe(true);
    async function* failing() {
      yield Buffer.from('x');
      throw new Error('disk on fire');
    }
    await expect(collect(encryptStream(kms, KEY, CTX)(failing()))).rejects.toThrow('disk on fire');
  });
});

describe('bounded memory', () => {
  const block = pseudoRandom(1024 * 1024, 21); // never mutated: stages may hold views of it

  /** Streams `total` bytes through encrypt → decrypt, checking every output byte and sampling RSS every 4 MiB. */
  async function roundTrip(total: number) {
    async function* source() {
      for (let pos = 0; pos < total; pos += 64 * 1024) yield block.subarray(pos % block.length, (pos % block.length) + 64 * 1024);
    }
    const result = { received: 0, mismatches: 0, peakRss: process.memoryUsage.rss() };
    const check = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _enc, done) {
        const at = result.received % block.length;
        if (at + chunk.length > block.length || !chunk.equals(block.subarray(at, at + chunk.length))) result.mismatches++;
        result.received += chunk.length;
        if ((result.received & 0x3fffff) === 0) result.peakRss = Math.max(result.peakRss, process.memoryUsage.rss());
        done();
      },
    });
    await pipeline(source(), encryptStream(kms, KEY, CTX), decryptStream(kms, CTX), check);
    result.peakRss = Math.max(result.peakRss, process.memoryUsage.rss());
    return result;
  }

  it('encrypts and decrypts a 256 MiB stream with RSS growth under 64 MiB', async () => {
    // A short first pass lets the JIT and the allocator settle, so the growth measured is what the size adds.
    await roundTrip(16 * 1024 * 1024);
    const before = process.memoryUsage.rss();
    const { received, mismatches, peakRss } = await roundTrip(256 * 1024 * 1024);
    expect(received).toBe(256 * 1024 * 1024);
    expect(mismatches).toBe(0);
    expect(peakRss - before).toBeLessThan(64 * 1024 * 1024);
  }, 20_000);
});
