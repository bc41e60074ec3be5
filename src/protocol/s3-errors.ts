/**
 * S3's own spelling of the errors every service shares (S3 predates the common AWS error codes: `AccessDenied` 403
 * "Access Denied", `InvalidAccessKeyId`, `RequestTimeTooSkewed`…), and the mapping of SigV4 failures to them.
 * Messages are S3's, as its error documentation and real responses print them.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
 */
import { ServiceError } from './errors.js';
import type { SigV4FailureKind } from '../auth/types.js';

const S3_ERRORS = {
  AccessDenied: [403, 'Access Denied'],
  AuthorizationHeaderMalformed: [400, 'The authorization header that you provided is not valid.'],
  AuthorizationQueryParametersError: [400, 'Error parsing the X-Amz-Credential parameter.'],
  BadDigest: [400, 'The Content-MD5 or checksum value that you specified did not match what the server received.'],
  ExpiredToken: [400, 'The provided token has expired.'],
  IncompleteBody: [400, 'You did not provide the number of bytes specified by the Content-Length HTTP header.'],
  InternalError: [500, 'We encountered an internal error. Please try again.'],
  InvalidAccessKeyId: [403, 'The AWS Access Key Id you provided does not exist in our records.'],
  InvalidArgument: [400, 'Invalid Argument'],
  InvalidChunkSizeError: [400, 'Only the last chunk is allowed to have a size less than 8192 bytes'],
  InvalidRequest: [400, 'Invalid Request'],
  InvalidToken: [400, 'The provided token is malformed or otherwise invalid.'],
  InvalidURI: [400, "Couldn't parse the specified URI."],
  MalformedTrailerError: [400, 'The request contained trailing data that was not well-formed or did not conform to our published schema.'],
  MalformedXML: [400, 'The XML you provided was not well-formed or did not validate against our published schema.'],
  MethodNotAllowed: [405, 'The specified method is not allowed against this resource.'],
  MissingContentLength: [411, 'You must provide the Content-Length HTTP header.'],
  MissingSecurityHeader: [400, 'Your request was missing a required header.'],
  NotImplemented: [501, 'A header you provided implies functionality that is not implemented.'],
  RequestTimeTooSkewed: [403, 'The difference between the request time and the current time is too large.'],
  SignatureDoesNotMatch: [403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'],
  SlowDown: [503, 'Please reduce your request rate.'],
  XAmzContentSHA256Mismatch: [400, "The provided 'x-amz-content-sha256' header does not match what was computed."],
} as const satisfies Record<string, readonly [number, string]>;

export type S3ErrorCode = keyof typeof S3_ERRORS;

/**
 * An S3 error by code, with S3's default message unless one is given. `extra` members are written into `<Error>`
 * in insertion order (BucketName, Key, Resource, CanonicalRequest…).
 */
export function s3Error(code: S3ErrorCode, message?: string, extra?: Record<string, unknown>, headers?: Record<string, string>): ServiceError {
  const [httpStatus, defaultMessage] = S3_ERRORS[code];
  return new ServiceError(code, message ?? defaultMessage, { httpStatus, extra, headers });
}

/** What a SigV4MismatchError carries; typed structurally so the protocol layer does not import the verifier. */
export interface SignatureDetail {
  canonicalRequest?: string;
  stringToSign?: string;
  accessKeyId?: string;
  signatureProvided?: string;
}

/**
 * A failed SigV4 check in S3's words. `message` is the verifier's text: its wording (fixed strings in auth/sigv4.ts)
 * tells apart the cases S3 reports under different codes (clock skew, payload hash, malformed scope).
 */
export function s3AuthError(kind: SigV4FailureKind, message: string, detail: SignatureDetail = {}): ServiceError {
  switch (kind) {
    case 'missing': return s3Error('AccessDenied');
    case 'incomplete':
      return /X-Amz-|query/i.test(message) && !/Authorization header/i.test(message)
        ? s3Error('AuthorizationQueryParametersError', message)
        : s3Error('AuthorizationHeaderMalformed', message);
    case 'invalid-token':
      return s3Error('InvalidAccessKeyId', undefined, detail.accessKeyId ? { AWSAccessKeyId: detail.accessKeyId } : undefined);
    case 'expired-token': return s3Error('ExpiredToken');
    case 'request-expired':
      return message.startsWith('X-Amz-Expires') ? s3Error('AuthorizationQueryParametersError', message) : s3Error('AccessDenied', message);
    case 'signature': return signatureError(message, detail);
  }
}

function signatureError(message: string, detail: SignatureDetail): ServiceError {
  if (/^Signature (expired|not yet current)/.test(message)) return s3Error('RequestTimeTooSkewed');
  if (message.includes("'x-amz-content-sha256' header does not match")) return s3Error('XAmzContentSHA256Mismatch');
  if (message.includes('x-amz-content-sha256') || message.includes('UNSIGNED-PAYLOAD')) return s3Error('InvalidArgument', message);
  if (message.startsWith('Credential should be scoped')) return s3Error('AuthorizationHeaderMalformed', message);
  const extra: Record<string, unknown> = {};
  if (detail.accessKeyId) extra.AWSAccessKeyId = detail.accessKeyId;
  // S3 echoes what it computed so a client author can diff it against their own; none of it is secret.
  if (detail.stringToSign !== undefined) {
    extra.StringToSign = detail.stringToSign;
    extra.StringToSignBytes = hexBytes(detail.stringToSign);
  }
  if (detail.signatureProvided) extra.SignatureProvided = detail.signatureProvided;
  if (detail.canonicalRequest !== undefined) {
    extra.CanonicalRequest = detail.canonicalRequest;
    extra.CanonicalRequestBytes = hexBytes(detail.canonicalRequest);
  }
  return s3Error('SignatureDoesNotMatch', undefined, extra);
}

/** S3's `…Bytes` elements: the UTF-8 bytes as space-separated two-digit hex. */
function hexBytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex').replace(/(..)(?!$)/g, '$1 ');
}

/**
 * Errors raised by layers that speak every protocol (pipeline, validation, throttle) spelled as S3 spells them on
 * the wire. Codes already in S3's vocabulary pass through unchanged.
 */
export function toS3WireError(err: ServiceError): ServiceError {
  switch (err.code) {
    case 'InternalFailure': return rename(err, 'InternalError', S3_ERRORS.InternalError[1]);
    case 'UnknownOperationException': return rename(err, 'MethodNotAllowed', S3_ERRORS.MethodNotAllowed[1]);
    case 'MissingAuthenticationToken': return rename(err, 'AccessDenied', 'Access Denied');
    case 'ValidationError': return rename(err, 'InvalidArgument', err.message);
    case 'MalformedQueryString': return rename(err, 'InvalidArgument', err.message);
    case 'Throttling': return rename(err, 'SlowDown', S3_ERRORS.SlowDown[1]);
    case 'RequestEntityTooLarge': return rename(err, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400);
    case 'InvalidClientTokenId': return rename(err, 'InvalidAccessKeyId', S3_ERRORS.InvalidAccessKeyId[1]);
    case 'IncompleteSignature': return rename(err, 'AuthorizationHeaderMalformed', err.message);
    default: return err;
  }
}

function rename(err: ServiceError, code: string, message: string, status?: number): ServiceError {
  const known = (S3_ERRORS as Record<string, readonly [number, string]>)[code];
  return new ServiceError(code, message, { httpStatus: status ?? known?.[0] ?? err.httpStatus, extra: err.extra, headers: err.headers });
}
