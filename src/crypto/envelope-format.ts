/**
 * Vigil envelope format, version 1. All integers are unsigned big-endian.
 *
 * Header
 *   magic           4  'VGE1'
 *   formatVersion   1  0x01
 *   messageId      16  random per message
 *   frameSize       4  plaintext bytes in every non-final frame, 1 .. 16 MiB
 *   keyArnLength    2  then keyArn, UTF-8, 1 .. 2048 bytes
 *   encKeyLength    2  then the encrypted data key as KMS returned it, 1 .. 6144 bytes
 *   context            encodeContext(): count(2), then sorted keyLen(2) key valueLen(2) value
 *   commitment     32  key commitment (below)
 *   headerTag      16  AES-256-GCM tag, empty plaintext, AAD = every header byte above, headerKey, IV = 12 zero bytes
 * The whole header is at most 64 KiB.
 *
 * Frames, numbered 1, 2, 3, … (at most 2^32 - 1)
 *   seq             4  frame number
 *   final           1  0x01 on the last frame, else 0x00
 *   length          4  ciphertext length: exactly frameSize when not final, 0 .. frameSize when final
 *   ciphertext length  AES-256-GCM under contentKey, IV = messageId[0..8) ‖ seq, AAD = messageId ‖ seq ‖ final ‖ length
 *   tag            16
 * Nothing may follow the final frame.
 *
 * Keys: HKDF-SHA256(ikm = 32-byte data key, salt = messageId, info = 'vigil-envelope/1') → 96 bytes, split into
 * contentKey ‖ headerKey ‖ commitment. A data key reused across messages (data-key cache) therefore yields fresh
 * keys per message, so no (key, IV) pair repeats, and frames cannot move between messages. GCM alone is not
 * key-committing (one ciphertext can be made to verify under two chosen keys); the stored commitment pins the
 * message to exactly one data key, the same defence as the AWS Encryption SDK's committing suites.
 */
import { decodeContext, encodeContext } from './context-encoding.js';
import { EnvelopeError } from './envelope-error.js';

export const MAGIC = Buffer.from('VGE1', 'ascii');
export const FORMAT_VERSION = 1;
export const MESSAGE_ID_BYTES = 16;
export const DATA_KEY_BYTES = 32;
export const COMMITMENT_BYTES = 32;
export const TAG_BYTES = 16;
export const FRAME_HEADER_BYTES = 9;
export const DEFAULT_FRAME_SIZE = 64 * 1024;
export const MAX_FRAME_SIZE = 16 * 1024 * 1024;
export const MAX_HEADER_BYTES = 64 * 1024;
export const MAX_SEQ = 0xffffffff;
const MAX_KEY_ARN_BYTES = 2048;
const MAX_ENCRYPTED_KEY_BYTES = 6144; // KMS's CiphertextBlob limit
const FIXED_PREFIX_BYTES = MAGIC.length + 1 + MESSAGE_ID_BYTES + 4;

/** What a header says. Unauthenticated until the data key has verified it (see readHeader). */
export interface EnvelopeHeader {
  formatVersion: number;
  messageId: Buffer;
  frameSize: number;
  keyArn: string;
  encryptedKey: Buffer;
  context: Record<string, string>;
}

export interface ParsedHeader {
  header: EnvelopeHeader;
  /** The bytes the header tag covers (magic … commitment). */
  authenticated: Buffer;
  commitment: Buffer;
  tag: Buffer;
  /** Total header length, tag included: frames start here. */
  length: number;
}

export interface FrameHeader {
  seq: number;
  final: boolean;
  length: number;
}

export function checkFrameSize(frameSize: number): void {
  if (!Number.isInteger(frameSize) || frameSize < 1 || frameSize > MAX_FRAME_SIZE) {
    throw new RangeError(`frameSize must be an integer from 1 to ${MAX_FRAME_SIZE}, got ${frameSize}`);
  }
}

/** Header bytes up to and including the commitment; the caller appends the tag. */
export function encodeHeaderBody(header: EnvelopeHeader, commitment: Buffer): Buffer {
  const arn = Buffer.from(header.keyArn, 'utf8');
  if (arn.length < 1 || arn.length > MAX_KEY_ARN_BYTES) throw new RangeError(`key ARN must be 1 to ${MAX_KEY_ARN_BYTES} bytes`);
  const key = header.encryptedKey;
  if (key.length < 1 || key.length > MAX_ENCRYPTED_KEY_BYTES) {
    throw new RangeError(`encrypted data key must be 1 to ${MAX_ENCRYPTED_KEY_BYTES} bytes`);
  }
  const prefix = Buffer.allocUnsafe(FIXED_PREFIX_BYTES);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt8(header.formatVersion, 4);
  header.messageId.copy(prefix, 5);
  prefix.writeUInt32BE(header.frameSize, 5 + MESSAGE_ID_BYTES);
  const body = Buffer.concat([prefix, u16(arn.length), arn, u16(key.length), key, encodeContext(header.context), commitment]);
  if (body.length + TAG_BYTES > MAX_HEADER_BYTES) throw new RangeError(`envelope header exceeds ${MAX_HEADER_BYTES} bytes`);
  return body;
}

