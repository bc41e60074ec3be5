import { CommonErrors, type ServiceError } from '../../protocol/errors.js';
import { modelError } from '../../protocol/model-errors.js';
import { model } from './api.generated.js';

export const stsErrors = {
  malformed: (message: string): ServiceError => modelError(model, 'MalformedPolicyDocumentException', message),
  packedPolicyTooLarge: (message: string): ServiceError => modelError(model, 'PackedPolicyTooLargeException', message),
  validation: (message: string): ServiceError => CommonErrors.validation(message, 'query'),
  accessDenied: (message: string): ServiceError => CommonErrors.accessDenied(message, 'query'),
};

/** AWS's wording for a constraint failure on one member (`member` spelled in lowerCamelCase as AWS does). */
export function constraintError(value: unknown, member: string, constraint: string): ServiceError {
  return stsErrors.validation(`1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: Member must ${constraint}`);
}
