import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { parseSigV4, SigV4MismatchError, signingKey, verifySigV4 } from '../auth/sigv4.js';
import { s3AuthError } from '../protocol/s3-errors.js';
import type { AuthThrottle } from '../auth/throttle.js';
import { SigV4Error, type CredentialResolver, type Principal } from '../auth/types.js';
import { CommonErrors, ServiceError, type ErrorFamily } from '../protocol/errors.js';
import { protocols } from '../protocol/index.js';
import type { HttpRequest, HttpResponse, Protocol } from '../protocol/types.js';
import type { OperationModel, ServiceModel, StructureShape } from '../protocol/schema.js';
import { validateInput } from '../protocol/validate.js';
import type { Clock } from '../server/deps.js';
import { buildAuditEvent } from './audit-event.js';
import type { AuditWriter } from './audit-writer.js';
import { authorize } from './authorize.js';
import type { RequestContext } from './context.js';
import type { RequestMetrics } from './metrics.js';
import type { Router } from './router.js';

export interface PipelineDeps {
  router: Router;
  credentials: CredentialResolver;
  throttle: AuthThrottle;
  audit: AuditWriter;
  metrics: RequestMetrics;
  clock: Clock;
  log: Logger;
  /** Allowed clock skew for SigV4 (default 300 s). */
  skewSeconds: number;
  /** Largest body the gateway buffers; streaming operations (S3 PutObject) are not buffered. */
  maxBodyBytes: number;
  /** Called after a successful authentication with a long-term key (GetAccessKeyLastUsed). */
  onAccessKeyUsed?: (accessKeyId: string, service: string, region: string, when: Date) => void;
}

type Stage = (ctx: RequestContext, deps: PipelineDeps) => void | Promise<void>;

/** An unsigned caller: only a resource policy naming Principal "*" can allow it anything. */
const ANONYMOUS: Principal = { type: 'Anonymous', arn: 'anonymous', accountId: 'anonymous', userId: 'anonymous', tags: {}, identityPolicies: [] };

/**
 * THE request pipeline, in order. Every request runs these stages until one throws; the error is then
 * encoded by the request's protocol. Encode, audit and metrics always run.
 */
export const STAGES: readonly [string, Stage][] = [
  ['route', route],
  ['read body', readBody],
  ['authenticate', authenticate],
  ['decode', decode],
  ['validate', validate],
  ['authorize', authorizeStage],
  ['invoke', invoke],
];

export async function runPipeline(ctx: RequestContext, deps: PipelineDeps): Promise<HttpResponse> {
  try {
    // Stages that finish synchronously are not awaited: every await is a promise and a microtask on the hot path.
    for (const [, stage] of STAGES) {
      const pending = stage(ctx, deps);
      if (pending) await pending;
    }
  } catch (err) {
    ctx.error = toServiceError(err, ctx, deps.log);
  }
  ctx.response = encode(ctx);
  const audited = audit(ctx, deps);
  if (audited) await audited;
  recordMetrics(ctx, deps);
  return ctx.response;
}

/** Internal calls arrive routed, authenticated and decoded; the rest of the pipeline is the same. */
const INTERNAL_STAGES: readonly Stage[] = [validate, authorizeStage, invoke];

export async function runInternalPipeline(ctx: RequestContext, deps: PipelineDeps): Promise<void> {
  try {
    for (const stage of INTERNAL_STAGES) {
      const pending = stage(ctx, deps);
      if (pending) await pending;
    }
  } catch (err) {
    ctx.error = toServiceError(err, ctx, deps.log);
  }
  const audited = audit(ctx, deps);
  if (audited) await audited;
  recordMetrics(ctx, deps);
}

function route(ctx: RequestContext, deps: PipelineDeps): void | Promise<void> {
  // Unsigned query calls are routed by their Version parameter, which is in the body.
  if (needsBodyToRoute(ctx.request)) {
    const pending = bufferBody(ctx, deps);
    if (pending) return pending.then(() => routeBy(ctx, deps));
  }
  routeBy(ctx, deps);
}

