/**
 * Which S3-style operation a request is, and its URI labels. Several operations share a method and path
 * (`PUT /{Bucket}/{Key+}` is PutObject, CopyObject, UploadPart or UploadPartCopy), and the pinned botocore model
 * leaves their query literals out, so the most specific template wins, counting what each requires: literal query
 * keys of the requestUri (`?uploads`, `?list-type=2`), required query members (`uploadId`, `partNumber`) and
 * required header members (`x-amz-copy-source`). Newer SDKs add `x-id=<Operation>`; it breaks remaining ties.
 *
 * Bucket addressing (documented forms):
 * - path style: `http://host:port/bucket/key`;
 * - virtual-hosted: the bucket is the part of the Host before `.localhost` (`bucket.localhost:4566`) or before an
 *   `s3` label (`bucket.s3.localhost`, `bucket.s3.amazonaws.com`, `bucket.s3.us-east-1.amazonaws.com`,
 *   `bucket.s3.vigil.internal`). Hosts that are IP literals, plain `localhost`, or have no such suffix are path style.
 */
import { s3Error } from './s3-errors.js';
import type { OperationModel, ServiceModel, StructureShape } from './schema.js';
import type { HttpRequest } from './types.js';

interface XmlRoute {
  op: OperationModel;
  method: string;
  regex: RegExp;
  labels: string[];
  literalQuery: [string, string | undefined][];
  requiredQuery: string[];
  requiredHeaders: string[];
  score: number;
}

/**
 * Deprecated operations that share their template with the current one (GetBucketLifecycle vs
 * GetBucketLifecycleConfiguration): the current one answers.
 */
const SUPERSEDED = new Set(['GetBucketLifecycle', 'PutBucketLifecycle', 'GetBucketNotification', 'PutBucketNotification']);

const cache = new WeakMap<ServiceModel, XmlRoute[]>();

function compile(model: ServiceModel, op: OperationModel): XmlRoute {
  const [pathPart, queryPart = ''] = op.http.requestUri.split('?');
  const labels: string[] = [];
  let pattern = pathPart.replace(/\{([^}]+)\}|[^{]+/g, (token, label: string | undefined) => {
    if (label === undefined) return token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    labels.push(label.replace(/\+$/, ''));
    return label.endsWith('+') ? '(.+)' : '([^/]+)';
  });
  // `/bucket/` is `/bucket` to S3 (ListObjects); a greedy key label already absorbs trailing slashes.
  if (!pattern.endsWith('(.+)') && pattern !== '/') pattern += '/?';
  const literalQuery = queryPart.split('&').filter(Boolean).map((p): [string, string | undefined] => {
    const eq = p.indexOf('=');
    return eq < 0 ? [p, undefined] : [p.slice(0, eq), p.slice(eq + 1)];
  });
  const input = op.input ? (model.shapes[op.input.shape] as StructureShape) : undefined;
  const required = new Set(input?.required ?? []);
  const requiredQuery: string[] = [];
  const requiredHeaders: string[] = [];
  for (const [name, member] of Object.entries(input?.members ?? {})) {
    if (!required.has(name)) continue;
    if (member.location === 'querystring') requiredQuery.push(member.locationName ?? name);
    if (member.location === 'header') requiredHeaders.push((member.locationName ?? name).toLowerCase());
  }
  const score = literalQuery.length + requiredQuery.length + requiredHeaders.length;
  return { op, method: op.http.method, regex: new RegExp(`^${pattern}$`), labels, literalQuery, requiredQuery, requiredHeaders, score };
}

function routes(model: ServiceModel): XmlRoute[] {
  let list = cache.get(model);
  if (!list) {
    list = Object.values(model.operations).filter((op) => !SUPERSEDED.has(op.name)).map((op) => compile(model, op))
      .sort((a, b) => b.score - a.score);
    cache.set(model, list);
  }
  return list;
}

/** Query parameter names → values, leniently decoded (routing must not fail on a bad escape; decode reports it). */
export function queryKeys(rawQuery: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = lenientDecode(eq < 0 ? part : part.slice(0, eq));
    if (!out.has(key)) out.set(key, eq < 0 ? '' : lenientDecode(part.slice(eq + 1)));
  }
  return out;
}

function lenientDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export interface XmlRouteMatch {
  op: OperationModel;
  /** Label values, still percent-encoded. */
  labels: Record<string, string>;
}

/** The best-matching operation for this request, or undefined. */
export function matchXmlRoute(model: ServiceModel, req: HttpRequest): XmlRouteMatch | undefined {
  const path = effectivePath(req);
  const query = queryKeys(req.rawQuery);
  const xId = query.get('x-id');
  let best: { route: XmlRoute; m: RegExpExecArray } | undefined;
  for (const route of routes(model)) {
    if (best && route.score < best.route.score) break;
    if (route.method !== req.method) continue;
    const m = route.regex.exec(path);
    if (!m || !satisfies(route, query, req.headers)) continue;
    if (!best || (xId !== undefined && route.op.name === xId && best.route.op.name !== xId)) best = { route, m };
  }
  return best && { op: best.route.op, labels: labelValues(best.route, best.m) };
}

/** Labels of the operation the router already chose. */
export function xmlLabelsFor(model: ServiceModel, op: OperationModel, req: HttpRequest): Record<string, string> {
  const route = routes(model).find((r) => r.op === op) ?? compile(model, op);
  const m = route.regex.exec(effectivePath(req));
  return m ? labelValues(route, m) : {};
}

function satisfies(route: XmlRoute, query: Map<string, string>, headers: Record<string, string>): boolean {
  for (const [k, v] of route.literalQuery) if (!query.has(k) || (v !== undefined && query.get(k) !== v)) return false;
  for (const k of route.requiredQuery) if (!query.has(k)) return false;
  for (const h of route.requiredHeaders) if (headers[h] === undefined) return false;
  return true;
}

function labelValues(route: XmlRoute, m: RegExpExecArray): Record<string, string> {
  return Object.fromEntries(route.labels.map((name, i) => [name, m[i + 1]]));
}

/** The path as if the request were path-style: a virtual-hosted bucket becomes the first segment. */
export function effectivePath(req: HttpRequest): string {
  const bucket = bucketFromHost(req.headers.host ?? req.headers[':authority']);
  return bucket ? `/${encodeURIComponent(bucket)}${req.path === '/' ? '' : req.path}` : req.path;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** The bucket named by a virtual-hosted Host header (forms in the file comment), else undefined. */
export function bucketFromHost(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const host = hostHeader.trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  if (host.startsWith('[') || IPV4.test(host) || host === 'localhost') return undefined;
  if (host.endsWith('.localhost')) {
    const bucket = host.slice(0, -'.localhost'.length);
    return stripS3Suffix(bucket) ?? (bucket === 's3' ? undefined : bucket);
  }
  return stripS3Suffix(host);
}

/** `bucket.s3.<anything>`, `bucket.s3-<region>.amazonaws.com`, `bucket.s3` → bucket (a dotted bucket keeps its dots). */
function stripS3Suffix(host: string): string | undefined {
  const at = host.search(/\.s3(?:[.-]|$)/);
  return at > 0 ? host.slice(0, at) : undefined;
}

/** Percent-decoded label; a bad escape is S3's InvalidURI. */
export function decodeLabel(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw s3Error('InvalidURI');
  }
}
