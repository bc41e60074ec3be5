/** Test helpers for the envelope tests (not used by production code). */
import { randomBytes } from 'node:crypto';
import type { DataKeyMaterial } from './data-key-cache.js';
import { FRAME_HEADER_BYTES, TAG_BYTES, decodeFrameHeader, tryParseHeader } from './envelope-format.js';
import type { DataKeyProvider } from './envelope-message.js';

export interface FrameSpan {
  seq: number;
  final: boolean;
  /** Offsets in the message: frame header, ciphertext, tag, end. */
  start: number;
  body: number;
  tag: number;
  end: number;
}

/** Where the header and each frame sit, read independently of the decrypt path. */
export function layout(message: Buffer): { headerLength: number; frames: FrameSpan[] } {
  const headerLength = tryParseHeader(message)!.length;
  const frames: FrameSpan[] = [];
  for (let pos = headerLength; pos < message.length; ) {
    const { seq, final, length } = decodeFrameHeader(message.subarray(pos, pos + FRAME_HEADER_BYTES));
    const body = pos + FRAME_HEADER_BYTES;
    frames.push({ seq, final, start: pos, body, tag: body + length, end: body + length + TAG_BYTES });
    pos = body + length + TAG_BYTES;
  }
  return { headerLength, frames };
}

/**
 * A provider with no protection of its own: the "encrypted" key is the data key, and the ARN and context are
 * ignored. Whatever it lets through, only the envelope's own checks can catch.
 */
export class TransparentProvider implements DataKeyProvider {
  async generateDataKey(keyId: string): Promise<DataKeyMaterial> {
    const plaintext = randomBytes(32);
    return { keyArn: keyId, plaintext, encryptedKey: Buffer.from(plaintext) };
  }

  async decryptDataKey(encryptedKey: Buffer): Promise<Buffer> {
    return Buffer.from(encryptedKey);
  }
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function pseudoRandom(n: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Splits a buffer into chunks of deterministic pseudo-random sizes from 1 to maxChunk. */
export async function* chunked(data: Buffer, maxChunk: number, seed = 7): AsyncGenerator<Buffer> {
  let x = seed >>> 0 || 1;
  for (let pos = 0; pos < data.length; ) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const size = 1 + ((x >>> 0) % maxChunk);
    yield data.subarray(pos, pos + size);
    pos += size;
  }
}

export async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Collects until the stream fails; returns what was released before the error, and the error. */
export async function collectUntilError(source: AsyncIterable<Buffer>): Promise<{ released: Buffer; error: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of source) chunks.push(chunk);
  } catch (error) {
    return { released: Buffer.concat(chunks), error };
  }
  return { released: Buffer.concat(chunks), error: undefined };
}
