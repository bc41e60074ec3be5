import { uuidv7 } from '../util/uuid7.js';
import type { Principal } from '../auth/types.js';
import type { Member, ServiceModel, Shape } from '../protocol/schema.js';
import type { RequestContext } from './context.js';

/** Member names that hold secrets even where the model forgets to mark them sensitive. */
const SECRET_MEMBERS = new Set(['SecretAccessKey', 'SessionToken', 'Password', 'NewPassword', 'OldPassword', 'PrivateKey', 'Plaintext', 'CiphertextBlob']);
const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';
/** CloudTrail's userIdentity.type spellings. */
const CLOUDTRAIL_IDENTITY_TYPE: Record<string, string> = { Root: 'Root', User: 'IAMUser', Service: 'AWSService', Anonymous: 'AWSAccount' };
const MAX_DEPTH = 20;

/** A CloudTrail record (eventVersion 1.09) for one request: allowed, denied, or failing authentication. */
export function buildAuditEvent(ctx: RequestContext, now: Date): Record<string, unknown> {
  const svc = ctx.service;
  const op = ctx.operation;
  const impl = op && svc ? svc.operations[op.name] : undefined;
  const readOnly = impl?.readOnly ?? (op ? /^(Get|List|Describe|Simulate|Lookup|Head)/.test(op.name) : true);
  const dataEvent = impl?.dataEvent === true;
  const model = svc?.model;
  const event: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity: userIdentity(ctx.principal, ctx.accessKeyId),
    eventTime: ctx.receivedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: svc?.eventSource ?? 'unknown',
    eventName: op?.name ?? 'Unknown',
    awsRegion: ctx.region,
    sourceIPAddress: ctx.sourceIp,
    userAgent: ctx.userAgent,
    requestParameters: model && op?.input && ctx.input ? redact(model, op.input.shape, ctx.input, 0) : null,
    responseElements: !readOnly && model && op?.output && ctx.output ? redact(model, op.output.shape, ctx.output, 0) : null,
    requestID: ctx.requestId,
    eventID: uuidv7(now.getTime()),
    readOnly,
    eventType: 'AwsApiCall',
    managementEvent: !dataEvent,
    recipientAccountId: ctx.principal?.accountId ?? null,
    eventCategory: dataEvent ? 'Data' : 'Management',
    vigil: { listener: ctx.listener.name, durationMs: now.getTime() - ctx.receivedAt.getTime(), action: ctx.action },
  };
  if (ctx.error) {
    event.errorCode = ctx.error.code;
    event.errorMessage = ctx.error.message;
  }
  if (ctx.listener.vpce) event.vpcEndpointId = ctx.listener.vpce;
  // Calls a service makes for a principal are marked the way CloudTrail marks them.
  if (ctx.viaService) (event.userIdentity as Record<string, unknown>).invokedBy = ctx.viaService;
  if (ctx.tlsDetails) event.tlsDetails = ctx.tlsDetails;
  return event;
}

function userIdentity(p: Principal | undefined, accessKeyId: string | undefined): Record<string, unknown> {
  if (!p) return accessKeyId ? { type: 'Unknown', accessKeyId } : { type: 'Unknown' };
  const id: Record<string, unknown> = {
    type: CLOUDTRAIL_IDENTITY_TYPE[p.type] ?? p.type,
    principalId: p.userId,
    arn: p.arn,
    accountId: p.accountId,
  };
  if (p.accessKeyId) id.accessKeyId = p.accessKeyId;
  if (p.userName) id.userName = p.userName;
  if (p.type === 'AssumedRole') {
    id.sessionContext = {
      sessionIssuer: { type: 'Role', principalId: p.roleId, arn: p.roleArn, accountId: p.accountId, userName: p.roleName },
      attributes: { creationDate: p.tokenIssueTime?.toISOString(), mfaAuthenticated: String(Boolean(p.mfaPresent)) },
      ...(p.sourceIdentity ? { sourceIdentity: p.sourceIdentity } : {}),
    };
  }
  return id;
}

/**
 * Copies a value following its shape, replacing sensitive members (model `sensitive` trait or a known secret
 * name) and dropping blobs, so CloudTrail never carries secrets or payloads.
 */
function redact(model: ServiceModel, shapeName: string, value: unknown, depth: number): unknown {
  const shape: Shape | undefined = model.shapes[shapeName];
  if (value === undefined || value === null || !shape || depth > MAX_DEPTH) return value ?? null;
  if (shape.sensitive) return HIDDEN;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object') return null;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members)) {
        const v = (value as Record<string, unknown>)[name];
        if (v === undefined) continue;
        out[lowerFirst(name)] = SECRET_MEMBERS.has(name) ? HIDDEN : redactMember(model, member, v, depth);
      }
      return out;
    }
    case 'list':
      return Array.isArray(value) ? value.slice(0, 1000).map((v) => redactMember(model, shape.member, v, depth)) : null;
    case 'map':
      return typeof value === 'object'
        ? Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactMember(model, shape.value, v, depth)]))
        : null;
    case 'blob':
      return HIDDEN;
    case 'timestamp':
      return value instanceof Date ? value.toISOString() : value;
    default:
      return value;
  }
}

function redactMember(model: ServiceModel, member: Member, value: unknown, depth: number): unknown {
  return redact(model, member.shape, value, depth + 1);
}

/** CloudTrail spells request parameters in lower camel case (userName, policyDocument). */
function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
