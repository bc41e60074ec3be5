/**
 * Server-side SigV4 verification (aws-semantics §2). parseSigV4 finds the carrier; the caller
 * resolves the access key; verifySigV4 checks scope, time, credential state, payload hash and
 * finally the signature (constant-time).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HttpRequest } from '../protocol/types.js';
import { SigV4Error, type ResolvedCredential, type SigV4Carrier } from './types.js';
import { canonicalRequest, EMPTY_SHA256, sha256Hex, stringToSign } from './sigv4-canonical.js';
import { formatIsoBasic, signingTime } from './sigv4-parse.js';
import { signingKey } from './sigv4-key.js';

export { parseSigV4 } from './sigv4-parse.js';
export { signingKey } from './sigv4-key.js';
export { canonicalRequest, stringToSign } from './sigv4-canonical.js';

export interface VerifyOptions {
  now: Date;
  /** Allowed clock difference; default 300 (AWS JSON/query services). S3-style callers pass 900. */
  skewSeconds?: number;
  /** S3-style canonical URI (no normalisation, single encoding); default false. */
  s3Uri?: boolean;
  /** Accept `UNSIGNED-PAYLOAD` as x-amz-content-sha256 (only if that header is signed). */
  allowUnsignedPayload?: boolean;
  /** For presigned URLs: payload hash to use (S3: UNSIGNED-PAYLOAD). Default: hash of body. */
  presignedPayloadHash?: string;
  /**
   * Presigned URLs only: also accept a signature computed without X-Amz-Security-Token (the token
   * appended after signing, as AWS IoT clients do). The token itself is still checked. Default false.
   */
  allowUnsignedPresignedToken?: boolean;
  /**
   * The body is a stream the gateway has not read (S3 PutObject/UploadPart): a hex x-amz-content-sha256 and the
   * STREAMING-* forms are taken as signed, and the caller checks the stream against them while it is read.
   */
  streamingBody?: boolean;
  /** When set, the credential scope's region must equal it. */
  region?: string;
  /** When set, the credential scope's service must be one of these (SageMaker Runtime signs as `sagemaker`). */
  services?: readonly string[];
}

const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const CONTENT_SHA256 = 'x-amz-content-sha256';
const MAX_PRESIGNED_TTL = 604_800;
const HEX64 = /^[0-9a-fA-F]{64}$/;
const LOWER_HEX64 = /^[0-9a-f]{64}$/;
const PRESIGNED_CONTENT_SHA256 = /(?:^|&)x-amz-content-sha256=([^&]*)/i;

export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const TOKEN_INVALID = 'The security token included in the request is invalid.';
const TOKEN_EXPIRED = 'The security token included in the request is expired';

/** A signature mismatch carrying what we computed, for AWS-style debugging output (S3 echoes both). */
export class SigV4MismatchError extends SigV4Error {
  constructor(
    readonly canonicalRequest: string,
    readonly stringToSign: string,
  ) {
    super('signature', SIGNATURE_MISMATCH);
  }
}

