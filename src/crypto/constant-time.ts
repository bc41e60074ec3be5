import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Per-process key: the digests compared below are unpredictable, so their timing says nothing useful. */
const COMPARE_KEY = randomBytes(32);

/**
 * Constant-time equality for secrets (signatures, tokens, secret keys). Both sides are HMAC'd first, so
 * inputs of different lengths are compared as equal-length digests: the time taken depends on the lengths
 * (which HMAC must read) but never on where the contents differ, and nothing throws on a length mismatch.
 */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const da = createHmac('sha256', COMPARE_KEY).update(toBytes(a)).digest();
  const db = createHmac('sha256', COMPARE_KEY).update(toBytes(b)).digest();
  return timingSafeEqual(da, db);
}

function toBytes(v: string | Buffer): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}
