import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/types.js';
import type { DataKeyCache } from '../crypto/data-key-cache.js';
import type { ContextValue } from '../iam-engine/types.js';
import { ServiceError } from '../protocol/errors.js';
import { protocols } from '../protocol/index.js';
import type { ServiceDefinition } from '../services/types.js';
import type { RequestContext } from './context.js';
import { runInternalPipeline, type PipelineDeps } from './pipeline.js';

export interface InternalCallOptions {
  region?: string;
  /** The AWS service acting on the caller's behalf, e.g. `sagemaker.amazonaws.com` (kms:ViaService, CloudTrail). */
  viaService?: string;
  /** Extra condition keys for this call (e.g. aws:SourceArn of the resource that triggered it). */
  conditionKeys?: Record<string, ContextValue | undefined>;
  /**
   * Data keys S3 may reuse for SSE-KMS writes of this call (with BucketKeyEnabled, whose context is the bucket
   * ARN, so one key serves many objects). A hit skips KMS and its audit: one cache per acting principal only.
   */
  dataKeyCache?: DataKeyCache;
}

/**
 * Service-to-service calls (capture encrypting with KMS, alarms publishing to SNS…) re-enter the gateway as
 * the acting principal: validate, authorize and audit apply exactly as for external calls (DESIGN principle 6).
 * Nothing reads another service's store directly.
 */
export class InternalClient {
  private readonly byName = new Map<string, ServiceDefinition>();

  constructor(private readonly deps: PipelineDeps, services: ServiceDefinition[]) {
    for (const s of services) this.byName.set(s.name, s);
  }

  async call(principal: Principal, service: string, operation: string, input: Record<string, unknown>,
    opts: InternalCallOptions = {}): Promise<Record<string, unknown>> {
    const svc = this.byName.get(service);
    const op = svc?.model.operations[operation];
    if (!svc || !op) throw new ServiceError('InternalFailure', `internal call to unknown operation ${service}:${operation}`, { httpStatus: 500 });
    const via = opts.viaService;
    const ctx: RequestContext = {
      requestId: randomUUID(),
      receivedAt: this.deps.clock.now(),
      listener: { name: 'internal', secure: true },
      sourceIp: via ?? 'vigil.internal',
      userAgent: via ?? 'vigil.internal',
      request: { method: 'POST', path: '/', rawQuery: '', headers: {}, body: Buffer.alloc(0) },
      region: opts.region ?? 'us-east-1',
      service: svc,
      // Nothing goes on the wire, but errors are spelled as the service's own clients see them (S3: AccessDenied).
      protocol: protocols[svc.protocols[0]],
      operation: op,
      principal,
      input,
      internal: true,
      viaService: via,
      dataKeyCache: opts.dataKeyCache,
      extraConditionKeys: {
        // kms:ViaService names the regional endpoint (s3.us-east-1.amazonaws.com); aws:CalledVia the service.
        ...(via ? { 'aws:ViaAWSService': 'true', 'aws:CalledVia': [via], 'kms:ViaService': regional(via, opts.region ?? 'us-east-1') } : {}),
        ...opts.conditionKeys,
      },
    };
    await runInternalPipeline(ctx, this.deps);
    if (ctx.error) throw ctx.error;
    return ctx.output ?? {};
  }
}

function regional(servicePrincipal: string, region: string): string {
  return servicePrincipal.endsWith('.amazonaws.com')
    ? `${servicePrincipal.slice(0, -'.amazonaws.com'.length)}.${region}.amazonaws.com`
    : servicePrincipal;
}
