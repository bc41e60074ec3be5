/**
 * restXml (S3): members bound to the URI, headers and query string; the payload is an XML document, a raw
 * blob/string, or a stream. Responses carry S3's `x-amz-request-id` / `x-amz-id-2`, XML documents in S3's namespace,
 * and errors as S3's bare `<Error>` document. https://smithy.io/2.0/aws/protocols/aws-restxml-protocol.html
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ServiceError } from './errors.js';
import { writeBound } from './bound-output.js';
import { readBound } from './rest-xml-bound.js';
import { matchXmlRoute, xmlLabelsFor } from './rest-xml-route.js';
import { s3Error, toS3WireError } from './s3-errors.js';
import { toBytes } from './scalars.js';
import type { Member, OperationModel, ServiceModel, StructureShape } from './schema.js';
import { readShape, scalarText, shapeOf, type ReadOptions } from './shape-walk.js';
import { streamingPayload } from './streaming.js';
import type { EncodeContext, HttpRequest, HttpResponse, Protocol } from './types.js';
import { element, escapeXml, writeXmlMembers } from './xml-writer.js';
import { localName, parseXml, xmlToTree, XmlSyntaxError } from './xml-read.js';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export class RestXmlProtocol implements Protocol {
  readonly name = 'restXml' as const;
  readonly errorFamily = 'rest-xml' as const;

  operationName(req: HttpRequest, model: ServiceModel): string | undefined {
    return matchXmlRoute(model, req)?.op.name;
  }

  decode(req: HttpRequest, model: ServiceModel, op: OperationModel): Record<string, unknown> {
    if (!op.input) return {};
    const shape = shapeOf(model, op.input.shape) as StructureShape;
    const opts: ReadOptions = { model, format: 'text', family: this.errorFamily };
    const input = readBound(opts, shape, req, xmlLabelsFor(model, op, req));
    if (shape.payload) {
      const member = shape.members[shape.payload];
      const value = readPayload(opts, shape.payload, member, req);
      if (value !== undefined) input[shape.payload] = value;
      // S3 answers a missing required XML document (DeleteObjects without a body) as MalformedXML, not a validation error.
      else if (shape.required?.includes(shape.payload) && shapeOf(model, member.shape).type === 'structure') throw s3Error('MalformedXML');
    } else if (hasBodyMembers(shape) && req.body.length) {
      // No payload member: the body members sit directly under the operation's input root (not used by S3).
      const root = op.input.locationName ?? op.input.shape;
      Object.assign(input, readXmlDocument(opts, { shape: op.input.shape }, root, req.body));
    }
    return input;
  }

  encode(output: Record<string, unknown> | undefined, ctx: EncodeContext): HttpResponse {
    const { model, operation: op } = ctx;
    const headers = s3Headers(ctx.requestId);
    let status = op.http.responseCode ?? 200;
    let body: Buffer | string | Readable = '';
    if (op.output) {
      const shape = shapeOf(model, op.output.shape) as StructureShape;
      const value = output ?? {};
      status = writeBound(model, shape, value, headers) ?? status;
      if (shape.payload) {
        body = writePayload(model, shape.payload, shape.members[shape.payload], value[shape.payload], headers);
        // A ranged GetObject is 206 Partial Content; the model has no status member for it, Content-Range says it.
        if (streamingPayload(model, op.output.shape) && hasHeader(headers, 'content-range') && status === 200) status = 206;
      } else if (hasBodyMembers(shape)) {
        body = xmlDocument(model, shape.locationName ?? op.output.shape, namespaceOf(model, shape), op.output.shape, value);
        setDefaultHeader(headers, 'Content-Type', 'application/xml');
      }
    }
    return { status, headers, body };
  }

  encodeError(err: ServiceError, ctx: Parameters<Protocol['encodeError']>[1]): HttpResponse {
    const e = toS3WireError(err);
    const headers = s3Headers(ctx.requestId, e.headers);
    // HEAD responses and 304 Not Modified carry no body; S3 clients read the status (and x-amz-request-id) alone.
    if (ctx.operation?.http.method === 'HEAD' || e.httpStatus === 304) return { status: e.httpStatus, headers, body: '' };
    headers['Content-Type'] = 'application/xml';
    const fields = element('Code', escapeXml(e.code)) + element('Message', escapeXml(e.message)) + extraElements(e.extra)
      + element('RequestId', escapeXml(ctx.requestId)) + element('HostId', escapeXml(hostId(ctx.requestId)));
    return { status: e.httpStatus, headers, body: `${XML_DECLARATION}${element('Error', fields)}` };
  }
}

/** The two request ids every S3 response carries; x-amz-id-2 is derived so one request id names both. */
function s3Headers(requestId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, 'x-amz-request-id': requestId, 'x-amz-id-2': hostId(requestId) };
}

