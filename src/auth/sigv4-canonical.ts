/**
 * SigV4 canonical request construction (aws-semantics §2.1 step 5–6), server side.
 *
 * Everything here runs on every signed request, so the common case (ASCII path and
 * query, already-clean header values) takes regex fast paths and builds one string.
 */
import crypto, { createHash } from 'node:crypto';
import type { HttpRequest } from '../protocol/types.js';

/** hex(sha256('')): the payload hash of every bodiless request, precomputed because it is the common case. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

export interface CanonicalOptions {
  /** S3-style URI: the path as sent (single encoding), no dot-segment or slash normalisation. */
  s3Uri?: boolean;
  /** Query auth: X-Amz-Signature is not part of what was signed. */
  presigned?: boolean;
  /** Presigned URLs whose X-Amz-Security-Token was appended after signing (aws-c-auth `omit_session_token`). */
  omitSessionToken?: boolean;
}

const HEX = '0123456789ABCDEF';
const ONLY_UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const ONLY_UNRESERVED_OR_SLASH = /^[A-Za-z0-9\-._~/]*$/;
// A path needs normalising only if it has an empty, '.' or '..' segment.
const NEEDS_NORMALISING = /\/\/|(?:^|\/)\.{1,2}(?:\/|$)/;
// Header values that are already trimmed and single-spaced skip the replace.
const NEEDS_FOLDING = /[\t\r\n]| {2}|^ | $/;

function isUnreserved(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
    c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e
  );
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function pct(byte: number): string {
  return '%' + HEX[byte >> 4] + HEX[byte & 15];
}

/** %XX for each UTF-8 byte of the code point at s[i]; returns [encoded, code units consumed]. */
function encodeCodePoint(s: string, i: number): [string, number] {
  const cp = s.codePointAt(i) ?? 0;
  const width = cp > 0xffff ? 2 : 1;
  let out = '';
  for (const b of Buffer.from(s.slice(i, i + width), 'utf8')) out += pct(b);
  return [out, width];
}

/**
 * RFC 3986 encoding (uppercase hex, unreserved kept, optionally '/').
 * With `decodeEscapes` false a '%' is itself encoded — that is the "double encoding" non-S3 services
 * apply to the wire path. With it true, valid %XX escapes are decoded and re-encoded at byte level,
 * which is "decode, then encode" without a round trip through (possibly invalid) UTF-8.
 */
export function uriEncode(s: string, keepSlash: boolean, decodeEscapes: boolean): string {
  if ((keepSlash ? ONLY_UNRESERVED_OR_SLASH : ONLY_UNRESERVED).test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isUnreserved(c) || (keepSlash && c === 0x2f)) {
      out += s[i];
    } else if (decodeEscapes && c === 0x25 && isHexDigit(s.charCodeAt(i + 1)) && isHexDigit(s.charCodeAt(i + 2))) {
      const byte = parseInt(s.slice(i + 1, i + 3), 16);
      out += isUnreserved(byte) ? String.fromCharCode(byte) : pct(byte);
      i += 2;
    } else if (c < 0x80) {
      out += pct(c);
    } else {
      const [enc, width] = encodeCodePoint(s, i);
      out += enc;
      i += width - 1;
    }
  }
  return out;
}

/** Drop empty and '.' segments, apply '..', keep the leading slash and a trailing one (as @smithy/signature-v4 does). */
export function normalizePath(path: string): string {
  if (!NEEDS_NORMALISING.test(path)) return path;
  const segments: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const lead = path.startsWith('/') ? '/' : '';
  const trail = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return lead + segments.join('/') + trail;
}

export function canonicalUri(path: string, s3Uri: boolean): string {
  if (path === '') return '/';
  if (s3Uri) return uriEncode(path, true, true);
  return uriEncode(normalizePath(path), true, false) || '/';
}

/** Decode each name and value, re-encode, drop the signature (and a post-signing token), sort by name then value. */
export function canonicalQuery(rawQuery: string, opts: CanonicalOptions = {}): string {
  if (rawQuery === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = uriEncode(eq < 0 ? part : part.slice(0, eq), false, true);
    if (opts.presigned && (name === 'X-Amz-Signature' || (opts.omitSessionToken && name === 'X-Amz-Security-Token'))) {
      continue;
    }
    pairs.push([name, eq < 0 ? '' : uriEncode(part.slice(eq + 1), false, true)]);
  }
  // Encoded strings are ASCII, so code-unit order is byte order.
  if (pairs.length > 1) pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  let out = '';
  for (let i = 0; i < pairs.length; i++) out += (i ? '&' : '') + pairs[i][0] + '=' + pairs[i][1];
  return out;
}

/** Trim and collapse whitespace runs (folded multi-line values included) to one space. */
export function canonicalHeaderValue(value: string): string {
  if (!NEEDS_FOLDING.test(value)) return value;
  const folded = value.replace(/[ \t\r\n]+/g, ' ');
  const start = folded.startsWith(' ') ? 1 : 0;
  const end = folded.endsWith(' ') ? folded.length - 1 : folded.length;
  return start < end ? folded.slice(start, end) : '';
}

function isSorted(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) if (names[i - 1] > names[i]) return false;
  return true;
}

/**
 * `METHOD\nURI\nQUERY\nHEADERS\n\nSIGNED\nPAYLOAD`. `signedHeaders` are lower-case names
 * (parseSigV4 returns them sorted; an unsorted list is sorted here rather than trusted).
 */
export function canonicalRequest(
  req: HttpRequest,
  signedHeaders: readonly string[],
  payloadHash: string,
  opts: CanonicalOptions = {},
): string {
  const names = isSorted(signedHeaders) ? signedHeaders : [...signedHeaders].sort();
  let headers = '';
  for (const name of names) headers += name + ':' + canonicalHeaderValue(req.headers[name] ?? '') + '\n';
  return (
    req.method + '\n' +
    canonicalUri(req.path, opts.s3Uri === true) + '\n' +
    canonicalQuery(req.rawQuery, opts) + '\n' +
    headers + '\n' +
    names.join(';') + '\n' +
    payloadHash
  );
}

/** crypto.hash (Node 20.12+) hashes in one call, about twice as fast as a Hash object for request-sized inputs. */
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : undefined;

export function sha256Hex(data: string | Buffer): string {
  return oneShot ? oneShot('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}

/** `scope` is `yyyymmdd/region/service/aws4_request`; no trailing newline. */
export function stringToSign(amzDate: string, scope: string, canonicalRequestText: string): string {
  return ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + sha256Hex(canonicalRequestText);
}
