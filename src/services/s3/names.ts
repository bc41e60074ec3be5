import { MAX_KEY_BYTES, s3Errors } from './errors.js';

/**
 * S3's naming rules (general purpose buckets, as documented in "Bucket naming rules"): 3–63 characters of
 * [a-z0-9.-], starting and ending with a letter or digit, no `..`, not an IPv4 address, and none of the
 * prefixes and suffixes AWS reserves for its own endpoints.
 */
const BUCKET_CHARS = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3'];

export function isValidBucketName(name: string): boolean {
  if (!BUCKET_CHARS.test(name)) return false;
  if (name.includes('..') || IPV4.test(name)) return false;
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return false;
  return !RESERVED_SUFFIXES.some((s) => name.endsWith(s));
}

export function checkBucketName(name: string): void {
  if (!isValidBucketName(name)) throw s3Errors.invalidBucketName(name);
}

/** Keys are 1–1024 bytes of UTF-8. NUL cannot be stored by PostgreSQL, so Vigil refuses it on both engines. */
export function checkKey(key: string): void {
  const size = Buffer.byteLength(key, 'utf8');
  if (size > MAX_KEY_BYTES) throw s3Errors.keyTooLong(size);
  if (size === 0) throw s3Errors.invalidArgument('Object key must not be empty', 'key', key);
  if (key.includes('\u0000')) throw s3Errors.invalidArgument('Object key must not contain NUL characters', 'key', key);
}

export const bucketArn = (bucket: string): string => `arn:aws:s3:::${bucket}`;
export const objectArn = (bucket: string, key: string): string => `arn:aws:s3:::${bucket}/${key}`;

/** S3's listing order is UTF-8 byte order (JavaScript's `<` orders UTF-16 code units, which differs above U+FFFF). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** `"<hex>"` for a single-part object; `"<hex>-<n>"` for multipart. */
export const quoteEtag = (hex: string): string => `"${hex}"`;

/** ETags as clients send them in conditions and part lists: quoted or not, possibly weak. */
export function normalizeEtag(etag: string): string {
  let e = etag.trim();
  if (e.startsWith('W/')) e = e.slice(2);
  if (e.length >= 2 && e.startsWith('"') && e.endsWith('"')) e = e.slice(1, -1);
  return e;
}

/** `x-amz-tagging` is a URL-encoded query string (`k1=v1&k2=v2`). */
export function parseTaggingHeader(value: string | undefined): { Key: string; Value: string }[] | undefined {
  if (value === undefined || value === '') return undefined;
  const tags: { Key: string; Value: string }[] = [];
  for (const [Key, Value] of new URLSearchParams(value)) tags.push({ Key, Value });
  return tags;
}
