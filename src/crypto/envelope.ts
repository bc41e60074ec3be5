/**
 * Envelope encryption (issue 3 §3): data encrypted under a fresh (or cached) KMS data key with AES-256-GCM, in
 * authenticated frames, with a header naming the KMS key, the encrypted data key and the encryption context. The
 * byte format is specified in envelope-format.ts; streaming semantics in envelope-stream.ts.
 *
 * Pure (DESIGN principle 9): no HTTP, no store. KMS is reached only through the DataKeyProvider the caller passes.
 */
import { EnvelopeError } from './envelope-error.js';
import { tryParseHeader, type EnvelopeHeader } from './envelope-format.js';
import type { DataKeyProvider, DecryptOptions, EncryptOptions } from './envelope-message.js';
import { decryptStream, encryptStream } from './envelope-stream.js';

export { DataKeyCache, type DataKeyCacheLimits, type DataKeyMaterial } from './data-key-cache.js';
export { EnvelopeError } from './envelope-error.js';
export { DEFAULT_FRAME_SIZE, MAX_FRAME_SIZE, type EnvelopeHeader } from './envelope-format.js';
export type { DataKeyProvider, DecryptOptions, EncryptOptions, EnvelopeOptions } from './envelope-message.js';
export { decryptStream, encryptStream, type Chunk, type StreamStage } from './envelope-stream.js';

/** Encrypts a whole buffer; the result is byte-for-byte what encryptStream would produce for the same input. */
export async function encryptBuffer(
  provider: DataKeyProvider,
  keyId: string,
  plaintext: Buffer,
  context: Record<string, string>,
  opts: EncryptOptions = {},
): Promise<Buffer> {
  // The length is known, so the data-key cache can charge its byte budget up front.
  const stage = encryptStream(provider, keyId, context, { ...opts, plaintextLength: plaintext.length });
  return Buffer.concat(await collect(stage(once(plaintext))));
}

/** Decrypts a whole message; returns nothing unless every frame verified and the message is complete. */
export async function decryptBuffer(
  provider: DataKeyProvider,
  ciphertext: Buffer,
  expectedContext?: Record<string, string>,
  opts: DecryptOptions = {},
): Promise<{ plaintext: Buffer; header: EnvelopeHeader }> {
  let header: EnvelopeHeader | undefined;
  const onHeader = (h: EnvelopeHeader) => {
    header = h;
    opts.onHeader?.(h);
  };
  const stage = decryptStream(provider, expectedContext, { ...opts, onHeader });
  const plaintext = Buffer.concat(await collect(stage(once(ciphertext))));
  if (!header) throw new EnvelopeError('envelope header was never verified'); // unreachable: the stage verifies first
  return { plaintext, header };
}

/**
 * The header of a message, from the message or its first bytes (up to 64 KiB suffice). Nothing here is
 * authenticated yet — that needs the data key — so use it only to route (which key, which context), never to
 * trust; decryptBuffer and decryptStream verify it before releasing anything.
 */
export function readHeader(ciphertext: Buffer): EnvelopeHeader {
  const parsed = tryParseHeader(ciphertext);
  if (!parsed) throw new EnvelopeError('envelope is truncated in its header');
  return parsed.header;
}

async function* once(buffer: Buffer): AsyncGenerator<Buffer> {
  yield buffer;
}

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return chunks;
}
