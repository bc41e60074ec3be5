import { CommonErrors, ServiceError } from '../../protocol/errors.js';
import { modelError } from '../../protocol/model-errors.js';
import { model } from './model.js';

/** KMS's modelled errors, worded as AWS words them (messages from AWS responses recorded by LocalStack and moto). */
export const kmsErrors = {
  keyNotFound: (arn: string): ServiceError => modelError(model, 'NotFoundException', `Key '${arn}' does not exist`),
  aliasNotFound: (aliasArn: string): ServiceError => modelError(model, 'NotFoundException', `Alias ${aliasArn} is not found.`),
  invalidKeyId: (keyId: string): ServiceError => modelError(model, 'NotFoundException', `Invalid keyId '${keyId}'`),
  invalidArn: (arn: string): ServiceError => modelError(model, 'InvalidArnException', `Invalid arn ${arn}`),
  notFound: (message: string): ServiceError => modelError(model, 'NotFoundException', message),
  disabled: (arn: string): ServiceError => modelError(model, 'DisabledException', `${arn} is disabled.`),
  pendingDeletion: (arn: string): ServiceError => modelError(model, 'KMSInvalidStateException', `${arn} is pending deletion.`),
  invalidState: (message: string): ServiceError => modelError(model, 'KMSInvalidStateException', message),
  /** AWS says nothing more about a ciphertext it cannot use (wrong context, tampering, foreign blob). */
  invalidCiphertext: (): ServiceError => modelError(model, 'InvalidCiphertextException', ''),
  incorrectKey: (): ServiceError => modelError(model, 'IncorrectKeyException',
    'The key ID in the request does not identify a CMK that can perform this operation.'),
  invalidKeyUsage: (arn: string, usage: string, operation: string): ServiceError =>
    modelError(model, 'InvalidKeyUsageException', `${arn} key usage is ${usage} which is not valid for ${operation}.`),
  invalidKeyUsageMessage: (message: string): ServiceError => modelError(model, 'InvalidKeyUsageException', message),
  invalidMac: (): ServiceError => modelError(model, 'KMSInvalidMacException', ''),
  alreadyExists: (message: string): ServiceError => modelError(model, 'AlreadyExistsException', message),
  malformedPolicy: (message: string): ServiceError => modelError(model, 'MalformedPolicyDocumentException', message),
  limitExceeded: (message: string): ServiceError => modelError(model, 'LimitExceededException', message),
  unsupported: (message: string): ServiceError => modelError(model, 'UnsupportedOperationException', message),
  tag: (message: string): ServiceError => modelError(model, 'TagException', message),
  invalidGrantId: (): ServiceError => modelError(model, 'InvalidGrantIdException', 'Grant ID not valid'),
  invalidGrantToken: (): ServiceError => modelError(model, 'InvalidGrantTokenException', 'Grant token not valid'),
  invalidMarker: (): ServiceError => modelError(model, 'InvalidMarkerException', 'Invalid marker'),
  validation: (message: string): ServiceError => CommonErrors.validation(message, 'json'),
  /**
   * `alias/aws/` belongs to AWS managed keys. The code is not in KMS's model (AWS sends it anyway, as moto
   * records), so it is built by hand.
   */
  reservedAlias: (): ServiceError => new ServiceError('NotAuthorizedException',
    'The alias/aws/ prefix is reserved for AWS managed keys.', { httpStatus: 400 }),
  /** Parameter values Vigil does not implement answer NotImplemented by name (DESIGN principle 1). */
  notImplemented: (what: string): ServiceError =>
    new ServiceError('NotImplemented', `${what} is not implemented by Vigil`, { httpStatus: 501, fault: 'server' }),
};