function checkScope(carrier: SigV4Carrier, isoDate: string, opts: VerifyOptions): void {
  if (carrier.terminator !== 'aws4_request') {
    throw new SigV4Error('incomplete', `Credential should be scoped with a valid terminator: 'aws4_request', not '${carrier.terminator}'.`);
  }
  if (!carrier.signedHeaders.includes('host') && !carrier.signedHeaders.includes(':authority')) {
    throw new SigV4Error('incomplete', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const day = isoDate.slice(0, 8);
  if (carrier.date !== day) {
    throw new SigV4Error(
      'incomplete',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${carrier.date}' != '${day}', from '${isoDate}'.`,
    );
  }
  if (opts.region !== undefined && carrier.region !== opts.region) {
    throw new SigV4Error('signature', `Credential should be scoped to a valid region, not '${carrier.region}'.`);
  }
  if (opts.services !== undefined && !opts.services.includes(carrier.service)) {
    throw new SigV4Error('signature', `Credential should be scoped to correct service: '${opts.services[0]}'.`);
  }
}

/** `5 min.` as AWS prints the window. */
function windowText(skewSeconds: number): string {
  return `${Number((skewSeconds / 60).toFixed(2))} min.`;
}

/** Header auth: signed within ±skew. Presigned: not from the future, not past X-Amz-Expires. */
function checkTime(carrier: SigV4Carrier, signed: { iso: string; ms: number }, opts: VerifyOptions): void {
  const skew = opts.skewSeconds ?? 300;
  const now = opts.now.getTime();
  if (signed.ms > now + skew * 1000) {
    throw new SigV4Error(
      'signature',
      `Signature not yet current: ${signed.iso} is still later than ${formatIsoBasic(now + skew * 1000)} (${formatIsoBasic(now)} + ${windowText(skew)})`,
    );
  }
  if (carrier.presigned) {
    checkPresignedExpiry(carrier.expiresSeconds, signed.ms, now);
  } else if (signed.ms < now - skew * 1000) {
    throw new SigV4Error(
      'signature',
      `Signature expired: ${signed.iso} is now earlier than ${formatIsoBasic(now - skew * 1000)} (${formatIsoBasic(now)} - ${windowText(skew)})`,
    );
  }
}

function checkPresignedExpiry(expires: number | undefined, signedMs: number, now: number): void {
  if (expires === undefined || !Number.isInteger(expires) || expires < 1) {
    throw new SigV4Error('request-expired', 'X-Amz-Expires must be at least 1 second.');
  }
  if (expires > MAX_PRESIGNED_TTL) {
    throw new SigV4Error('request-expired', 'X-Amz-Expires must be less than a week (in seconds) that is; 604800 seconds');
  }
  if (now > signedMs + expires * 1000) throw new SigV4Error('request-expired', 'Request has expired');
}

/** Constant-time comparison of the bytes; a token's length is not secret (all tokens of an issuer share a shape). */
function secretEquals(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

function checkCredential(carrier: SigV4Carrier, cred: ResolvedCredential, now: Date): void {
  if (cred.accessKeyId !== carrier.accessKeyId || cred.status !== 'Active') {
    throw new SigV4Error('invalid-token', TOKEN_INVALID);
  }
  if (cred.expiration !== undefined && cred.expiration.getTime() <= now.getTime()) {
    throw new SigV4Error('expired-token', TOKEN_EXPIRED);
  }
  const given = carrier.securityToken ?? '';
  // Temporary credentials need their token; long-term keys must not carry one.
  const ok = cred.sessionToken === undefined ? given === '' : given !== '' && secretEquals(given, cred.sessionToken);
  if (!ok) throw new SigV4Error('invalid-token', TOKEN_INVALID);
}

function bodyHash(body: Buffer): string {
  return body.length === 0 ? EMPTY_SHA256 : sha256Hex(body);
}

/** Presigned URLs may carry a hoisted x-amz-content-sha256 in the (signed) query. */
function presignedContentSha256(rawQuery: string): string | undefined {
  const m = PRESIGNED_CONTENT_SHA256.exec(rawQuery);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** The HashedPayload line: the client's claim (checked against the body) or our own body hash. */
function resolvePayloadHash(req: HttpRequest, carrier: SigV4Carrier, opts: VerifyOptions): string {
  const fromQuery = carrier.presigned ? presignedContentSha256(req.rawQuery) : undefined;
  const claimed = fromQuery ?? req.headers[CONTENT_SHA256];
  if (claimed === undefined) {
    return (carrier.presigned ? opts.presignedPayloadHash : undefined) ?? bodyHash(req.body);
  }
  if (HEX64.test(claimed)) {
    if (opts.streamingBody) return claimed;
    if (claimed.toLowerCase() !== bodyHash(req.body)) {
      throw new SigV4Error('signature', "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    return claimed;
  }
  if (claimed === UNSIGNED_PAYLOAD) {
    const signed = fromQuery !== undefined || carrier.signedHeaders.includes(CONTENT_SHA256);
    if (opts.allowUnsignedPayload && signed) return claimed;
    throw new SigV4Error('signature', "An unsigned payload ('UNSIGNED-PAYLOAD') is not accepted for this request.");
  }
  if (opts.streamingBody && claimed.startsWith('STREAMING-') && carrier.signedHeaders.includes(CONTENT_SHA256)) return claimed;
  // STREAMING-* (aws-chunked) outside streaming operations, and anything else: not accepted.
  throw new SigV4Error('signature', "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.");
}

function signatureMatches(key: Buffer, sts: string, provided: string): boolean {
  if (!LOWER_HEX64.test(provided)) return false;
  const expected = createHmac('sha256', key).update(sts).digest();
  return timingSafeEqual(expected, Buffer.from(provided, 'hex'));
}

/**
 * Verifies `carrier` (from parseSigV4) against `cred` (resolved from carrier.accessKeyId).
 * Returns normally on success; throws SigV4Error (SigV4MismatchError for a bad signature).
 */
export function verifySigV4(req: HttpRequest, carrier: SigV4Carrier, cred: ResolvedCredential, opts: VerifyOptions): void {
  const signed = signingTime(carrier.amzDate);
  if (!signed) throw new SigV4Error('incomplete', `Date must be in ISO-8601 'basic format'. Got '${carrier.amzDate}'.`);
  checkScope(carrier, signed.iso, opts);
  checkTime(carrier, signed, opts);
  checkCredential(carrier, cred, opts.now);
  const payloadHash = resolvePayloadHash(req, carrier, opts);
  const key = signingKey(cred.secretAccessKey, carrier.date, carrier.region, carrier.service);
  const scope = carrier.date + '/' + carrier.region + '/' + carrier.service + '/aws4_request';
  const canonicalOpts = { s3Uri: opts.s3Uri, presigned: carrier.presigned };
  const canonical = canonicalRequest(req, carrier.signedHeaders, payloadHash, canonicalOpts);
  const sts = stringToSign(signed.iso, scope, canonical);
  if (signatureMatches(key, sts, carrier.signature)) return;
  if (carrier.presigned && opts.allowUnsignedPresignedToken && carrier.securityToken !== undefined) {
    const withoutToken = canonicalRequest(req, carrier.signedHeaders, payloadHash, { ...canonicalOpts, omitSessionToken: true });
    if (signatureMatches(key, stringToSign(signed.iso, scope, withoutToken), carrier.signature)) return;
  }
  throw new SigV4MismatchError(canonical, sts);
}
