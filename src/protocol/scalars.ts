/**
 * Scalar conversions every protocol shares: timestamps, base64 blobs and numbers in their wire spellings.
 * Parsers return `undefined` for an unreadable value; the caller (shape-walk.ts) turns that into the protocol's
 * serialization error, so this file knows nothing about error families.
 */

/** Smithy timestamp formats (botocore spells them the same way in `timestampFormat`). */
export type TimestampFormat = 'iso8601' | 'unixTimestamp' | 'rfc822';

// ISO-8601 as AWS clients send it: botocore uses microseconds, the JS SDK milliseconds, some tools an offset.
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;
// RFC 7231 IMF-fixdate, the `rfc822` format of headers (`Mon, 15 Jul 2019 23:28:33 GMT`).
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const EPOCH = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Reads a timestamp in any of the forms AWS accepts on input (epoch seconds as number or string, ISO-8601,
 * HTTP date). V8's Date.parse alone is too lenient: it reads `'1'` as the year 2001.
 */
export function parseTimestamp(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'number') return Number.isFinite(value) ? new Date(Math.round(value * 1000)) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (EPOCH.test(text)) return parseTimestamp(Number(text));
  if (!ISO_8601.test(text) && !HTTP_DATE.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** ISO-8601 with milliseconds, as AWS writes them (`2019-07-15T23:28:33.359Z`). */
export function isoTimestamp(date: Date): string {
  return date.toISOString();
}

/** Epoch seconds with fractional milliseconds, the JSON protocols' default. */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

export function formatTimestamp(date: Date, format: TimestampFormat): string | number {
  switch (format) {
    case 'unixTimestamp': return epochSeconds(date);
    case 'rfc822': return date.toUTCString();
    default: return isoTimestamp(date);
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64_URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** Strict base64 (standard or URL alphabet, padding optional); Buffer.from alone skips garbage silently. */
export function decodeBase64(text: string): Uint8Array | undefined {
  const compact = text.replace(/[\r\n\t ]/g, '');
  if (compact.length % 4 === 1) return undefined;
  if (BASE64.test(compact)) return Buffer.from(compact, 'base64');
  if (BASE64_URL.test(compact)) return Buffer.from(compact, 'base64url');
  return undefined;
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Output blobs may come from providers as Buffer, any typed array or (leniently) a UTF-8 string. */
export function toBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return undefined;
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_FLOATS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** Number from its text form (query, headers, query strings); floats also accept NaN/Infinity as AWS writes them. */
export function parseNumberText(text: string, integral: boolean): number | undefined {
  const trimmed = text.trim();
  if (integral) return INTEGER_TEXT.test(trimmed) ? Number(trimmed) : undefined;
  if (trimmed in SPECIAL_FLOATS) return SPECIAL_FLOATS[trimmed];
  return FLOAT_TEXT.test(trimmed) ? Number(trimmed) : undefined;
}

/** The JSON protocols send non-finite floats as strings. */
export function specialFloat(text: string): number | undefined {
  return text in SPECIAL_FLOATS ? SPECIAL_FLOATS[text] : undefined;
}

export function formatNumberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return String(value);
}

/**
 * Assigns a key on an object built from client data. A plain `obj[k] = v` with k === '__proto__' would replace
 * the prototype instead of adding a key (prototype pollution); defineProperty always adds an own key.
 */
export function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