function routeBy(ctx: RequestContext, deps: PipelineDeps): void {
  const r = deps.router.route(ctx.request);
  ctx.service = r.service;
  ctx.protocol = protocols[r.protocol];
  ctx.queryCompatible = r.queryCompatible;
}

/**
 * Buffers the body (bounded) unless the operation streams its payload, then learns the operation: early, so
 * that failed authentications are audited under its name. A request whose operation cannot be read is
 * answered by the decode stage, after authentication.
 */
function readBody(ctx: RequestContext, deps: PipelineDeps): void | Promise<void> {
  const svc = ctx.service!;
  const restful = ctx.protocol!.name === 'restXml' || ctx.protocol!.name === 'restJson1';
  if (restful) ctx.operation = operationOf(ctx);
  const pending = ctx.operation && hasStreamingPayload(svc.model, ctx.operation) ? undefined : bufferBody(ctx, deps);
  if (restful) return pending;
  if (pending) return pending.then(() => { ctx.operation = operationOf(ctx); });
  ctx.operation = operationOf(ctx);
}

function operationOf(ctx: RequestContext): OperationModel | undefined {
  try {
    const name = ctx.protocol!.operationName(ctx.request, ctx.service!.model);
    return name ? ctx.service!.model.operations[name] : undefined;
  } catch {
    return undefined;
  }
}

async function authenticate(ctx: RequestContext, deps: PipelineDeps): Promise<void> {
  const svc = ctx.service!;
  const family = ctx.protocol!.errorFamily;
  const now = deps.clock.now();
  const blocked = deps.throttle.isBlocked(ctx.sourceIp, now.getTime());
  if (blocked.blocked) throw CommonErrors.throttling(family, blocked.retryAfterSeconds);
  try {
    const carrier = parseSigV4(ctx.request);
    if (!carrier && svc.allowAnonymous) {
      ctx.principal = ANONYMOUS;
      return;
    }
    if (!carrier) throw new SigV4Error('missing', 'Missing Authentication Token');
    ctx.accessKeyId = carrier.accessKeyId;
    if (carrier.service !== svc.signingName) {
      throw new SigV4Error('incomplete', `Credential should be scoped to correct service: '${svc.signingName}'. `);
    }
    const cred = await deps.credentials.resolve(carrier.accessKeyId);
    if (!cred || cred.status !== 'Active') throw new SigV4Error('invalid-token', 'The security token included in the request is invalid.');
    const streaming = ctx.request.stream !== undefined;
    verifySigV4(ctx.request, carrier, cred, {
      now,
      skewSeconds: svc.signing?.skewSeconds ?? deps.skewSeconds,
      s3Uri: svc.signing?.s3Uri,
      allowUnsignedPayload: svc.signing?.allowUnsignedPayload,
      presignedPayloadHash: svc.signing?.allowUnsignedPayload ? 'UNSIGNED-PAYLOAD' : undefined,
      streamingBody: streaming,
    });
    ctx.principal = cred.principal;
    ctx.region = carrier.region;
    if (streaming && svc.wrapStreamingBody) {
      svc.wrapStreamingBody(ctx, {
        payloadHash: ctx.request.headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD',
        seedSignature: carrier.signature,
        signingKey: signingKey(cred.secretAccessKey, carrier.date, carrier.region, carrier.service),
        amzDate: carrier.amzDate,
        scope: `${carrier.date}/${carrier.region}/${carrier.service}/${carrier.terminator}`,
      });
    }
    if (!cred.sessionToken) deps.onAccessKeyUsed?.(cred.accessKeyId, svc.signingName, carrier.region, now);
  } catch (err) {
    if (err instanceof SigV4Error) {
      deps.throttle.recordFailure(ctx.sourceIp, now.getTime());
      throw family === 'rest-xml' ? s3AuthError(err.kind, err.message, {
        accessKeyId: ctx.accessKeyId,
        // S3 shows what it computed, so clients can debug their signing; none of it is secret.
        ...(err instanceof SigV4MismatchError ? { canonicalRequest: err.canonicalRequest, stringToSign: err.stringToSign } : {}),
      }) : sigV4ServiceError(err, family);
    }
    throw err;
  }
}

