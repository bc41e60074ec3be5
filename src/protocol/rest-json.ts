/**
 * restJson1 (SageMaker Runtime): members bound to the URI, headers, query string or a payload; the rest as a JSON
 * body. https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html
 */
import { parseJsonBody } from './aws-json.js';
import type { ServiceError } from './errors.js';
import { baseHeaders, errorDocument, errorTypeName, response, setHeader } from './error-wire.js';
import { writeBound } from './bound-output.js';
import { decodeOrThrow, labelsFor, matchRoute, parseQueryMulti } from './http-binding.js';
import { decodeBase64, setKey } from './scalars.js';
import type { Member, OperationModel, ServiceModel, StructureShape } from './schema.js';
import {
  readScalar, readShape, readStructure, serialization, shapeOf, writeShape, writeStructure, type ReadOptions,
} from './shape-walk.js';
import type { EncodeContext, HttpRequest, HttpResponse, Protocol } from './types.js';

export class RestJsonProtocol implements Protocol {
  readonly name = 'restJson1' as const;
  readonly errorFamily = 'json' as const;

  operationName(req: HttpRequest, model: ServiceModel): string | undefined {
    return matchRoute(model, req.method, req.path, req.rawQuery)?.op.name;
  }

  decode(req: HttpRequest, model: ServiceModel, op: OperationModel): Record<string, unknown> {
    if (!op.input) return {};
    const shape = shapeOf(model, op.input.shape) as StructureShape;
    const opts: ReadOptions = { model, format: 'json', family: this.errorFamily };
    const input = shape.payload ? {} : readStructure(opts, op.input.shape, parseJsonBody(req.body));
    if (shape.payload) {
      const value = readPayload(opts, shape.members[shape.payload], req.body);
      if (value !== undefined) input[shape.payload] = value;
    }
    const bound = new BoundReader({ ...opts, format: 'text' }, req, labelsFor(model, op, req.path) ?? {});
    for (const [name, member] of Object.entries(shape.members)) {
      const value = member.location ? bound.read(name, member) : undefined;
      if (value !== undefined) input[name] = value;
    }
    return input;
  }

  encode(output: Record<string, unknown> | undefined, ctx: EncodeContext): HttpResponse {
    const op = ctx.operation;
    const headers = baseHeaders(ctx.requestId, 'application/json');
    let status = op.http.responseCode ?? 200;
    let body: Buffer | string = '{}';
    const shape = op.output ? (shapeOf(ctx.model, op.output.shape) as StructureShape) : undefined;
    if (shape && op.output) {
      body = shape.payload
        ? writePayload(ctx.model, shape.members[shape.payload], output?.[shape.payload], headers)
        : JSON.stringify(writeStructure({ model: ctx.model, format: 'json' }, op.output.shape, output));
      status = writeBound(ctx.model, shape, output ?? {}, headers) ?? status;
    }
    return response(status, headers, body);
  }

  encodeError(err: ServiceError, ctx: Parameters<Protocol['encodeError']>[1]): HttpResponse {
    const headers = baseHeaders(ctx.requestId, 'application/json', err.headers);
    setHeader(headers, 'X-Amzn-ErrorType', errorTypeName(err, ctx.model));
    return response(err.httpStatus, headers, JSON.stringify(errorDocument(err, ctx.model, 'json')));
  }
}

function readPayload(opts: ReadOptions, member: Member, body: Buffer): unknown {
  const shape = shapeOf(opts.model, member.shape);
  // An absent body is an absent payload, so a required Body fails validation as AWS reports it.
  if (shape.type === 'blob') return body.length ? body : undefined;
  if (shape.type === 'string') return body.length ? body.toString('utf8') : undefined;
  return readShape(opts, member, parseJsonBody(body), '', 0);
}

/** Reads members bound to labels, headers and the query string; all arrive as text. */
class BoundReader {
  private query?: Map<string, string[]>;

  constructor(private readonly opts: ReadOptions, private readonly req: HttpRequest, private readonly labels: Record<string, string>) {}

  read(name: string, member: Member): unknown {
    const wire = member.locationName ?? name;
    switch (member.location) {
      case 'uri': return this.scalar(member, this.labels[wire] === undefined ? undefined : decodeOrThrow(this.labels[wire], 'json'), name);
      case 'header': return this.header(member, this.req.headers[wire.toLowerCase()], name);
      case 'headers': return this.prefixHeaders(member, wire.toLowerCase());
      case 'querystring': return this.queryString(member, wire, name);
      default: return undefined;
    }
  }

  private scalar(member: Member, text: string | undefined, path: string): unknown {
    return text === undefined ? undefined : readScalar(this.opts, shapeOf(this.opts.model, member.shape), text, path);
  }

  private header(member: Member, text: string | undefined, path: string): unknown {
    if (text === undefined) return undefined;
    const shape = shapeOf(this.opts.model, member.shape);
    if (shape.type === 'list') {
      return text.split(',').map((part) => this.scalar(shape.member, part.trim(), path));
    }
    if (member.jsonvalue) {
      // jsonvalue headers carry base64 of a JSON document; we hand the provider the JSON text.
      const bytes = decodeBase64(text);
      if (!bytes) throw serialization(this.opts, `Header ${path} is not valid base64`);
      return Buffer.from(bytes).toString('utf8');
    }
    return this.scalar(member, text, path);
  }

  private prefixHeaders(member: Member, prefix: string): Record<string, unknown> | undefined {
    const shape = shapeOf(this.opts.model, member.shape);
    if (shape.type !== 'map') return undefined;
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(this.req.headers)) {
      if (name.startsWith(prefix)) setKey(out, name.slice(prefix.length), this.scalar(shape.value, value, name));
    }
    return Object.keys(out).length ? out : undefined;
  }

  private queryString(member: Member, wire: string, path: string): unknown {
    this.query ??= parseQueryMulti(this.req.rawQuery, 'json');
    const shape = shapeOf(this.opts.model, member.shape);
    if (shape.type === 'map') {
      // A map bound to the query string takes every parameter (httpQueryParams).
      const out: Record<string, unknown> = {};
      for (const [k, values] of this.query) setKey(out, k, this.scalar(shape.value, values[0], k));
      return out;
    }
    const values = this.query.get(wire);
    if (!values) return undefined;
    if (shape.type === 'list') return values.map((v) => this.scalar(shape.member, v, path));
    return this.scalar(member, values[0], path);
  }
}

function writePayload(model: ServiceModel, member: Member, value: unknown, headers: Record<string, string>): Buffer | string {
  const shape = shapeOf(model, member.shape);
  if (shape.type === 'blob' || shape.type === 'string') {
    if (shape.type === 'blob') setHeader(headers, 'Content-Type', 'application/octet-stream');
    else setHeader(headers, 'Content-Type', 'text/plain');
    if (value === undefined || value === null) return '';
    if (typeof value === 'string' || Buffer.isBuffer(value)) return value;
    // A view, not a copy: inference responses are on the hot path.
    const bytes = value as Uint8Array;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  const doc = writeShape({ model, format: 'json' }, member, value, 0);
  return doc === undefined ? '' : JSON.stringify(doc);
}

