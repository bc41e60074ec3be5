/**
 * AWS JSON 1.0 / 1.1 (KMS, SageMaker, CloudWatch's JSON path): `POST /`, operation in `X-Amz-Target`, the input
 * structure as a JSON body. https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
 */
import type { ServiceError } from './errors.js';
import { baseHeaders, errorDocument, errorTypeName, queryCompatHeader, response, setHeader } from './error-wire.js';
import type { OperationModel, ServiceModel } from './schema.js';
import { readStructure, serialization, writeStructure } from './shape-walk.js';
import type { EncodeContext, HttpRequest, HttpResponse, Protocol, ProtocolName } from './types.js';

export type JsonVersion = '1.0' | '1.1';

export class AwsJsonProtocol implements Protocol {
  readonly name: ProtocolName;
  readonly errorFamily = 'json' as const;
  private readonly contentType: string;

  constructor(readonly version: JsonVersion) {
    this.name = version === '1.0' ? 'awsJson1_0' : 'awsJson1_1';
    this.contentType = `application/x-amz-json-${version}`;
  }

  /** `X-Amz-Target: <prefix>.<Op>`; the prefix may itself hold dots (CloudTrail's long form), so split at the last. */
  operationName(req: HttpRequest): string | undefined {
    const target = req.headers['x-amz-target'];
    const dot = target ? target.lastIndexOf('.') : -1;
    return target && dot >= 0 && dot < target.length - 1 ? target.slice(dot + 1) : undefined;
  }

  decode(req: HttpRequest, model: ServiceModel, op: OperationModel): Record<string, unknown> {
    const body = parseJsonBody(req.body);
    if (!op.input) return {};
    return readStructure({ model, format: 'json', family: this.errorFamily }, op.input.shape, body);
  }

  encode(output: Record<string, unknown> | undefined, ctx: EncodeContext): HttpResponse {
    const shape = ctx.operation.output?.shape;
    const doc = shape ? writeStructure({ model: ctx.model, format: 'json' }, shape, output) : {};
    return response(200, baseHeaders(ctx.requestId, this.contentType), JSON.stringify(doc));
  }

  encodeError(err: ServiceError, ctx: Parameters<Protocol['encodeError']>[1]): HttpResponse {
    const headers = baseHeaders(ctx.requestId, this.contentType, err.headers);
    setHeader(headers, 'X-Amzn-ErrorType', errorTypeName(err, ctx.model));
    if (ctx.queryCompatible) setHeader(headers, 'x-amzn-query-error', queryCompatHeader(err, ctx.model));
    return response(err.httpStatus, headers, JSON.stringify(errorDocument(err, ctx.model, 'json')));
  }
}

/** JSON body → object; empty body is `{}`, anything but an object is a SerializationException. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    // V8 also throws RangeError for absurd nesting; either way the client sent something we cannot read.
    throw serialization({ family: 'json' }, `Malformed JSON body: ${(e as Error).message.slice(0, 200)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw serialization({ family: 'json' }, 'The request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}
