import { ServiceError } from '../../protocol/errors.js';

/**
 * The errors a model runtime raises, spelled as SageMaker Runtime spells them. The in-process ONNX runtime uses the
 * same ModelError shape as a container answering 4xx, so clients cannot tell (and need not care) which one served.
 */

/** Longest container message Vigil repeats back; a server may answer an error with a whole HTML page or trace. */
const MAX_ORIGINAL_MESSAGE = 2048;

export function truncateMessage(text: string): string {
  return text.length <= MAX_ORIGINAL_MESSAGE ? text : `${text.slice(0, MAX_ORIGINAL_MESSAGE)}… (truncated)`;
}

/**
 * A container (or the ONNX runtime acting as one) answered with a non-2xx status. `container` is the name AWS
 * prints: `primary` for a single-container model, the container's position in an inference pipeline otherwise.
 */
export function modelError(container: string, status: number, originalMessage: string): ServiceError {
  const original = truncateMessage(originalMessage);
  const kind = status >= 400 && status < 500 ? 'client' : 'server';
  return new ServiceError('ModelError', `Received ${kind} error (${status}) from ${container} with message "${original}".`, {
    httpStatus: 424,
    extra: { OriginalStatusCode: status, OriginalMessage: original },
  });
}

/** AWS reports a container that did not answer within 60 s as a server error with status 0, in these words. */
export function modelTimeout(container: string, timeoutMs: number): ServiceError {
  const original = `Your invocation timed out while waiting for a response from container ${container} (${Math.round(timeoutMs / 1000)} s). ` +
    'Review the latency of the model, resolve the issue, and try again.';
  return new ServiceError('ModelError', `Received server error (0) from ${container} with message "${original}".`, {
    httpStatus: 424,
    extra: { OriginalStatusCode: 0, OriginalMessage: original },
  });
}

export function modelNotReady(label: string, why: string): ServiceError {
  return new ServiceError('ModelNotReadyException', `The model of ${label} is not ready to serve requests: ${why}. Retry the request later.`, {
    httpStatus: 429,
  });
}

export function serviceUnavailable(detail: string): ServiceError {
  return new ServiceError('ServiceUnavailable', `The service is unavailable. Try your call again. (${detail})`, {
    httpStatus: 503,
    fault: 'server',
  });
}

/** The variant part of a `endpoint/variant` load label, for AWS's FailureReason wording. */
export function variantOf(label: string): string {
  const slash = label.lastIndexOf('/');
  return slash < 0 ? label : label.slice(slash + 1);
}
