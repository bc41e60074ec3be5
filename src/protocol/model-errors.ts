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
    shape: shapeName,
  });
}

const errorCodeIndex = new WeakMap<ServiceModel, Map<string, string>>();

/**
 * The modelled error shape an error code stands for: the shape itself when named so, else the shape whose awsQueryError
 * trait carries the code (IAM `NoSuchEntity` → `NoSuchEntityException`). Undefined for unmodelled (common) errors.
 */
export function findErrorShape(model: ServiceModel, code: string): string | undefined {
  const direct = model.shapes[code];
  if (direct?.type === 'structure' && direct.exception) return code;
  let index = errorCodeIndex.get(model);
  if (!index) {
    index = new Map();
    for (const [name, shape] of Object.entries(model.shapes)) {
      if (shape.type === 'structure' && shape.exception && shape.error?.code && !index.has(shape.error.code)) {
        index.set(shape.error.code, name);
      }
    }
    errorCodeIndex.set(model, index);
  }
  return index.get(code);
}

