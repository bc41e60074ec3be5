import { ServiceError } from '../../protocol/errors.js';
import { modelError } from '../../protocol/model-errors.js';
import { model } from './api.generated.js';

/**
 * S3's errors with S3's codes, messages and statuses (as AWS sends them; messages checked against AWS's error
 * reference and responses recorded by moto, LocalStack and ceph/s3-tests). Extra members become elements of the
 * `<Error>` document (`<BucketName>`, `<Key>`, `<ActualObjectSize>`…).
 */

/** The model has these shapes but no status trait (S3's model predates it), so the status is set here. */
function modelled(shape: string, message: string, httpStatus: number, extra?: Record<string, unknown>): ServiceError {
  const base = modelError(model, shape, message, extra);
  return new ServiceError(base.code, message, { httpStatus, extra, shape });
}

function plain(code: string, message: string, httpStatus: number, extra?: Record<string, unknown>): ServiceError {
  return new ServiceError(code, message, { httpStatus, extra });
}

export const MAX_KEY_BYTES = 1024;
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_OBJECT_SIZE = 5 * 1024 ** 3;

export const s3Errors = {
  noSuchBucket: (bucket: string): ServiceError => modelled('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket }),
  noSuchKey: (key: string): ServiceError => modelled('NoSuchKey', 'The specified key does not exist.', 404, { Key: key }),
  noSuchUpload: (uploadId: string): ServiceError => modelled('NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', 404, { UploadId: uploadId }),
  bucketAlreadyExists: (bucket: string): ServiceError => modelled('BucketAlreadyExists',
    'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
    409, { BucketName: bucket }),
  bucketAlreadyOwnedByYou: (bucket: string): ServiceError => modelled('BucketAlreadyOwnedByYou',
    'Your previous request to create the named bucket succeeded and you already own it.', 409, { BucketName: bucket }),
  invalidBucketName: (bucket: string): ServiceError => plain('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: bucket }),
  bucketNotEmpty: (bucket: string): ServiceError => plain('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: bucket }),
  invalidRange: (requested: string, size: number): ServiceError => plain('InvalidRange', 'The requested range is not satisfiable', 416,
    { RangeRequested: requested, ActualObjectSize: size }),
  invalidPartNumber: (requested: number, count: number): ServiceError => plain('InvalidPartNumber', 'The requested partnumber is not satisfiable', 416,
    { PartNumberRequested: requested, ActualPartCount: count }),
  preconditionFailed: (condition: string): ServiceError => plain('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412,
    { Condition: condition }),
  /** 304 is answered without a body; the code is what the SDKs surface. */
  notModified: (): ServiceError => plain('NotModified', 'Not Modified', 304),
  invalidPart: (uploadId: string, partNumber: number, etag: string | undefined): ServiceError => plain('InvalidPart',
    'One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.',
    400, { UploadId: uploadId, PartNumber: partNumber, ETag: etag }),
  invalidPartOrder: (uploadId: string): ServiceError => plain('InvalidPartOrder',
    'The list of parts was not in ascending order. Parts must be ordered by part number.', 400, { UploadId: uploadId }),
  entityTooSmall: (size: number, partNumber: number, etag: string): ServiceError => plain('EntityTooSmall',
    'Your proposed upload is smaller than the minimum allowed size', 400,
    { ProposedSize: size, MinSizeAllowed: MIN_PART_SIZE, PartNumber: partNumber, ETag: etag }),
  entityTooLarge: (size: number): ServiceError => plain('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400,
    { ProposedSize: size, MaxSizeAllowed: MAX_OBJECT_SIZE }),
  badDigest: (expected: string, calculated: string): ServiceError => plain('BadDigest',
    'The Content-MD5 you specified did not match what we received.', 400, { ExpectedDigest: expected, CalculatedDigest: calculated }),
  badChecksum: (algorithm: string): ServiceError => plain('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`, 400),
  invalidDigest: (value: string): ServiceError => plain('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400, { 'Content-MD5': value }),
  keyTooLong: (size: number): ServiceError => plain('KeyTooLongError', 'Your key is too long', 400, { Size: size, MaxSizeAllowed: MAX_KEY_BYTES }),
  malformedXml: (): ServiceError => plain('MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema.', 400),
  invalidArgument: (message: string, name?: string, value?: string): ServiceError => plain('InvalidArgument', message, 400,
    name === undefined ? undefined : { ArgumentName: name, ArgumentValue: value }),
  invalidRequest: (message: string): ServiceError => plain('InvalidRequest', message, 400),
  malformedPolicy: (message: string): ServiceError => plain('MalformedPolicy', message, 400),
  noSuchBucketPolicy: (bucket: string): ServiceError => plain('NoSuchBucketPolicy', 'The bucket policy does not exist', 404, { BucketName: bucket }),
  noSuchPublicAccessBlock: (bucket: string): ServiceError => plain('NoSuchPublicAccessBlockConfiguration',
    'The public access block configuration was not found', 404, { BucketName: bucket }),
  noSuchTagSet: (bucket: string): ServiceError => plain('NoSuchTagSet', 'The TagSet does not exist', 404, { BucketName: bucket }),
  invalidTag: (message: string): ServiceError => plain('InvalidTag', message, 400),
  invalidLocationConstraint: (): ServiceError => plain('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400),
  illegalLocationConstraint: (constraint: string | undefined): ServiceError => plain('IllegalLocationConstraintException',
    `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`, 400),
  accessDenied: (message = 'Access Denied'): ServiceError => plain('AccessDenied', message, 403),
  /** Parameter values Vigil does not implement answer NotImplemented by name (DESIGN principle 1). */
  notImplemented: (what: string): ServiceError =>
    new ServiceError('NotImplemented', `${what} is not implemented by Vigil`, { httpStatus: 501, fault: 'server' }),
};

/**
 * Vault failures as S3 reports them: KMS errors as `KMS.<code>` with KMS's message (400), AccessDenied (403)
 * when the caller lacks the kms permission, and a body that does not match its Content-Length as IncompleteBody.
 * Anything else passes through unchanged.
 */
export function fromVaultError(err: unknown): unknown {
  if (err instanceof Error && err.name === 'ContentLengthMismatchError') {
    return plain('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.', 400);
  }
  if (!(err instanceof ServiceError)) return err;
  if (err.code === 'AccessDeniedException') return s3Errors.accessDenied(err.message);
  if (KMS_CODES.has(err.code)) return new ServiceError(`KMS.${err.code}`, err.message, { httpStatus: 400 });
  return err;
}

const KMS_CODES = new Set([
  'NotFoundException', 'DisabledException', 'KMSInvalidStateException', 'InvalidKeyUsageException', 'InvalidCiphertextException',
  'IncorrectKeyException', 'KeyUnavailableException', 'InvalidArnException', 'InvalidGrantTokenException', 'LimitExceededException',
  'ValidationException',
]);
