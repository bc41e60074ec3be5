import { performance } from 'node:perf_hooks';
import type { RequestContext } from '../../gateway/context.js';
import type { EndpointRegistry } from '../../inference/registry.js';
import type { LiveProfileSink } from '../../monitor/live/index.js';
import type { InvokeRequest, InvokeResult, LiveEndpoint, LiveVariant } from '../../inference/types.js';
import { ServiceError } from '../../protocol/errors.js';
import type { InvokeEndpointInput, InvokeEndpointOutput } from './api.generated.js';
import { runtimeErrors } from './errors.js';
import { chooseVariant } from './variant-choice.js';

/** Where captured traffic goes (src/capture): synchronous, samples and buffers, never blocks the request. */
export interface CaptureSink {
  record(ep: LiveEndpoint, variant: LiveVariant, req: InvokeRequest, res: InvokeResult | undefined,
    meta: { inferenceTime: Date; inferenceId?: string; customAttributes?: string }): void;
}

/** Per-minute endpoint metrics (src/metrics): synchronous, O(1). */
export interface MetricsSink {
  record(dims: { accountId: string; region: string; endpointName: string; variantName: string; configName: string },
    sample: { status: number; modelLatencyUs?: number; overheadLatencyUs: number; instanceCount: number }): void;
}

export interface InvokeDeps {
  registry: EndpointRegistry;
  capture?: CaptureSink;
  metrics?: MetricsSink;
  /** Per-minute profiles for near-real-time drift (src/monitor/live): synchronous, O(features). */
  live?: LiveProfileSink;
  now: () => Date;
  random?: () => number;
}

/** SageMaker's default when the caller names no content type (the SDKs then send none). */
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/**
 * InvokeEndpoint: lease the live deployment (memory only), pick a variant, run the model, then measure and
 * capture. The lease keeps an UpdateEndpoint from closing the runtime under a request that started before it.
 */
export async function invokeEndpoint(d: InvokeDeps, i: InvokeEndpointInput, ctx: RequestContext): Promise<InvokeEndpointOutput> {
  const started = ctx.startedAt ?? performance.now();
  if (i.TargetModel !== undefined) throw runtimeErrors.targetModel();
  if (i.TargetContainerHostname !== undefined) throw runtimeErrors.targetContainer();
  if (i.EnableExplanations !== undefined) throw runtimeErrors.explanations();
  const accountId = ctx.principal!.accountId;
  const lease = d.registry.acquire(accountId, ctx.region, i.EndpointName);
  if (!lease) throw runtimeErrors.endpointNotFound(i.EndpointName, accountId);
  const ep = lease.endpoint;
  let variant: LiveVariant | undefined;
  let modelStart = 0;
  try {
    variant = chooseVariant(ep, i.TargetVariant, d.random);
    const req: InvokeRequest = {
      body: toBuffer(i.Body), contentType: i.ContentType ?? DEFAULT_CONTENT_TYPE, accept: i.Accept,
      customAttributes: i.CustomAttributes, inferenceId: i.InferenceId,
    };
    modelStart = performance.now();
    const res = await variant.runtime.invoke(req);
    const modelEnd = performance.now();
    d.metrics?.record(dims(ep, variant), {
      status: 200, modelLatencyUs: micros(modelEnd - modelStart), overheadLatencyUs: micros(modelStart - started),
      instanceCount: variant.instanceCount,
    });
    const inferenceTime = d.now();
    d.capture?.record(ep, variant, req, res, {
      inferenceTime, inferenceId: i.InferenceId, customAttributes: i.CustomAttributes,
    });
    d.live?.record(ep, variant, req, inferenceTime);
    return { Body: res.body, ContentType: res.contentType, InvokedProductionVariant: variant.name, CustomAttributes: res.customAttributes };
  } catch (err) {
    if (variant) recordFailure(d, ep, variant, err, started, modelStart);
    throw err;
  } finally {
    lease.release();
  }
}

/** A model's 4xx counts as Invocation4XXErrors, its 5xx (and timeouts) as Invocation5XXErrors, as SageMaker counts them. */
function recordFailure(d: InvokeDeps, ep: LiveEndpoint, variant: LiveVariant, err: unknown, started: number, modelStart: number): void {
  if (!d.metrics) return;
  const now = performance.now();
  const status = err instanceof ServiceError ? failureStatus(err) : 500;
  const modelUs = modelStart ? micros(now - modelStart) : undefined;
  d.metrics.record(dims(ep, variant), {
    status, modelLatencyUs: modelUs, overheadLatencyUs: micros(now - started) - (modelUs ?? 0), instanceCount: variant.instanceCount,
  });
}

function failureStatus(err: ServiceError): number {
  const original = err.extra.OriginalStatusCode;
  if (err.code === 'ModelError') return typeof original === 'number' && original >= 400 ? original : 500;
  return err.httpStatus;
}

function dims(ep: LiveEndpoint, v: LiveVariant) {
  return { accountId: ep.accountId, region: ep.region, endpointName: ep.name, variantName: v.name, configName: ep.configName };
}

const micros = (ms: number): number => Math.max(0, Math.round(ms * 1000));

function toBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}