function decode(ctx: RequestContext): void {
  const svc = ctx.service!;
  let op = ctx.operation;
  if (!op) {
    const name = ctx.protocol!.operationName(ctx.request, svc.model);
    op = name ? svc.model.operations[name] : undefined;
    if (!op) throw unknownOperation(ctx.protocol!, name);
    ctx.operation = op;
  }
  if (!svc.operations[op.name]) throw CommonErrors.notImplemented(svc.model.metadata.serviceId, op.name);
  ctx.input = ctx.protocol!.decode(ctx.request, svc.model, op);
}

function validate(ctx: RequestContext): void {
  // Internal calls have no wire protocol; their errors are spelled the JSON way.
  validateInput(ctx.service!.model, ctx.operation!, ctx.input!, ctx.protocol?.errorFamily ?? 'json');
}

async function authorizeStage(ctx: RequestContext, deps: PipelineDeps): Promise<void> {
  const svc = ctx.service!;
  const impl = svc.operations[ctx.operation!.name];
  ctx.action = `${svc.actionPrefix}:${ctx.operation!.name}`;
  if (impl.alwaysAllowed) return;
  const requirement = await impl.authz(ctx.input!, ctx);
  ctx.action = requirement.action ?? ctx.action;
  ctx.resources = requirement.resources;
  ctx.conditionKeys = ctx.extraConditionKeys ? { ...ctx.extraConditionKeys, ...requirement.conditionKeys } : requirement.conditionKeys;
  authorize(ctx, ctx.principal!, { ...requirement, conditionKeys: ctx.conditionKeys }, ctx.action, deps.clock.now());
}

async function invoke(ctx: RequestContext): Promise<void> {
  const impl = ctx.service!.operations[ctx.operation!.name];
  ctx.output = (await impl.handler(ctx.input!, ctx)) ?? undefined;
}

function encode(ctx: RequestContext): HttpResponse {
  if (ctx.internal) return { status: ctx.error?.httpStatus ?? 200, headers: {}, body: '' };
  const protocol = ctx.protocol ?? fallbackProtocol(ctx);
  let res: HttpResponse;
  if (ctx.error) {
    res = protocol.encodeError(ctx.error, { requestId: ctx.requestId, model: ctx.service?.model, operation: ctx.operation, queryCompatible: ctx.queryCompatible });
  } else {
    res = protocol.encode(ctx.output, { requestId: ctx.requestId, model: ctx.service!.model, operation: ctx.operation!, queryCompatible: ctx.queryCompatible });
  }
  return res;
}

/** Reads, data events and failed calls are group-committed (no wait); a management write is durable before its response. */
function audit(ctx: RequestContext, deps: PipelineDeps): void | Promise<void> {
  try {
    const event = buildAuditEvent(ctx, deps.clock.now());
    if (event.readOnly === false && event.managementEvent === true && !ctx.error) {
      return deps.audit.writeNow(event).catch((err: unknown) => auditFailed(ctx, deps, err));
    }
    deps.audit.enqueue(event);
  } catch (err) {
    auditFailed(ctx, deps, err);
  }
}

function auditFailed(ctx: RequestContext, deps: PipelineDeps, err: unknown): void {
  // A write event that cannot be made durable must not be reported as a success.
  deps.log.error({ err, requestId: ctx.requestId }, 'audit write failed');
  if (!ctx.error) {
    ctx.error = CommonErrors.internal(ctx.requestId);
    ctx.response = encode(ctx);
  }
}

function recordMetrics(ctx: RequestContext, deps: PipelineDeps): void {
  const ms = deps.clock.now().getTime() - ctx.receivedAt.getTime();
  deps.metrics.record(ctx.service?.name ?? 'unknown', ctx.operation?.name ?? 'unknown', ctx.response?.status ?? 0, ms);
  // Never the payload or parameters: operators opt into those through CloudTrail, not logs.
  if (deps.log.isLevelEnabled('debug')) {
    deps.log.debug({ requestId: ctx.requestId, service: ctx.service?.name, operation: ctx.operation?.name,
      status: ctx.response?.status, errorCode: ctx.error?.code, principal: ctx.principal?.arn, ms, listener: ctx.listener.name }, 'request');
  }
}

