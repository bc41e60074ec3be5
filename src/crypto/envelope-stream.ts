/**
 * Streaming envelope encryption in O(frameSize) memory.
 *
 * encryptStream() and decryptStream() return a stream *stage*: a function from an async iterable of chunks to an
 * async iterable of chunks. That is the shape stream.pipeline() accepts between a source and a destination, it
 * carries backpressure and errors both ways, and it works with plain `for await` too:
 *
 *   await pipeline(createReadStream(src), encryptStream(kms, 'alias/aws/s3', ctx), createWriteStream(dst));
 *   for await (const chunk of decryptStream(kms, ctx)(readable)) …
 *   const transform = Duplex.from(decryptStream(kms, ctx));   // when a classic Duplex/Transform is required
 *
 * Decryption releases each frame's plaintext as soon as that frame's tag has verified, never before. A consumer
 * knows it has the *complete* message only when the stream ends without an error: a stream cut short, or with
 * frames dropped or reordered, fails at the point the fault is seen, after earlier verified frames may already
 * have been delivered (the guarantee of the AWS Encryption SDK's framed mode). Consumers that must not act on a
 * partial message should stage the output and commit it only on success.
 *
 * Input chunks are referenced, not copied, until their frame is processed: a source must not overwrite a chunk's
 * memory after yielding it (Node's own streams never do).
 */
import { EnvelopeError } from './envelope-error.js';
import { FRAME_HEADER_BYTES, MAX_HEADER_BYTES, TAG_BYTES, decodeFrameHeader, tryParseHeader } from './envelope-format.js';
import { beginDecrypt, beginEncrypt, type DataKeyProvider, type DecryptOptions, type EncryptOptions } from './envelope-message.js';
import { ByteQueue } from './byte-queue.js';
import type { SealedFrame } from './envelope-crypto.js';

export type Chunk = Buffer | Uint8Array | string;
export type StreamStage = (source: AsyncIterable<Chunk>) => AsyncGenerator<Buffer, void, undefined>;

export function encryptStream(
  provider: DataKeyProvider,
  keyId: string,
  context: Record<string, string>,
  opts: EncryptOptions = {},
): StreamStage {
  return async function* encrypt(source) {
    const declared = opts.plaintextLength;
    const session = await beginEncrypt(provider, keyId, context, opts, declared);
    const pending = new ByteQueue();
    // Small bytes still owed before the next ciphertext: the header, then each frame's tag. Emitting them together
    // with the next frame header gives two chunks per frame and no copy of the ciphertext.
    let owed = session.headerBytes;
    const emit = function* (frame: SealedFrame) {
      yield Buffer.concat([owed, frame.frameHeader]);
      yield* frame.ciphertext;
      owed = frame.tag;
    };
    let total = 0;
    for await (const chunk of source) {
      const bytes = toBuffer(chunk);
      total += bytes.length;
      if (declared !== undefined && total > declared) throw new RangeError(`stream is longer than the declared ${declared} bytes`);
      pending.push(bytes);
      // Strictly more than a frame: a frame is only non-final once we know more data follows it.
      while (pending.length > session.frameSize) {
        yield* emit(session.sealer.seal(pending.take(session.frameSize), session.frameSize, false));
      }
    }
    const rest = pending.length;
    yield* emit(session.sealer.seal(pending.take(rest), rest, true));
    yield owed;
  };
}

export function decryptStream(
  provider: DataKeyProvider,
  expectedContext?: Record<string, string>,
  opts: DecryptOptions = {},
): StreamStage {
  return async function* decrypt(source) {
    const input = new ChunkReader(source);
    try {
      const parsed = await readHeaderFrom(input);
      const opener = await beginDecrypt(provider, parsed, expectedContext, opts);
      while (!opener.done) {
        if (!(await input.fill(FRAME_HEADER_BYTES))) throw new EnvelopeError('envelope is truncated (final frame missing)');
        const frameHeader = input.queue.takeContiguous(FRAME_HEADER_BYTES);
        const frame = decodeFrameHeader(frameHeader);
        opener.check(frame); // before buffering the body: the length is bounded by the frame size
        if (!(await input.fill(frame.length + TAG_BYTES))) throw new EnvelopeError(`envelope is truncated in frame ${frame.seq}`);
        const body = input.queue.take(frame.length);
        const tag = input.queue.takeContiguous(TAG_BYTES);
        for (const plaintext of opener.open(frameHeader, frame, body, tag)) if (plaintext.length > 0) yield plaintext;
      }
      // Reading to the end is what proves nothing was appended after the final frame.
      if (await input.fill(1)) throw new EnvelopeError('envelope has data after its final frame');
    } finally {
      await input.close();
    }
  };
}

async function readHeaderFrom(input: ChunkReader) {
  for (;;) {
    const parsed = tryParseHeader(input.queue.peek(MAX_HEADER_BYTES));
    if (parsed) {
      input.queue.skip(parsed.length);
      return parsed;
    }
    if (input.queue.length >= MAX_HEADER_BYTES) throw new EnvelopeError('envelope header too long');
    if (!(await input.pull())) throw new EnvelopeError('envelope is truncated in its header');
  }
}

/** Pulls chunks from an async iterable into a ByteQueue on demand, so at most one extra chunk is buffered. */
class ChunkReader {
  readonly queue = new ByteQueue();
  readonly #iterator: AsyncIterator<Chunk>;
  #ended = false;

  constructor(source: AsyncIterable<Chunk>) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  async pull(): Promise<boolean> {
    if (this.#ended) return false;
    const next = await this.#iterator.next();
    if (next.done) {
      this.#ended = true;
      return false;
    }
    this.queue.push(toBuffer(next.value));
    return true;
  }

  /** True once `n` bytes are buffered; false if the source ended first. */
  async fill(n: number): Promise<boolean> {
    while (this.queue.length < n) if (!(await this.pull())) return false;
    return true;
  }

  /** Tells the source we stopped early (error or consumer break), as `for await` would. */
  async close(): Promise<void> {
    if (!this.#ended) {
      this.#ended = true;
      await this.#iterator.return?.();
    }
  }
}

function toBuffer(chunk: Chunk): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
