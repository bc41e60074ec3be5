import { CommonErrors, ServiceError } from '../../protocol/errors.js';
import { modelError } from '../../protocol/model-errors.js';
import { model } from './model.js';

/**
 * SageMaker's errors as it sends them. Most "not found" and "already exists" cases are ValidationException with the
 * resource ARN quoted (`Could not find model "arn:…".`), not ResourceNotFound: the control-plane operations of this
 * family model no errors beyond ResourceLimitExceeded, and AWS answers them this way.
 */
export const smErrors = {
  validation: (message: string): ServiceError => CommonErrors.validation(message, 'json'),
  notFound: (noun: string, arn: string): ServiceError => CommonErrors.validation(`Could not find ${noun} "${arn}".`, 'json'),
  alreadyExists: (noun: string, arn: string): ServiceError =>
    CommonErrors.validation(`Cannot create already existing ${noun} "${arn}".`, 'json'),
  resourceNotFound: (message: string): ServiceError => modelError(model, 'ResourceNotFound', message),
  resourceInUse: (message: string): ServiceError => modelError(model, 'ResourceInUse', message),
  limitExceeded: (message: string): ServiceError => modelError(model, 'ResourceLimitExceeded', message),
  accessDenied: (message: string): ServiceError => CommonErrors.accessDenied(message, 'json'),
  /** Parameter values Vigil does not implement answer NotImplemented by name (DESIGN principle 1). */
  notImplemented: (what: string): ServiceError =>
    new ServiceError('NotImplemented', `${what} is not implemented by Vigil`, { httpStatus: 501, fault: 'server' }),
};
