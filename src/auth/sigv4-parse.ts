/**
 * Finding and parsing the SigV4 carrier (aws-semantics §2.1 step 1): the Authorization header or
 * the presigned-URL query parameters. Only syntax is checked here; scope, time and credential
 * checks belong to verifySigV4.
 */
import type { HttpRequest } from '../protocol/types.js';
import { SigV4Error, type SigV4Carrier } from './types.js';
import { ALGORITHM } from './sigv4-canonical.js';

const Q_ALGORITHM = 'X-Amz-Algorithm';
const Q_CREDENTIAL = 'X-Amz-Credential';
const Q_DATE = 'X-Amz-Date';
const Q_EXPIRES = 'X-Amz-Expires';
const Q_SIGNED_HEADERS = 'X-Amz-SignedHeaders';
const Q_SIGNATURE = 'X-Amz-Signature';
const Q_TOKEN = 'X-Amz-Security-Token';
const REQUIRED_QUERY = [Q_ALGORITHM, Q_CREDENTIAL, Q_SIGNATURE, Q_DATE, Q_SIGNED_HEADERS, Q_EXPIRES];
const AUTH_QUERY = new Set([...REQUIRED_QUERY, Q_TOKEN]);

const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

// AWS (S3) wording for the cases below.
const BOTH_CARRIERS =
  'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified';
const QUERY_INCOMPLETE =
  'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.';
const CREDENTIAL_MALFORMED =
  'Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".';

function incomplete(message: string): SigV4Error {
  return new SigV4Error('incomplete', message);
}

/**
 * Signing time in ISO-8601 basic format plus epoch ms, from X-Amz-Date (always basic format) or,
 * as a fallback, an HTTP `Date` header (RFC 7231 format, which the string to sign never uses).
 * Undefined when unparseable.
 */
export function signingTime(amzDate: string): { iso: string; ms: number } | undefined {
  const m = ISO_BASIC.exec(amzDate);
  if (m) {
    const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    // Date.UTC rolls over out-of-range fields (month 13, Feb 30); AWS would not.
    const valid = +m[2] >= 1 && +m[2] <= 12 && +m[4] < 24 && +m[5] < 60 && +m[6] < 60 && new Date(ms).getUTCDate() === +m[3];
    return valid ? { iso: amzDate, ms } : undefined;
  }
  const ms = Date.parse(amzDate);
  if (Number.isNaN(ms) || !/GMT$/.test(amzDate)) return undefined;
  return { iso: formatIsoBasic(ms), ms };
}

/** `20150830T123600Z` for an epoch-ms instant (seconds precision, as AWS prints it). */
export function formatIsoBasic(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

function parseCredential(value: string): Pick<SigV4Carrier, 'accessKeyId' | 'date' | 'region' | 'service' | 'terminator'> {
  const parts = value.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) throw incomplete(CREDENTIAL_MALFORMED);
  const [accessKeyId, date, region, service, terminator] = parts;
  return { accessKeyId, date, region, service, terminator };
}

/** Lower-cased and sorted: the canonical request lists them that way whatever order the client wrote. */
function parseSignedHeaders(value: string): string[] {
  const names = value.split(';').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  if (names.length === 0) throw incomplete('SignedHeaders must list at least one header.');
  return names.sort();
}

function checkDate(amzDate: string): void {
  if (!signingTime(amzDate)) {
    throw incomplete(`Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  }
}

/** The decoded query-auth parameters, or undefined when the query carries no auth. */
function authQueryParams(rawQuery: string): Map<string, string> | undefined {
  if (!rawQuery.includes('X-Amz-')) return undefined;
  const params = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    if (!AUTH_QUERY.has(name)) continue;
    // A repeated auth parameter would make "which one was signed" ambiguous.
    if (params.has(name)) throw incomplete(`Query parameter '${name}' appears more than once.`);
    params.set(name, decodeQueryValue(name, eq < 0 ? '' : part.slice(eq + 1)));
  }
  return params.has(Q_ALGORITHM) || params.has(Q_CREDENTIAL) ? params : undefined;
}

function decodeQueryValue(name: string, raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw incomplete(`Query parameter '${name}' is not correctly percent-encoded.`);
  }
}

function carrierFromQuery(params: Map<string, string>): SigV4Carrier {
  if (REQUIRED_QUERY.some((k) => !params.has(k))) throw incomplete(QUERY_INCOMPLETE);
  const get = (k: string): string => params.get(k) ?? '';
  if (get(Q_ALGORITHM) !== ALGORITHM) {
    throw incomplete(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
  }
  const expires = get(Q_EXPIRES);
  if (!/^\d{1,10}$/.test(expires)) throw incomplete('X-Amz-Expires should be a number');
  checkDate(get(Q_DATE));
  return {
    presigned: true,
    ...parseCredential(get(Q_CREDENTIAL)),
    signedHeaders: parseSignedHeaders(get(Q_SIGNED_HEADERS)),
    signature: get(Q_SIGNATURE),
    amzDate: get(Q_DATE),
    expiresSeconds: Number(expires),
    securityToken: params.get(Q_TOKEN),
  };
}

/** `Credential=…, SignedHeaders=…, Signature=…` after the algorithm; commas with or without spaces. */
function headerParams(header: string, rest: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const raw of rest.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) throw incomplete(`'${item}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`);
    const key = item.slice(0, eq).trim();
    if (params.has(key)) throw incomplete(`'${key}' appears more than once in Authorization header: '${header}'.`);
    params.set(key, item.slice(eq + 1).trim());
  }
  return params;
}

/** AWS reports every missing piece at once, in this order, then echoes the header. */
function missingMessage(header: string, params: Map<string, string>, hasDate: boolean): string {
  const missing: string[] = [];
  for (const key of ['Credential', 'Signature', 'SignedHeaders']) {
    if (!params.get(key)) missing.push(`Authorization header requires '${key}' parameter.`);
  }
  if (!hasDate) missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  return `${missing.join(' ')} Authorization=${header}`;
}

function carrierFromHeader(header: string, headers: Record<string, string>): SigV4Carrier {
  const text = header.trim();
  const space = text.search(/\s/);
  const algorithm = space < 0 ? text : text.slice(0, space);
  if (algorithm !== ALGORITHM) throw incomplete(`Unsupported AWS 'algorithm': '${algorithm}'`);
  const params = headerParams(header, space < 0 ? '' : text.slice(space + 1));
  const credential = params.get('Credential');
  const signedHeaders = params.get('SignedHeaders');
  const signature = params.get('Signature');
  const amzDate = headers['x-amz-date'] ?? headers.date;
  if (!credential || !signedHeaders || !signature || amzDate === undefined) {
    throw incomplete(missingMessage(header, params, amzDate !== undefined));
  }
  checkDate(amzDate);
  return {
    presigned: false,
    ...parseCredential(credential),
    signedHeaders: parseSignedHeaders(signedHeaders),
    signature,
    amzDate,
    securityToken: headers['x-amz-security-token'],
  };
}

/**
 * The request's SigV4 carrier, or undefined for an anonymous request (the caller answers
 * MissingAuthenticationToken). Throws SigV4Error('incomplete') for anything malformed,
 * including header and query auth at once.
 */
export function parseSigV4(req: HttpRequest): SigV4Carrier | undefined {
  const header = req.headers.authorization;
  const query = authQueryParams(req.rawQuery);
  if (header === undefined) return query && carrierFromQuery(query);
  if (query) throw incomplete(BOTH_CARRIERS);
  return carrierFromHeader(header, req.headers);
}
