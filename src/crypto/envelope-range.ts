/**
 * Random access into a stored envelope message (format: envelope-format.ts). Every non-final frame holds exactly
 * `frameSize` plaintext bytes, so plaintext offset p lives in frame ⌊p / frameSize⌋ + 1, and that frame starts at
 * headerLength + (seq − 1) × (frameSize + 25) in the ciphertext. A range read therefore fetches the header and
 * only the frames it needs: O(range) work, not O(message).
 *
 * Why this is as safe as reading the whole message: each frame's AAD binds its sequence number, final flag and
 * length, and its IV binds the sequence number, under keys derived for this message alone. A frame read at
 * position seq either is the frame the writer put there or fails authentication; it cannot be moved, and the
 * checks below (exact length for inner frames, final flag and length for the last one) fail before its body is
 * even buffered. What a range read cannot know, without reading the end, is whether frames *after* it were
 * truncated; that is the whole-message guarantee of the final frame, and a read that includes it gets it.
 */
import { createDecipheriv } from 'node:crypto';
import { contextsEqual } from './context-encoding.js';
import { deriveMessageKeys, verifyHeader, type MessageKeys } from './envelope-crypto.js';
import { EnvelopeError } from './envelope-error.js';
import {
  FRAME_HEADER_BYTES, MAX_SEQ, MESSAGE_ID_BYTES, TAG_BYTES, decodeFrameHeader, tryParseHeader, type EnvelopeHeader, type ParsedHeader,
} from './envelope-format.js';
import type { DataKeyProvider, DecryptOptions } from './envelope-message.js';
import { ByteQueue } from './byte-queue.js';

/** Ciphertext bytes a frame adds to its plaintext: frame header and tag. */
export const FRAME_OVERHEAD = FRAME_HEADER_BYTES + TAG_BYTES;
const IV_BYTES = 12;

/** Where everything sits in a message of known total size. Sizes are not authenticated: frames are. */
export interface MessageLayout {
  headerLength: number;
  frameSize: number;
  frameCount: number;
  plaintextLength: number;
}

/** The ciphertext to fetch for an inclusive plaintext range, and how to cut the plaintext out of it. */
export interface RangePlan {
  firstSeq: number;
  lastSeq: number;
  /** Inclusive ciphertext byte offsets in the stored message. */
  cipherStart: number;
  cipherEnd: number;
  /** Plaintext bytes to drop from the first frame, and to deliver in all. */
  skip: number;
  take: number;
}

/**
 * The message layout from its parsed header and total size. The encryptor ends every message with a final frame
 * of 0 … frameSize bytes (0 only for an empty message), so the size alone fixes frameCount and plaintextLength.
 */
export function messageLayout(headerLength: number, frameSize: number, messageSize: number): MessageLayout {
  const body = messageSize - headerLength;
  if (body < FRAME_OVERHEAD) throw new EnvelopeError('envelope is truncated (final frame missing)');
  const frameCount = Math.ceil(body / (frameSize + FRAME_OVERHEAD));
  if (frameCount > MAX_SEQ) throw new EnvelopeError('envelope has too many frames');
  const lastLength = body - (frameCount - 1) * (frameSize + FRAME_OVERHEAD) - FRAME_OVERHEAD;
  // A last frame that cannot even hold its header and tag, or an empty last frame after full ones, was never written.
  if (lastLength < 0 || (lastLength === 0 && frameCount > 1)) throw new EnvelopeError('envelope size does not match its frame layout');
  return { headerLength, frameSize, frameCount, plaintextLength: (frameCount - 1) * frameSize + lastLength };
}

/** The plan for plaintext bytes start..end (inclusive; end is clamped to the message). */
export function planRange(layout: MessageLayout, start: number, end: number): RangePlan {
  const { frameSize, plaintextLength, headerLength } = layout;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`invalid plaintext range ${start}-${end}`);
  }
  if (start >= plaintextLength) throw new RangeError(`plaintext range ${start}-${end} starts beyond the ${plaintextLength}-byte message`);
  const last = Math.min(end, plaintextLength - 1);
  const firstSeq = Math.floor(start / frameSize) + 1;
  const lastSeq = Math.floor(last / frameSize) + 1;
  const stride = frameSize + FRAME_OVERHEAD;
  const lastFrameEnd = lastSeq === layout.frameCount
    ? headerLength + (lastSeq - 1) * stride + (plaintextLength - (lastSeq - 1) * frameSize) + FRAME_OVERHEAD
    : headerLength + lastSeq * stride;
  return {
    firstSeq, lastSeq,
    cipherStart: headerLength + (firstSeq - 1) * stride,
    cipherEnd: lastFrameEnd - 1,
    skip: start - (firstSeq - 1) * frameSize,
    take: last - start + 1,
  };
}

/** The plan for the whole message (every frame; for an empty message, its one empty final frame). */
export function planWhole(layout: MessageLayout): RangePlan {
  const end = layout.headerLength + (layout.frameCount - 1) * (layout.frameSize + FRAME_OVERHEAD) +
    (layout.plaintextLength - (layout.frameCount - 1) * layout.frameSize) + FRAME_OVERHEAD;
  return { firstSeq: 1, lastSeq: layout.frameCount, cipherStart: layout.headerLength, cipherEnd: end - 1, skip: 0, take: layout.plaintextLength };
}

/** Parses a header from the first bytes of a message; undefined if more bytes are needed. */
export function parseHeaderPrefix(bytes: Buffer): ParsedHeader | undefined {
  return tryParseHeader(bytes);
}

