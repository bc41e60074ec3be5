import { modelError } from '../../protocol/model-errors.js';
import type { ServiceError } from '../../protocol/errors.js';
import { model } from './api.generated.js';
import type { EntityType } from './store.js';

/** IAM's modelled errors, with AWS's wording for the common cases. */
export const iamErrors = {
  noSuchEntity: (message: string): ServiceError => modelError(model, 'NoSuchEntityException', message),
  alreadyExists: (message: string): ServiceError => modelError(model, 'EntityAlreadyExistsException', message),
  deleteConflict: (message: string): ServiceError => modelError(model, 'DeleteConflictException', message),
  limitExceeded: (message: string): ServiceError => modelError(model, 'LimitExceededException', message),
  malformed: (message: string): ServiceError => modelError(model, 'MalformedPolicyDocumentException', message),
  invalidInput: (message: string): ServiceError => modelError(model, 'InvalidInputException', message),
  notAttachable: (message: string): ServiceError => modelError(model, 'PolicyNotAttachableException', message),
  concurrentModification: (): ServiceError => modelError(model, 'ConcurrentModificationException',
    'The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.'),

  noSuchEntityNamed: (type: EntityType, name: string): ServiceError =>
    modelError(model, 'NoSuchEntityException', `The ${type} with name ${name} cannot be found.`),
  entityExists: (type: EntityType, name: string): ServiceError =>
    modelError(model, 'EntityAlreadyExistsException', `${capitalize(type)} with name ${name} already exists.`),
};

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
