/**
 * Typed errors. Services throw these; only the protocol layer turns them into bytes.
 * `code` is the AWS error code (the modelled shape name, or the awsQueryError code).
 */
export type Fault = 'client' | 'server';

export class ServiceError extends Error {
  readonly code: string;
  readonly fault: Fault;
  readonly httpStatus: number;
  /** Extra modelled members of the error shape (e.g. OriginalStatusCode). */
  readonly extra: Record<string, unknown>;
  /** Response headers the error must carry (e.g. Retry-After). */
  readonly headers: Record<string, string>;
  /**
   * The modelled error shape, when it differs from `code`: query-compatible services send the shape name as the JSON
   * `__type` and the awsQueryError code in `x-amzn-query-error` (CloudWatch `DashboardNotFoundError` vs `ResourceNotFound`).
   */
  readonly shape?: string;

  constructor(
    code: string,
    message: string,
    opts: { httpStatus?: number; fault?: Fault; extra?: Record<string, unknown>; headers?: Record<string, string>; shape?: string } = {},
  ) {
    super(message);
    this.name = code;
    this.code = code;
    this.httpStatus = opts.httpStatus ?? 400;
    this.fault = opts.fault ?? (this.httpStatus >= 500 ? 'server' : 'client');
    this.extra = opts.extra ?? {};
    this.headers = opts.headers ?? {};
    this.shape = opts.shape;
  }
}

/** The family of a protocol decides which spelling of a common error AWS uses. */
export type ErrorFamily = 'json' | 'query' | 'rest-xml';

/** AWS's common errors, spelled per protocol family (JSON services say `…Exception`, query ones do not). */
export const CommonErrors = {
  accessDenied(message: string, family: ErrorFamily): ServiceError {
    // S3 (rest-xml) shares the query spelling here: AccessDenied, 403.
    return family === 'json'
      ? new ServiceError('AccessDeniedException', message, { httpStatus: 400 })
      : new ServiceError('AccessDenied', message, { httpStatus: 403 });
  },
  validation(message: string, family: ErrorFamily): ServiceError {
    if (family === 'rest-xml') return new ServiceError('InvalidArgument', message, { httpStatus: 400 });
    return family === 'json'
      ? new ServiceError('ValidationException', message, { httpStatus: 400 })
      : new ServiceError('ValidationError', message, { httpStatus: 400 });
  },
  missingAuthenticationToken(family: ErrorFamily): ServiceError {
    // S3 treats an unsigned request as anonymous: refused as plain AccessDenied.
    if (family === 'rest-xml') return new ServiceError('AccessDenied', 'Access Denied', { httpStatus: 403 });
    return new ServiceError(family === 'json' ? 'MissingAuthenticationTokenException' : 'MissingAuthenticationToken',
      'Missing Authentication Token', { httpStatus: family === 'json' ? 400 : 403 });
  },
  incompleteSignature(message: string, family: ErrorFamily): ServiceError {
    if (family === 'rest-xml') return new ServiceError('AuthorizationHeaderMalformed', message, { httpStatus: 400 });
    return new ServiceError(family === 'json' ? 'IncompleteSignatureException' : 'IncompleteSignature', message,
      { httpStatus: family === 'json' ? 400 : 403 });
  },
  invalidClientTokenId(family: ErrorFamily): ServiceError {
    if (family === 'rest-xml') {
      return new ServiceError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { httpStatus: 403 });
    }
    return family === 'json'
      ? new ServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.', { httpStatus: 400 })
      : new ServiceError('InvalidClientTokenId', 'The security token included in the request is invalid.', { httpStatus: 403 });
  },
  signatureDoesNotMatch(message: string, family: ErrorFamily): ServiceError {
    return family === 'json'
      ? new ServiceError('InvalidSignatureException', message, { httpStatus: 400 })
      : new ServiceError('SignatureDoesNotMatch', message, { httpStatus: 403 });
  },
  expiredToken(family: ErrorFamily): ServiceError {
    if (family === 'rest-xml') return new ServiceError('ExpiredToken', 'The provided token has expired.', { httpStatus: 400 });
    return new ServiceError(family === 'json' ? 'ExpiredTokenException' : 'ExpiredToken',
      'The security token included in the request is expired', { httpStatus: family === 'json' ? 400 : 403 });
  },
  throttling(family: ErrorFamily, retryAfterSeconds: number): ServiceError {
    if (family === 'rest-xml') {
      return new ServiceError('SlowDown', 'Please reduce your request rate.', { httpStatus: 503, headers: { 'retry-after': String(retryAfterSeconds) } });
    }
    return new ServiceError(family === 'json' ? 'ThrottlingException' : 'Throttling', 'Rate exceeded',
      { httpStatus: family === 'json' ? 400 : 429, headers: { 'retry-after': String(retryAfterSeconds) } });
  },
  notImplemented(service: string, operation: string): ServiceError {
    return new ServiceError('NotImplemented', `The operation ${operation} of service ${service} is not implemented by Vigil`,
      { httpStatus: 501, fault: 'server' });
  },
  unknownOperation(target: string): ServiceError {
    return new ServiceError('UnknownOperationException', `Unknown operation ${target}`, { httpStatus: 400 });
  },
  serialization(message: string, family: ErrorFamily): ServiceError {
    // S3 reports unreadable headers and query values as InvalidArgument (XML bodies: MalformedXML, in rest-xml.ts).
    if (family === 'rest-xml') return new ServiceError('InvalidArgument', message, { httpStatus: 400 });
    return family === 'json'
      ? new ServiceError('SerializationException', message, { httpStatus: 400 })
      : new ServiceError('MalformedQueryString', message, { httpStatus: 400 });
  },
  requestTooLarge(limit: number): ServiceError {
    return new ServiceError('RequestEntityTooLarge', `Request body exceeds the limit of ${limit} bytes`, { httpStatus: 413 });
  },
  internal(requestId: string): ServiceError {
    return new ServiceError('InternalFailure', `An internal error occurred (request id ${requestId})`, { httpStatus: 500, fault: 'server' });
  },
} as const;
