import type { Readable } from 'node:stream';
import type { ServiceError, ErrorFamily } from './errors.js';
import type { OperationModel, ServiceModel } from './schema.js';

/** A fully buffered HTTP request as the gateway sees it (bodies are size-limited before this point). */
export interface HttpRequest {
  method: string;
  /** Raw path as sent on the wire, without the query string (still percent-encoded). */
  path: string;
  /** Raw query string without the leading `?` ('' when absent). */
  rawQuery: string;
  /** Lower-cased header names; repeated headers joined with ',' as SigV4 expects. */
  headers: Record<string, string>;
  /**
   * The buffered body. Empty for operations whose input payload streams (S3 PutObject, UploadPart): those
   * read `stream` instead, exactly once.
   */
  body: Buffer;
  /** The raw request body for streaming operations (never buffered by the gateway). */
  stream?: Readable;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** A Readable streams the payload (S3 GetObject); set content-length in headers when it is known. */
  body: Buffer | string | Readable;
}

export type ProtocolName = 'awsJson1_0' | 'awsJson1_1' | 'awsQuery' | 'restJson1' | 'restXml' | 'rpcv2Cbor';

/** What the encoder needs to know about the call beyond the output itself. */
export interface EncodeContext {
  requestId: string;
  model: ServiceModel;
  operation: OperationModel;
  /** True when a JSON client asked for query-compatible errors (`x-amzn-query-mode: true`). */
  queryCompatible?: boolean;
}

/**
 * One wire protocol: bytes in → typed input; typed output or ServiceError → bytes out.
 * Services never see which protocol carried the call.
 */
export interface Protocol {
  readonly name: ProtocolName;
  /** Which spelling AWS uses for common errors on this protocol. */
  readonly errorFamily: ErrorFamily;
  /**
   * Operation name this request carries, or undefined when it cannot be told (the router then answers
   * a framework error). For awsJson it is the X-Amz-Target suffix, for awsQuery the Action parameter, etc.
   */
  operationName(req: HttpRequest, model: ServiceModel): string | undefined;
  /** Decode the request into the operation's input object. Throws ServiceError (SerializationException…) on bad bytes. */
  decode(req: HttpRequest, model: ServiceModel, op: OperationModel): Record<string, unknown>;
  encode(output: Record<string, unknown> | undefined, ctx: EncodeContext): HttpResponse;
  encodeError(err: ServiceError, ctx: Omit<EncodeContext, 'operation' | 'model'> & { model?: ServiceModel; operation?: OperationModel }): HttpResponse;
}
