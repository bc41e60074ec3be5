import { ServiceError } from '../protocol/errors.js';
import type { HttpRequest, ProtocolName } from '../protocol/types.js';
import type { ServiceDefinition } from '../services/types.js';

/** Where a request goes: which service, spoken in which protocol. */
export interface Route {
  service: ServiceDefinition;
  protocol: ProtocolName;
  /** JSON clients of query-compatible services ask for query error codes (`x-amzn-query-mode: true`). */
  queryCompatible: boolean;
}

const SCOPE_SERVICE = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\//;
const CBOR_PATH = /^\/service\/([^/]+)\/operation\/[^/]+$/;

/**
 * Routing table built once at start-up. Order follows LocalStack's: Smithy-Protocol + path, X-Amz-Target,
 * signing name with a path prefix (SageMaker Runtime shares `sagemaker` with the control plane), then the
 * signing name's query protocol, then the Version parameter for unsigned query calls, and last S3 (REST-XML) for
 * unsigned requests that carry none of those marks. S3 itself is found by its signing name `s3` (Authorization
 * header or a presigned URL's X-Amz-Credential) like any other service.
 */
export class Router {
  private readonly byTarget = new Map<string, ServiceDefinition>();
  private readonly bySigningName = new Map<string, ServiceDefinition[]>();
  private readonly byShapeName = new Map<string, ServiceDefinition>();
  private readonly byVersion = new Map<string, ServiceDefinition>();
  /** The REST-XML service (S3) that answers unsigned requests naming no other service. */
  private readonly defaultRestXml?: ServiceDefinition;

  constructor(readonly services: ServiceDefinition[]) {
    for (const svc of services) {
      for (const prefix of svc.targetPrefixes ?? (svc.model.metadata.targetPrefix ? [svc.model.metadata.targetPrefix] : [])) {
        this.byTarget.set(prefix, svc);
      }
      const list = this.bySigningName.get(svc.signingName) ?? [];
      list.push(svc);
      // Services with a path prefix must be tried before their signing-name siblings.
      list.sort((a, b) => Number(Boolean(b.pathPrefix)) - Number(Boolean(a.pathPrefix)));
      this.bySigningName.set(svc.signingName, list);
      if (svc.model.metadata.targetPrefix) this.byShapeName.set(svc.model.metadata.targetPrefix, svc);
      if (svc.protocols.includes('awsQuery')) this.byVersion.set(svc.model.metadata.apiVersion, svc);
      if (svc.protocols.includes('restXml')) this.defaultRestXml ??= svc;
    }
  }

  route(req: HttpRequest): Route {
    const h = req.headers;
    if (h['smithy-protocol'] === 'rpc-v2-cbor') {
      const m = CBOR_PATH.exec(req.path);
      const svc = m ? this.byShapeName.get(decodeURIComponent(m[1])) : undefined;
      if (svc?.protocols.includes('rpcv2Cbor')) return { service: svc, protocol: 'rpcv2Cbor', queryCompatible: isQueryMode(req) };
      throw unknownService('No rpc-v2-cbor service matches this request path');
    }
    const target = h['x-amz-target'];
    if (target) {
      const dot = target.lastIndexOf('.');
      const svc = dot > 0 ? this.byTarget.get(target.slice(0, dot)) : undefined;
      if (!svc) throw unknownService(`No service accepts X-Amz-Target ${JSON.stringify(target.slice(0, 200))}`);
      return { service: svc, protocol: jsonProtocol(svc, h['content-type']), queryCompatible: isQueryMode(req) };
    }
    const signingName = signingNameOf(req);
    const candidates = signingName ? this.bySigningName.get(signingName) ?? [] : [];
    for (const svc of candidates) {
      if (svc.pathPrefix && !req.path.startsWith(svc.pathPrefix)) continue;
      const protocol = this.restOrQuery(svc, req);
      if (protocol) return { service: svc, protocol, queryCompatible: false };
    }
    if (!signingName) {
      const version = queryVersion(req);
      const svc = version ? this.byVersion.get(version) : undefined;
      if (svc) return { service: svc, protocol: 'awsQuery', queryCompatible: false };
      // Anonymous S3 (public buckets, browser GETs): an unsigned request that names no other service is S3's.
      if (this.defaultRestXml && !version && !queryAction(req)) return { service: this.defaultRestXml, protocol: 'restXml', queryCompatible: false };
    }
    throw unknownService(signingName
      ? `No service of signing name ${JSON.stringify(signingName.slice(0, 64))} accepts this request`
      : 'The request names no service (no X-Amz-Target, credential scope or Version)');
  }

  private restOrQuery(svc: ServiceDefinition, req: HttpRequest): ProtocolName | undefined {
    if (svc.protocols.includes('restJson1')) return 'restJson1';
    if (svc.protocols.includes('restXml')) return 'restXml';
    if (svc.protocols.includes('awsQuery')) return 'awsQuery';
    if (svc.protocols.includes('awsJson1_1')) return 'awsJson1_1';
    return req.method === 'POST' && svc.protocols.includes('awsJson1_0') ? 'awsJson1_0' : undefined;
  }
}

function jsonProtocol(svc: ServiceDefinition, contentType: string | undefined): ProtocolName {
  if (contentType?.includes('x-amz-json-1.0') && svc.protocols.includes('awsJson1_0')) return 'awsJson1_0';
  if (contentType?.includes('x-amz-json-1.1') && svc.protocols.includes('awsJson1_1')) return 'awsJson1_1';
  return svc.protocols.includes('awsJson1_1') ? 'awsJson1_1' : 'awsJson1_0';
}

function isQueryMode(req: HttpRequest): boolean {
  return req.headers['x-amzn-query-mode'] === 'true';
}

/** The credential-scope service, from the Authorization header or a presigned URL, without full parsing. */
export function signingNameOf(req: HttpRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth) return SCOPE_SERVICE.exec(auth)?.[1];
  if (!req.rawQuery.includes('X-Amz-Credential=')) return undefined;
  const cred = new URLSearchParams(req.rawQuery).get('X-Amz-Credential');
  return cred?.split('/')[3];
}

function queryParams(req: HttpRequest): URLSearchParams {
  const form = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ? req.body.toString('utf8') : '';
  return new URLSearchParams(form || req.rawQuery);
}

function queryVersion(req: HttpRequest): string | undefined {
  return queryParams(req).get('Version') ?? undefined;
}

/** An `Action=` parameter marks an awsQuery call even when its Version is unknown: never S3's. */
function queryAction(req: HttpRequest): boolean {
  return queryParams(req).has('Action') || new URLSearchParams(req.rawQuery).has('Action');
}

function unknownService(message: string): ServiceError {
  return new ServiceError('UnknownServiceException', message, { httpStatus: 400 });
}
