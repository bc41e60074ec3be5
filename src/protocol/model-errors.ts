import { ServiceError } from './errors.js';
import type { ServiceModel, StructureShape } from './schema.js';

/**
 * Builds the ServiceError for a modelled error shape, taking code and status from the model's error trait
 * (IAM's `NoSuchEntityException` shape is sent as code `NoSuchEntity`, HTTP 404).
 */
export function modelError(model: ServiceModel, shapeName: string, message: string, extra?: Record<string, unknown>): ServiceError {
  const shape = model.shapes[shapeName] as StructureShape | undefined;
  if (!shape || shape.type !== 'structure') throw new Error(`model has no error shape ${shapeName}`);
  const trait = shape.error ?? {};
  const httpStatus = trait.httpStatusCode ?? (shape.fault ? 500 : 400);
  return new ServiceError(trait.code ?? shapeName, message, {
    httpStatus,
    fault: trait.senderFault === false || shape.fault ? 'server' : 'client',
    extra,
  });
}
