import { modelError } from '../../protocol/model-errors.js';
import { ServiceError } from '../../protocol/errors.js';
import { model } from './api.generated.js';

/** SageMaker Runtime's errors, spelled as its clients expect them. */
export const runtimeErrors = {
  endpointNotFound: (name: string, accountId: string): ServiceError =>
    modelError(model, 'ValidationError', `Endpoint ${name} of account ${accountId} not found.`),
  variantNotFound: (variant: string, endpoint: string): ServiceError =>
    modelError(model, 'ValidationError', `Variant ${variant} not found for endpoint ${endpoint}.`),
  noTrafficVariant: (endpoint: string): ServiceError =>
    modelError(model, 'ValidationError', `Endpoint ${endpoint} has no production variant with a positive weight; use TargetVariant.`),
  targetModel: (): ServiceError =>
    new ServiceError('NotImplemented', 'TargetModel (multi-model endpoints) is not implemented by Vigil.', { httpStatus: 501 }),
  targetContainer: (): ServiceError =>
    new ServiceError('NotImplemented', 'TargetContainerHostname (multi-container direct invocation) is not implemented by Vigil.', { httpStatus: 501 }),
  explanations: (): ServiceError =>
    new ServiceError('NotImplemented', 'EnableExplanations (SageMaker Clarify online explainability) is not implemented by Vigil.', { httpStatus: 501 }),
};