/**
 * A verified message, ready to open any of its frames. Built by openMessage(), which performs exactly the
 * checks decryptStream does before its first frame: expected context, allowed keys, data key from the provider
 * (or cache), key commitment and header tag.
 */
export class RandomAccessOpener {
  readonly #key: Buffer;
  readonly #messageId: Buffer;

  constructor(keys: MessageKeys, readonly header: EnvelopeHeader, readonly layout: MessageLayout) {
    this.#key = keys.contentKey;
    this.#messageId = header.messageId;
  }

  /** Decrypts the frames of `plan` from a stream of exactly its ciphertext bytes; yields the requested plaintext. */
  async *decrypt(plan: RangePlan, ciphertext: AsyncIterable<Buffer>): AsyncGenerator<Buffer, void, undefined> {
    const input = new Pull(ciphertext);
    try {
      let skip = plan.skip;
      let remaining = plan.take;
      for (let seq = plan.firstSeq; seq <= plan.lastSeq; seq++) {
        if (!(await input.fill(FRAME_HEADER_BYTES))) throw new EnvelopeError(`envelope is truncated before frame ${seq}`);
        const frameHeader = input.queue.takeContiguous(FRAME_HEADER_BYTES);
        const frame = decodeFrameHeader(frameHeader);
        this.#check(seq, frame);
        if (!(await input.fill(frame.length + TAG_BYTES))) throw new EnvelopeError(`envelope is truncated in frame ${seq}`);
        const body = input.queue.take(frame.length);
        const tag = input.queue.takeContiguous(TAG_BYTES);
        for (const piece of this.#open(seq, frameHeader, body, tag)) {
          const from = Math.min(skip, piece.length);
          skip -= from;
          const out = piece.subarray(from, from + Math.min(remaining, piece.length - from));
          remaining -= out.length;
          if (out.length > 0) yield out;
        }
      }
      if (await input.fill(1)) throw new EnvelopeError('more ciphertext than the requested frames');
    } finally {
      await input.close();
    }
  }

  /** What the writer must have put at position `seq`, checked before the body is read. */
  #check(seq: number, frame: { seq: number; final: boolean; length: number }): void {
    const { frameCount, frameSize, plaintextLength } = this.layout;
    const isLast = seq === frameCount;
    const length = isLast ? plaintextLength - (frameCount - 1) * frameSize : frameSize;
    if (frame.seq !== seq) throw new EnvelopeError(`envelope frame out of sequence: expected ${seq}, found ${frame.seq}`);
    if (frame.final !== isLast || frame.length !== length) {
      throw new EnvelopeError(`envelope frame ${seq} does not match the message layout (truncated or extended)`);
    }
  }

  /** Same IV and AAD as envelope-crypto.ts FrameSealer: messageId[0..8) ‖ seq, and messageId ‖ frame header. */
  #open(seq: number, frameHeader: Buffer, body: Buffer[], tag: Buffer): Buffer[] {
    const iv = Buffer.alloc(IV_BYTES);
    this.#messageId.copy(iv, 0, 0, IV_BYTES - 4);
    iv.writeUInt32BE(seq, IV_BYTES - 4);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.concat([this.#messageId.subarray(0, MESSAGE_ID_BYTES), frameHeader]));
    decipher.setAuthTag(tag);
    const plaintext = body.map((piece) => decipher.update(piece));
    try {
      decipher.final();
    } catch {
      throw new EnvelopeError(`envelope frame ${seq} failed authentication`);
    }
    return plaintext;
  }
}

/**
 * Verifies a message's header (from its parsed first bytes) and returns an opener for its frames. KMS errors
 * from the provider pass through unchanged; everything else that is wrong is an EnvelopeError.
 */
export async function openMessage(
  provider: DataKeyProvider,
  parsed: ParsedHeader,
  messageSize: number,
  expectedContext: Record<string, string> | undefined,
  opts: DecryptOptions = {},
): Promise<RandomAccessOpener> {
  const { header } = parsed;
  // The order of envelope-message.ts beginDecrypt: cheap refusals before KMS is asked (and audited).
  if (expectedContext && !contextsEqual(header.context, expectedContext)) {
    throw new EnvelopeError('envelope encryption context does not match the expected context');
  }
  if (opts.allowedKeyArns && !opts.allowedKeyArns.includes(header.keyArn)) {
    throw new EnvelopeError('envelope is encrypted under a key that is not allowed here');
  }
  const layout = messageLayout(parsed.length, header.frameSize, messageSize);
  const cached = opts.cache?.getForDecrypt(header.keyArn, header.encryptedKey, header.context);
  const dataKey = cached ?? (await provider.decryptDataKey(header.encryptedKey, header.keyArn, header.context));
  const keys = deriveMessageKeys(dataKey, header.messageId);
  verifyHeader(keys, parsed);
  if (!cached) opts.cache?.putForDecrypt(header.keyArn, header.encryptedKey, header.context, dataKey);
  opts.onHeader?.(header);
  return new RandomAccessOpener(keys, header, layout);
}

/** Pulls chunks into a ByteQueue on demand, so at most one chunk beyond the current frame is buffered. */
class Pull {
  readonly queue = new ByteQueue();
  readonly #iterator: AsyncIterator<Buffer>;
  #ended = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  async fill(n: number): Promise<boolean> {
    while (this.queue.length < n) {
      if (this.#ended) return false;
      const next = await this.#iterator.next();
      if (next.done) this.#ended = true;
      else this.queue.push(next.value);
    }
    return true;
  }

  async close(): Promise<void> {
    if (!this.#ended) {
      this.#ended = true;
      await this.#iterator.return?.();
    }
  }
}
