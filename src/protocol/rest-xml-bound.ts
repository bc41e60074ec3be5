/**
 * restXml members bound to the HTTP envelope rather than the body: URI labels, headers (including the
 * `x-amz-meta-*` prefix map), the query string, and the status code. Reading types values with shape-walk's text
 * rules; writing puts timestamps in headers as RFC 7231 dates, as S3 does (`Last-Modified`).
 */
import { parseQueryMulti } from './http-binding.js';
import { decodeLabel } from './rest-xml-route.js';
import { setKey } from './scalars.js';
import type { Member, StructureShape } from './schema.js';
import { readScalar, shapeOf, type ReadOptions } from './shape-walk.js';
import type { HttpRequest } from './types.js';

/** aws-chunked is a transfer framing, not a content coding of the object: S3 strips it and stores the rest. */
const AWS_CHUNKED = 'aws-chunked';

/** Reads every location-bound member of `shape` from the request. */
export function readBound(opts: ReadOptions, shape: StructureShape, req: HttpRequest, labels: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let query: Map<string, string[]> | undefined;
  for (const [name, member] of Object.entries(shape.members)) {
    const wire = member.locationName ?? name;
    let value: unknown;
    switch (member.location) {
      case 'uri':
        value = labels[wire] === undefined ? undefined : readScalar(opts, shapeOf(opts.model, member.shape), decodeLabel(labels[wire]), name);
        break;
      case 'header':
        value = readHeader(opts, member, headerValue(req, wire), name);
        break;
      case 'headers':
        value = readPrefixHeaders(opts, member, req.headers, wire.toLowerCase());
        break;
      case 'querystring':
        query ??= parseQueryMulti(req.rawQuery, opts.family);
        value = readQuery(opts, member, query, wire, name);
        break;
      default:
        continue;
    }
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function isAwsChunked(req: HttpRequest): boolean {
  return (req.headers['content-encoding'] ?? '').split(',').some((c) => c.trim().toLowerCase() === AWS_CHUNKED)
    || (req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
}

/**
 * A header as the operation sees it. Under aws-chunked framing the object's length is x-amz-decoded-content-length
 * and its Content-Encoding is what remains without `aws-chunked`.
 */
function headerValue(req: HttpRequest, wire: string): string | undefined {
  const lower = wire.toLowerCase();
  if (isAwsChunked(req)) {
    if (lower === 'content-length') return req.headers['x-amz-decoded-content-length'];
    if (lower === 'content-encoding') {
      const rest = (req.headers[lower] ?? '').split(',').map((c) => c.trim()).filter((c) => c && c.toLowerCase() !== AWS_CHUNKED);
      return rest.length ? rest.join(',') : undefined;
    }
  }
  return req.headers[lower];
}

function readHeader(opts: ReadOptions, member: Member, text: string | undefined, path: string): unknown {
  if (text === undefined) return undefined;
  const shape = shapeOf(opts.model, member.shape);
  if (shape.type === 'list') return text.split(',').map((part) => readScalar(opts, shapeOf(opts.model, shape.member.shape), part.trim(), path));
  return readScalar(opts, shape, shape.type === 'string' ? text : text.trim(), path);
}

function readPrefixHeaders(opts: ReadOptions, member: Member, headers: Record<string, string>, prefix: string): Record<string, unknown> | undefined {
  const shape = shapeOf(opts.model, member.shape);
  if (shape.type !== 'map') return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(prefix) && name.length > prefix.length) {
      setKey(out, name.slice(prefix.length), readScalar(opts, shapeOf(opts.model, shape.value.shape), value, name));
    }
  }
  return Object.keys(out).length ? out : undefined;
}

function readQuery(opts: ReadOptions, member: Member, query: Map<string, string[]>, wire: string, path: string): unknown {
  const shape = shapeOf(opts.model, member.shape);
  if (shape.type === 'map') {
    const out: Record<string, unknown> = {};
    for (const [k, values] of query) setKey(out, k, readScalar(opts, shapeOf(opts.model, shape.value.shape), values[0], k));
    return out;
  }
  const values = query.get(wire);
  if (!values) return undefined;
  if (shape.type === 'list') return values.map((v) => readScalar(opts, shapeOf(opts.model, shape.member.shape), v, path));
  return readScalar(opts, shape, values[0], path);
}


