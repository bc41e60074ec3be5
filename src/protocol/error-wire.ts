/**
 * What every protocol needs to put an error or a response on the wire: which code to print where, the request id
 * header, and the modelled extra members. The byte formats themselves stay in each protocol class.
 */
import type { ServiceError } from './errors.js';
import { findErrorShape } from './model-errors.js';
import { writeStructure } from './shape-walk.js';
import type { ServiceModel, StructureShape } from './schema.js';
import type { HttpResponse } from './types.js';

/**
 * JSON-family spellings of the common errors mapped to their query spellings, for `x-amzn-query-error` on
 * query-compatible services (CloudWatch over JSON/CBOR must report `ValidationError`, as it does over query).
 */
const QUERY_SPELLING: Record<string, string> = {
  AccessDeniedException: 'AccessDenied',
  ValidationException: 'ValidationError',
  MissingAuthenticationTokenException: 'MissingAuthenticationToken',
  IncompleteSignatureException: 'IncompleteSignature',
  UnrecognizedClientException: 'InvalidClientTokenId',
  InvalidSignatureException: 'SignatureDoesNotMatch',
  ExpiredTokenException: 'ExpiredToken',
  ThrottlingException: 'Throttling',
  SerializationException: 'MalformedQueryString',
  UnknownOperationException: 'InvalidAction',
};

function errorShape(model: ServiceModel | undefined, name: string | undefined): StructureShape | undefined {
  const shape = name ? model?.shapes[name] : undefined;
  return shape?.type === 'structure' ? shape : undefined;
}

/** The modelled shape name behind an error, used as JSON/CBOR `__type` (falls back to the code). */
export function errorTypeName(err: ServiceError, model: ServiceModel | undefined): string {
  if (err.shape) return err.shape;
  return (model && findErrorShape(model, err.code)) ?? err.code;
}

/** The code a query client sees: the shape's awsQueryError code when the error was raised by shape name. */
export function queryErrorCode(err: ServiceError, model: ServiceModel | undefined): string {
  const shape = errorShape(model, err.shape ?? err.code);
  return shape?.error?.code ?? QUERY_SPELLING[err.code] ?? err.code;
}

export function senderOrReceiver(err: ServiceError): 'Sender' | 'Receiver' {
  return err.fault === 'server' ? 'Receiver' : 'Sender';
}

/** `x-amzn-query-error: <Code>;<Sender|Receiver>`, read by SDKs of awsQueryCompatible services. */
export function queryCompatHeader(err: ServiceError, model: ServiceModel | undefined): string {
  return `${queryErrorCode(err, model)};${senderOrReceiver(err)}`;
}

/** The error shape's message member name: SageMaker models spell it `Message`, most others `message`. */
export function messageKey(err: ServiceError, model: ServiceModel | undefined): string {
  const shape = errorShape(model, errorTypeName(err, model));
  return shape && 'Message' in shape.members && !('message' in shape.members) ? 'Message' : 'message';
}

/** Headers every response carries, plus the error's own (Retry-After…). */
export function baseHeaders(requestId: string, contentType: string, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(extra)) setHeader(headers, k, v);
  setHeader(headers, 'x-amzn-RequestId', requestId);
  setHeader(headers, 'Content-Type', contentType);
  return headers;
}

/** Case-insensitive set: a model's `Content-Type` header member must replace ours, not sit beside it. */
export function setHeader(headers: Record<string, string>, name: string, value: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) delete headers[key];
  headers[name] = value;
}

export function response(status: number, headers: Record<string, string>, body: Buffer | string): HttpResponse {
  return { status, headers, body };
}

/**
 * The error body of the JSON-shaped protocols (awsJson, restJson, CBOR): `__type`, the message, and the modelled
 * extra members (ModelError's OriginalStatusCode…) written through the error shape.
 */
export function errorDocument(err: ServiceError, model: ServiceModel | undefined, format: 'json' | 'cbor'): Record<string, unknown> {
  const type = errorTypeName(err, model);
  const extra = model && errorShape(model, type)
    ? writeStructure({ model, format }, type, err.extra)
    : { ...err.extra };
  return { ...extra, __type: type, [messageKey(err, model)]: err.message };
}