function toServiceError(err: unknown, ctx: RequestContext, log: Logger): ServiceError {
  if (err instanceof ServiceError) return err;
  if (err instanceof SigV4Error) return sigV4ServiceError(err, ctx.protocol?.errorFamily ?? 'json');
  log.error({ err, requestId: ctx.requestId, service: ctx.service?.name, operation: ctx.operation?.name }, 'internal failure');
  return CommonErrors.internal(ctx.requestId);
}

export function sigV4ServiceError(err: SigV4Error, family: ErrorFamily): ServiceError {
  switch (err.kind) {
    case 'missing': return CommonErrors.missingAuthenticationToken(family);
    case 'incomplete': return CommonErrors.incompleteSignature(err.message, family);
    case 'invalid-token': return CommonErrors.invalidClientTokenId(family);
    case 'signature': return CommonErrors.signatureDoesNotMatch(err.message, family);
    case 'expired-token': return CommonErrors.expiredToken(family);
    case 'request-expired': return CommonErrors.accessDenied(err.message, family);
  }
}

function unknownOperation(protocol: Protocol, name: string | undefined): ServiceError {
  const shown = JSON.stringify((name ?? '').slice(0, 128));
  return protocol.errorFamily === 'query'
    ? new ServiceError('InvalidAction', `Could not find operation ${shown} for version of this service`, { httpStatus: 400 })
    : new ServiceError('UnknownOperationException', `Unknown operation ${shown}`, { httpStatus: 400 });
}

/** Before routing succeeds there is no protocol: answer in the form the client most likely reads. */
function fallbackProtocol(ctx: RequestContext): Protocol {
  const ct = ctx.request.headers['content-type'] ?? '';
  if (ct.startsWith('application/x-www-form-urlencoded')) return protocols.awsQuery;
  if (ctx.request.headers['smithy-protocol'] === 'rpc-v2-cbor') return protocols.rpcv2Cbor;
  return protocols.awsJson1_1;
}

/** True for operations whose input payload is a streaming blob (S3 PutObject, UploadPart). */
function hasStreamingPayload(model: ServiceModel, op: OperationModel): boolean {
  const input = op.input ? model.shapes[op.input.shape] as StructureShape | undefined : undefined;
  const payload = input?.payload ? input.members[input.payload] : undefined;
  const shape = payload ? model.shapes[payload.shape] : undefined;
  return shape?.type === 'blob' && shape.streaming === true;
}

function needsBodyToRoute(req: HttpRequest): boolean {
  const h = req.headers;
  return !h.authorization && !h['x-amz-target'] && !req.rawQuery.includes('X-Amz-Credential=') &&
    (h['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

/** Reads the request body into memory, refusing more than maxBodyBytes (the rest is never stored). */
function bufferBody(ctx: RequestContext, deps: PipelineDeps): void | Promise<void> {
  const stream = ctx.request.stream;
  if (!stream) return;
  ctx.request.stream = undefined;
  const limit = deps.maxBodyBytes;
  if (Number(ctx.request.headers['content-length'] ?? 0) > limit) throw CommonErrors.requestTooLarge(limit);
  const body = readComplete(stream, limit);
  if (body) {
    ctx.request.body = body;
    return;
  }
  return collect(stream, limit).then((b) => { ctx.request.body = b; });
}

/**
 * A small request usually arrives in one packet: by the time the pipeline asks, Node's parser has the whole body
 * buffered (`complete`). Taking it synchronously saves the event-loop turns that waiting for 'end' costs.
 */
function readComplete(stream: Readable, limit: number): Buffer | undefined {
  if ((stream as Readable & { complete?: boolean }).complete !== true || stream.readableLength > limit) return undefined;
  const chunks: Buffer[] = [];
  for (let chunk = stream.read() as Buffer | null; chunk !== null; chunk = stream.read() as Buffer | null) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/** Events rather than an async iterator: one promise per body instead of one per chunk (the hot path). */
function collect(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        stream.pause();
        reject(CommonErrors.requestTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}
