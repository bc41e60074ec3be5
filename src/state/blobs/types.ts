import type { Readable } from 'node:stream';

/**
 * Where encrypted blobs live (DESIGN "blobs: local disk | S3-compatible"). A BlobStore only ever sees ciphertext:
 * the vault above it encrypts before put() and authenticates after get(), so a store needs durability and
 * atomicity, not confidentiality or integrity of its own.
 */
export interface BlobStore {
  /**
   * Stores the stream under `key`, replacing any blob already there. Atomic: readers see the old blob (or none)
   * until the new one is complete and durable; if `source` fails, nothing of it ever becomes visible.
   */
  put(key: string, source: AsyncIterable<Buffer>): Promise<{ size: number }>;
  /**
   * The stored bytes, or the inclusive byte range of them (an `end` past the blob is clamped, as HTTP does).
   * Rejects with BlobNotFoundError if there is no such blob, RangeError if `start` is not inside it.
   */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Size in bytes; BlobNotFoundError if missing. */
  size(key: string): Promise<number>;
  /** Removes the blob; deleting a missing blob is not an error (as in S3). */
  delete(key: string): Promise<void>;
  /** Keys starting with `prefix`, in no particular order. */
  list(prefix: string): AsyncIterable<string>;
}

/** Inclusive byte offsets, like an HTTP Range header. */
export interface ByteRange {
  start: number;
  end: number;
}

export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';
  readonly code = 'NotFound';

  constructor(readonly key: string) {
    super(`blob ${key} does not exist`);
  }
}

/**
 * Keys become file names and object keys as they are, so they are restricted to a safe alphabet: no path
 * separators, no leading dot (no `..`, no hidden files), bounded length.
 */
const KEY_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

export function checkBlobKey(key: string): void {
  if (!KEY_PATTERN.test(key)) throw new RangeError(`invalid blob key ${JSON.stringify(key)}: use 1-200 of [A-Za-z0-9._-], not starting with '.'`);
}

export function checkRange(range: ByteRange, size: number): ByteRange {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`invalid byte range ${start}-${end}`);
  }
  if (start >= size) throw new RangeError(`byte range ${start}-${end} starts beyond the blob (${size} bytes)`);
  return { start, end: Math.min(end, size - 1) };
}
