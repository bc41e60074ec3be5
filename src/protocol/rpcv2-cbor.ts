/**
 * Smithy RPC v2 CBOR (CloudWatch from newer SDKs): `POST /service/<Service>/operation/<Op>`, CBOR bodies, timestamps
 * as tag 1. Responses must carry `smithy-protocol: rpc-v2-cbor` or the Go SDK rejects them.
 * https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html
 */
import { Decoder, Encoder } from 'cbor-x';
import type { ServiceError } from './errors.js';
import { baseHeaders, errorDocument, queryCompatHeader, response, setHeader } from './error-wire.js';
import type { OperationModel, ServiceModel } from './schema.js';
import { readStructure, serialization, writeStructure } from './shape-walk.js';
import type { EncodeContext, HttpRequest, HttpResponse, Protocol } from './types.js';

const OPERATION_PATH = /\/service\/[^/]+\/operation\/([^/?]+)$/;
const CONTENT_TYPE = 'application/cbor';

// Plain CBOR only: no cbor-x record extension (a private tag), and byte strings untagged (cbor-x tags typed arrays).
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });
const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true });

export class RpcV2CborProtocol implements Protocol {
  readonly name = 'rpcv2Cbor' as const;
  readonly errorFamily = 'json' as const;

  operationName(req: HttpRequest): string | undefined {
    const m = OPERATION_PATH.exec(req.path);
    if (!m) return undefined;
    try {
      return decodeURIComponent(m[1]);
    } catch {
      return undefined;
    }
  }

  decode(req: HttpRequest, model: ServiceModel, op: OperationModel): Record<string, unknown> {
    const body = decodeCbor(req.body);
    if (!op.input) return {};
    return readStructure({ model, format: 'cbor', family: this.errorFamily }, op.input.shape, body);
  }

  encode(output: Record<string, unknown> | undefined, ctx: EncodeContext): HttpResponse {
    const shape = ctx.operation.output?.shape;
    const doc = shape ? writeStructure({ model: ctx.model, format: 'cbor' }, shape, output) : {};
    return response(200, cborHeaders(ctx.requestId), Buffer.from(encoder.encode(doc)));
  }

  encodeError(err: ServiceError, ctx: Parameters<Protocol['encodeError']>[1]): HttpResponse {
    const headers = cborHeaders(ctx.requestId, err.headers);
    if (ctx.queryCompatible) setHeader(headers, 'x-amzn-query-error', queryCompatHeader(err, ctx.model));
    const body = Buffer.from(encoder.encode(errorDocument(err, ctx.model, 'cbor')));
    return response(err.httpStatus, headers, body);
  }
}

function cborHeaders(requestId: string, extra?: Record<string, string>): Record<string, string> {
  const headers = baseHeaders(requestId, CONTENT_TYPE, extra);
  setHeader(headers, 'smithy-protocol', 'rpc-v2-cbor');
  return headers;
}

/** CBOR body → map; empty body is `{}`. Any decoder failure (truncation, absurd lengths, nesting) is a client error. */
export function decodeCbor(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = decoder.decode(body);
  } catch (e) {
    throw serialization({ family: 'json' }, `Malformed CBOR body: ${(e as Error).message.slice(0, 200)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array || value instanceof Date) {
    throw serialization({ family: 'json' }, 'The request body must be a CBOR map');
  }
  return value as Record<string, unknown>;
}

/** For tests and internal callers that speak CBOR to us. */
export function encodeCbor(value: unknown): Buffer {
  return Buffer.from(encoder.encode(value));
}
