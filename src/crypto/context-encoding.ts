import { EnvelopeError } from './envelope-error.js';

/**
 * Canonical encoding of an encryption context (string → string map):
 *   count (uint16 BE), then per pair sorted by the key's UTF-8 bytes:
 *   keyLength (uint16 BE) ‖ key (UTF-8) ‖ valueLength (uint16 BE) ‖ value (UTF-8)
 * Length prefixes make it unambiguous ({"a":"bc"} and {"ab":"c"} differ) and sorting makes it independent of
 * insertion order, so equal contexts always give equal bytes: usable as AAD and as a cache key.
 */
const MAX_U16 = 0xffff;

export function encodeContext(context: Record<string, string>): Buffer {
  const pairs = Object.entries(context).map(([k, v]) => [utf8(k, 'key'), utf8(v, 'value')] as const);
  if (pairs.length > MAX_U16) throw new RangeError(`encryption context has more than ${MAX_U16} pairs`);
  pairs.sort((a, b) => Buffer.compare(a[0], b[0]));
  const size = 2 + pairs.reduce((n, [k, v]) => n + 4 + k.length + v.length, 0);
  const out = Buffer.allocUnsafe(size);
  let pos = out.writeUInt16BE(pairs.length, 0);
  for (const [k, v] of pairs) {
    pos = out.writeUInt16BE(k.length, pos);
    pos += k.copy(out, pos);
    pos = out.writeUInt16BE(v.length, pos);
    pos += v.copy(out, pos);
  }
  return out;
}

/**
 * Decodes a context starting at `offset`; returns undefined if `buf` ends before the context does (the caller
 * may wait for more bytes). Rejects non-canonical forms (unsorted or duplicate keys, invalid UTF-8), so exactly
 * one byte string stands for each context.
 */
export function decodeContext(buf: Buffer, offset: number): { context: Record<string, string>; end: number } | undefined {
  if (buf.length < offset + 2) return undefined;
  const count = buf.readUInt16BE(offset);
  let pos = offset + 2;
  const entries: [string, string][] = [];
  let previousKey: Buffer | undefined;
  for (let i = 0; i < count; i++) {
    const key = readField(buf, pos);
    if (!key) return undefined;
    const value = readField(buf, key.end);
    if (!value) return undefined;
    if (previousKey && Buffer.compare(previousKey, key.bytes) >= 0) {
      throw new EnvelopeError('encryption context is not in canonical order');
    }
    previousKey = key.bytes;
    entries.push([decodeUtf8(key.bytes), decodeUtf8(value.bytes)]);
    pos = value.end;
  }
  // fromEntries defines own properties, so a key named "__proto__" stays data rather than changing the prototype.
  return { context: Object.fromEntries(entries), end: pos };
}

/** Exact, case-sensitive equality of two contexts (same keys, same values). */
export function contextsEqual(a: Record<string, string>, b: Record<string, string>): boolean {
  return encodeContext(a).equals(encodeContext(b));
}

/** A string that is equal for equal contexts: for map keys. */
export function contextKey(context: Record<string, string>): string {
  return encodeContext(context).toString('base64');
}

function readField(buf: Buffer, pos: number): { bytes: Buffer; end: number } | undefined {
  if (buf.length < pos + 2) return undefined;
  const end = pos + 2 + buf.readUInt16BE(pos);
  return buf.length < end ? undefined : { bytes: buf.subarray(pos + 2, end), end };
}

/** Strings with lone surrogates would encode lossily, so two different contexts could share one encoding. */
function utf8(s: string, what: string): Buffer {
  if (typeof s !== 'string') throw new TypeError(`encryption context ${what} must be a string`);
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.toString('utf8') !== s) throw new RangeError(`encryption context ${what} is not well-formed Unicode`);
  if (bytes.length > MAX_U16) throw new RangeError(`encryption context ${what} is longer than ${MAX_U16} bytes`);
  return bytes;
}

/** ignoreBOM keeps a leading U+FEFF as data instead of silently dropping it. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Buffer): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw new EnvelopeError('encryption context is not valid UTF-8');
  }
}