function hostId(requestId: string): string {
  return createHash('sha256').update(`vigil-host-id:${requestId}`).digest('base64');
}

function hasBodyMembers(shape: StructureShape): boolean {
  return Object.values(shape.members).some((m) => !m.location);
}

function hasHeader(headers: Record<string, string>, lower: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === lower);
}

function setDefaultHeader(headers: Record<string, string>, name: string, value: string): void {
  if (!hasHeader(headers, name.toLowerCase())) headers[name] = value;
}

function readPayload(opts: ReadOptions, name: string, member: Member, req: HttpRequest): unknown {
  const shape = shapeOf(opts.model, member.shape);
  if (shape.type === 'blob' && shape.streaming) {
    // The gateway hands streaming operations the raw (or aws-chunked-decoded) stream; buffered callers get one too.
    return req.stream ?? Readable.from(req.body.length ? [req.body] : [], { objectMode: false });
  }
  // An absent body is an absent payload, so a required payload fails validation as AWS reports it.
  if (!req.body.length) return undefined;
  if (shape.type === 'blob') return req.body;
  if (shape.type === 'string') return req.body.toString('utf8');
  return readXmlDocument(opts, member, member.locationName ?? name, req.body);
}

/** Parses an XML body whose root must be `rootName`, typed through the shape; any failure is MalformedXML. */
function readXmlDocument(opts: ReadOptions, ref: Pick<Member, 'shape'>, rootName: string, body: Buffer): Record<string, unknown> {
  try {
    const root = parseXml(body);
    if (localName(root.name) !== localName(rootName)) throw new XmlSyntaxError(`Expected root element ${rootName}`);
    const tree = xmlToTree(opts.model, ref, root);
    return (readShape(opts, ref, tree, '', 0) ?? {}) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof XmlSyntaxError || err instanceof ServiceError) throw s3Error('MalformedXML');
    throw err;
  }
}

function writePayload(model: ServiceModel, name: string, member: Member, value: unknown, headers: Record<string, string>): Buffer | string | Readable {
  const shape = shapeOf(model, member.shape);
  if (shape.type === 'blob' || shape.type === 'string') {
    if (value === undefined || value === null) return '';
    if (shape.type === 'blob') setDefaultHeader(headers, 'Content-Type', 'binary/octet-stream');
    if (value instanceof Readable) return value;
    if (typeof value === 'string') return value;
    const bytes = toBytes(value);
    return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : '';
  }
  if (shape.type !== 'structure' || value === undefined || value === null) return '';
  setDefaultHeader(headers, 'Content-Type', 'application/xml');
  const ns = member.xmlNamespace?.uri ?? namespaceOf(model, shape);
  return xmlDocument(model, member.locationName ?? name, ns, member.shape, value as Record<string, unknown>);
}

function namespaceOf(model: ServiceModel, shape: StructureShape): string | undefined {
  return shape.xmlNamespace?.uri ?? model.metadata.xmlNamespace ?? (model.metadata.endpointPrefix === 's3' ? S3_NAMESPACE : undefined);
}

/**
 * A whole XML document for a structure: its body members (bound ones stay in headers) inside `rootName`. When the
 * only body member has the root's own name (GetBucketLocation's LocationConstraint), its text is the root's text.
 */
function xmlDocument(model: ServiceModel, rootName: string, ns: string | undefined, shapeName: string, value: Record<string, unknown>): string {
  const shape = shapeOf(model, shapeName) as StructureShape;
  const open = ns ? `${rootName} xmlns="${escapeXml(ns)}"` : rootName;
  const bodyMembers = Object.entries(shape.members).filter(([, m]) => !m.location);
  if (bodyMembers.length === 1) {
    const [memberName, member] = bodyMembers[0];
    const target = shapeOf(model, member.shape);
    if ((member.locationName ?? memberName) === rootName && !['structure', 'list', 'map'].includes(target.type)) {
      const text = value[memberName] === undefined || value[memberName] === null ? '' : scalarText(target, member, value[memberName]) ?? '';
      return `${XML_DECLARATION}<${open}>${escapeXml(text)}</${rootName}>`;
    }
  }
  const bodyValue = Object.fromEntries(bodyMembers.map(([n]) => [n, value[n]]));
  return `${XML_DECLARATION}<${open}>${writeXmlMembers(model, shapeName, bodyValue)}</${rootName}>`;
}

/** ServiceError.extra as `<Name>text</Name>` elements (BucketName, Key, Resource, CanonicalRequest…). */
function extraElements(extra: Record<string, unknown>): string {
  let out = '';
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined || value === null || !/^[A-Za-z_][\w.-]*$/.test(name)) continue;
    const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
    out += element(name, escapeXml(text));
  }
  return out;
}
