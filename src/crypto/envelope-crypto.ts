import { createCipheriv, createDecipheriv, hkdfSync, timingSafeEqual } from 'node:crypto';
import { EnvelopeError } from './envelope-error.js';
import {
  COMMITMENT_BYTES,
  DATA_KEY_BYTES,
  FRAME_HEADER_BYTES,
  MAX_SEQ,
  MESSAGE_ID_BYTES,
  TAG_BYTES,
  encodeFrameHeader,
  type FrameHeader,
  type ParsedHeader,
} from './envelope-format.js';

/** The AEAD primitives of the format described in envelope-format.ts. */

const ALGORITHM = 'aes-256-gcm';
const HKDF_INFO = Buffer.from('vigil-envelope/1', 'ascii');
const IV_BYTES = 12;
/** The header key is unique to its message and used once, so a constant IV never repeats under one key. */
const HEADER_IV = Buffer.alloc(IV_BYTES);

export interface MessageKeys {
  contentKey: Buffer;
  headerKey: Buffer;
  commitment: Buffer;
}

export function deriveMessageKeys(dataKey: Buffer, messageId: Buffer): MessageKeys {
  if (dataKey.length !== DATA_KEY_BYTES) throw new EnvelopeError(`data key must be ${DATA_KEY_BYTES} bytes, got ${dataKey.length}`);
  const okm = Buffer.from(hkdfSync('sha256', dataKey, messageId, HKDF_INFO, 2 * DATA_KEY_BYTES + COMMITMENT_BYTES));
  return {
    contentKey: okm.subarray(0, DATA_KEY_BYTES),
    headerKey: okm.subarray(DATA_KEY_BYTES, 2 * DATA_KEY_BYTES),
    commitment: okm.subarray(2 * DATA_KEY_BYTES),
  };
}

export function headerTag(keys: MessageKeys, authenticated: Buffer): Buffer {
  const cipher = createCipheriv(ALGORITHM, keys.headerKey, HEADER_IV, { authTagLength: TAG_BYTES });
  cipher.setAAD(authenticated);
  cipher.final();
  return cipher.getAuthTag();
}

/** Commitment first: it proves the data key is the one the writer used before GCM is asked anything. */
export function verifyHeader(keys: MessageKeys, parsed: ParsedHeader): void {
  if (!timingSafeEqual(keys.commitment, parsed.commitment)) {
    throw new EnvelopeError('envelope header does not match its data key (key commitment mismatch)');
  }
  const decipher = createDecipheriv(ALGORITHM, keys.headerKey, HEADER_IV, { authTagLength: TAG_BYTES });
  decipher.setAAD(parsed.authenticated);
  decipher.setAuthTag(parsed.tag);
  try {
    decipher.final();
  } catch {
    throw new EnvelopeError('envelope header failed authentication');
  }
}

/** Per-message nonce and AAD scratch: Node copies both into OpenSSL on use, so rewriting them is safe. */
class FrameNonces {
  readonly #iv = Buffer.alloc(IV_BYTES);
  readonly #aad = Buffer.alloc(MESSAGE_ID_BYTES + FRAME_HEADER_BYTES);

  constructor(messageId: Buffer) {
    messageId.copy(this.#iv, 0, 0, IV_BYTES - 4);
    messageId.copy(this.#aad, 0);
  }

  iv(seq: number): Buffer {
    this.#iv.writeUInt32BE(seq, IV_BYTES - 4);
    return this.#iv;
  }

  aad(frameHeader: Buffer): Buffer {
    frameHeader.copy(this.#aad, MESSAGE_ID_BYTES);
    return this.#aad;
  }
}

/** A sealed frame in parts, so a stream can emit the ciphertext without copying it into one buffer. */
export interface SealedFrame {
  frameHeader: Buffer;
  ciphertext: Buffer[];
  tag: Buffer;
}

/** Turns plaintext into consecutive frames; the caller decides where frames end (see envelope-stream.ts). */
export class FrameSealer {
  readonly #key: Buffer;
  readonly #nonces: FrameNonces;
  #seq = 0;

  constructor(keys: MessageKeys, messageId: Buffer) {
    this.#key = keys.contentKey;
    this.#nonces = new FrameNonces(messageId);
  }

  /** `pieces` hold exactly `length` bytes; they are encrypted piece by piece rather than concatenated first. */
  seal(pieces: readonly Buffer[], length: number, final: boolean): SealedFrame {
    if (this.#seq >= MAX_SEQ) throw new RangeError('message has too many frames for its frame size');
    const seq = ++this.#seq;
    const frameHeader = encodeFrameHeader({ seq, final, length });
    const cipher = createCipheriv(ALGORITHM, this.#key, this.#nonces.iv(seq), { authTagLength: TAG_BYTES });
    cipher.setAAD(this.#nonces.aad(frameHeader));
    const ciphertext = pieces.map((piece) => cipher.update(piece));
    cipher.final(); // GCM emits nothing here; it computes the tag
    return { frameHeader, ciphertext, tag: cipher.getAuthTag() };
  }
}

/** Checks and opens frames in order; releases a frame's plaintext only after its tag verified. */
export class FrameOpener {
  readonly #key: Buffer;
  readonly #nonces: FrameNonces;
  readonly #frameSize: number;
  #expected = 1;
  #done = false;

  constructor(keys: MessageKeys, messageId: Buffer, frameSize: number) {
    this.#key = keys.contentKey;
    this.#nonces = new FrameNonces(messageId);
    this.#frameSize = frameSize;
  }

  get done(): boolean {
    return this.#done;
  }

  /** Runs before the body is read, so a forged length can never make the reader buffer more than one frame. */
  check(frame: FrameHeader): void {
    if (this.#done) throw new EnvelopeError('envelope has data after its final frame');
    if (frame.seq !== this.#expected) {
      throw new EnvelopeError(`envelope frame out of sequence: expected ${this.#expected}, found ${frame.seq}`);
    }
    const lengthOk = frame.final ? frame.length <= this.#frameSize : frame.length === this.#frameSize;
    if (!lengthOk) throw new EnvelopeError(`envelope frame ${frame.seq} has an invalid length`);
  }

  open(frameHeader: Buffer, frame: FrameHeader, pieces: readonly Buffer[], tag: Buffer): Buffer[] {
    this.check(frame);
    const decipher = createDecipheriv(ALGORITHM, this.#key, this.#nonces.iv(frame.seq), { authTagLength: TAG_BYTES });
    decipher.setAAD(this.#nonces.aad(frameHeader));
    decipher.setAuthTag(tag);
    const plaintext = pieces.map((piece) => decipher.update(piece));
    try {
      decipher.final();
    } catch {
      throw new EnvelopeError(`envelope frame ${frame.seq} failed authentication`);
    }
    this.#expected++;
    this.#done = frame.final;
    return plaintext;
  }
}