/**
 * Parses a header from the start of `buf`. Returns undefined when `buf` ends before the header does (a stream
 * reader then waits for more bytes); throws EnvelopeError as soon as the bytes seen cannot start a valid header.
 */
export function tryParseHeader(buf: Buffer): ParsedHeader | undefined {
  const probe = buf.subarray(0, MAGIC.length);
  if (!probe.equals(MAGIC.subarray(0, probe.length))) throw new EnvelopeError('not a Vigil envelope (bad magic)');
  if (buf.length < FIXED_PREFIX_BYTES) return undefined;
  const formatVersion = buf.readUInt8(4);
  if (formatVersion !== FORMAT_VERSION) throw new EnvelopeError(`unsupported envelope format version ${formatVersion}`);
  const messageId = buf.subarray(5, 5 + MESSAGE_ID_BYTES);
  const frameSize = buf.readUInt32BE(5 + MESSAGE_ID_BYTES);
  if (frameSize < 1 || frameSize > MAX_FRAME_SIZE) throw new EnvelopeError('envelope frame size out of range');
  const arn = readBytes(buf, FIXED_PREFIX_BYTES, MAX_KEY_ARN_BYTES, 'key ARN');
  if (!arn) return undefined;
  const key = readBytes(buf, arn.end, MAX_ENCRYPTED_KEY_BYTES, 'encrypted data key');
  if (!key) return undefined;
  const ctx = decodeContext(buf, key.end);
  if (!ctx) return ensureHeaderFits(buf.length);
  const end = ctx.end + COMMITMENT_BYTES + TAG_BYTES;
  if (end > MAX_HEADER_BYTES) throw new EnvelopeError('envelope header too long');
  if (buf.length < end) return undefined;
  const keyArn = arn.bytes.toString('utf8');
  if (!Buffer.from(keyArn, 'utf8').equals(arn.bytes)) throw new EnvelopeError('key ARN is not valid UTF-8');
  return {
    header: { formatVersion, messageId: copy(messageId), frameSize, keyArn, encryptedKey: copy(key.bytes), context: ctx.context },
    authenticated: copy(buf.subarray(0, ctx.end + COMMITMENT_BYTES)),
    commitment: copy(buf.subarray(ctx.end, ctx.end + COMMITMENT_BYTES)),
    tag: copy(buf.subarray(end - TAG_BYTES, end)),
    length: end,
  };
}

export function encodeFrameHeader(frame: FrameHeader): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  out.writeUInt32BE(frame.seq, 0);
  out.writeUInt8(frame.final ? 1 : 0, 4);
  out.writeUInt32BE(frame.length, 5);
  return out;
}

export function decodeFrameHeader(bytes: Buffer): FrameHeader {
  const flag = bytes.readUInt8(4);
  if (flag > 1) throw new EnvelopeError('envelope frame has an invalid final flag');
  return { seq: bytes.readUInt32BE(0), final: flag === 1, length: bytes.readUInt32BE(5) };
}

function readBytes(buf: Buffer, pos: number, max: number, what: string): { bytes: Buffer; end: number } | undefined {
  if (buf.length < pos + 2) return undefined;
  const length = buf.readUInt16BE(pos);
  if (length < 1 || length > max) throw new EnvelopeError(`envelope ${what} length out of range`);
  const end = pos + 2 + length;
  return buf.length < end ? undefined : { bytes: buf.subarray(pos + 2, end), end };
}

/** An incomplete context that already passed the header limit will never complete: fail instead of waiting. */
function ensureHeaderFits(seen: number): undefined {
  if (seen >= MAX_HEADER_BYTES) throw new EnvelopeError('envelope header too long');
  return undefined;
}

function u16(n: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(n, 0);
  return b;
}

/** Parsed fields must not alias the caller's buffer, which a stream may reuse or the caller may overwrite. */
function copy(b: Buffer): Buffer {
  return Buffer.from(b);
}
