import { deflateRawSync } from 'node:zlib';
import { PolicyParseError, parsePolicy } from '../../iam-engine/index.js';
import type { Principal } from '../../auth/types.js';
import { authorize } from '../../gateway/authorize.js';
import type { RequestContext } from '../../gateway/context.js';
import type { ContextValue } from '../../iam-engine/types.js';
import type { ServiceDeps } from '../../server/deps.js';
import type { AuthzRequirement } from '../types.js';
import { parseIamArn } from '../iam/arns.js';
import { managedPoliciesByArn } from '../iam/identity-policies.js';
import { IAM, entityKey, findRole, nameKey, type RoleDoc } from '../iam/store.js';
import { requestTagKeys } from '../iam/tags.js';
import type { AssumeRoleRequest, AssumeRoleResponse, Tag } from './api.generated.js';
import { constraintError, stsErrors } from './errors.js';
import { SESSION, STS, createSession, sweepExpiredSessions, type SessionDoc, type SessionPolicyDoc } from './sessions.js';

export const DEFAULT_DURATION_SECONDS = 3600;
export const MIN_DURATION_SECONDS = 900;
/** Role chaining (role credentials → AssumeRole) is capped at one hour whatever the role allows. */
export const ROLE_CHAINING_MAX_SECONDS = 3600;
export const MAX_POLICY_ARNS = 10;
/** Budget for the compressed session policies and tags; AWS does not publish its own, only the percentage used. */
const PACKED_POLICY_BUDGET_BYTES = 2048;

const SESSION_NAME_PATTERN = /^[\w+=,.@-]*$/;

async function lookupRole(deps: Pick<ServiceDeps, 'state'>, roleArn: string): Promise<{ role: RoleDoc; account: string } | undefined> {
  const ref = parseIamArn(roleArn);
  if (!ref || ref.type !== 'role' || !ref.name) return undefined;
  const role = await findRole(deps.state.resources, ref.account, ref.name);
  return role && role.Arn === roleArn ? { role, account: ref.account } : undefined;
}

/**
 * sts:AssumeRole on the role, judged with the role's trust policy as the resource policy (the engine requires it to
 * allow). Passing session tags or a source identity also needs sts:TagSession / sts:SetSourceIdentity, judged the
 * same way; those are checked here, the gateway then checks sts:AssumeRole itself.
 */
export async function assumeRoleAuthz(deps: Pick<ServiceDeps, 'state' | 'clock'>, i: AssumeRoleRequest, ctx: RequestContext): Promise<AuthzRequirement> {
  checkNotRoot(ctx.principal!);
  const req = await assumeRoleRequirement(deps, i);
  const extra = [
    ...(i.Tags?.length || i.TransitiveTagKeys?.length ? ['sts:TagSession'] : []),
    ...(i.SourceIdentity ? ['sts:SetSourceIdentity'] : []),
  ];
  for (const action of extra) authorize(ctx, ctx.principal!, req, action, deps.clock.now());
  return req;
}

async function assumeRoleRequirement(deps: Pick<ServiceDeps, 'state'>, i: AssumeRoleRequest): Promise<AuthzRequirement> {
  const keys: Record<string, ContextValue | undefined> = {
    'sts:RoleSessionName': i.RoleSessionName,
    'sts:ExternalId': i.ExternalId,
    'sts:SourceIdentity': i.SourceIdentity,
    'sts:TransitiveTagKeys': i.TransitiveTagKeys?.length ? i.TransitiveTagKeys : undefined,
    ...requestTagKeys(i.Tags),
  };
  const found = await lookupRole(deps, i.RoleArn);
  if (!found) return { resources: [i.RoleArn], conditionKeys: keys };
  return {
    resources: [i.RoleArn],
    conditionKeys: keys,
    resourcePolicy: { document: found.role.AssumeRolePolicyDocument, kind: 'trust', id: found.role.Arn, accountId: found.account },
  };
}

/** AWS refuses role sessions for the root user whatever the trust policy says. */
function checkNotRoot(p: Principal): void {
  if (p.type === 'Root') throw stsErrors.accessDenied('Roles may not be assumed by root accounts.');
}

function checkSessionName(name: string): void {
  if (name.length < 2) throw constraintError(name, 'roleSessionName', 'have length greater than or equal to 2');
  if (name.length > 64) throw constraintError(name, 'roleSessionName', 'have length less than or equal to 64');
  if (!SESSION_NAME_PATTERN.test(name)) throw constraintError(name, 'roleSessionName', 'satisfy regular expression pattern: [\\w+=,.@-]*');
}

/** 900 s to the role's MaxSessionDuration; one hour when the caller is itself a role session (chaining). */
export function sessionDuration(requested: number | undefined, role: RoleDoc, chained: boolean): number {
  const seconds = requested ?? DEFAULT_DURATION_SECONDS;
  if (seconds < MIN_DURATION_SECONDS) throw constraintError(seconds, 'durationSeconds', `have value greater than or equal to ${MIN_DURATION_SECONDS}`);
  if (chained && seconds > ROLE_CHAINING_MAX_SECONDS) {
    throw stsErrors.validation('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (seconds > role.MaxSessionDuration) throw stsErrors.validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  return seconds;
}

/** Inline `Policy` (grammar: session policy) and `PolicyArns` resolved to their documents now, as AWS does. */
async function sessionPolicies(deps: Pick<ServiceDeps, 'state'>, account: string, i: AssumeRoleRequest): Promise<SessionPolicyDoc[] | undefined> {
  const arns = (i.PolicyArns ?? []).map((p) => p.arn ?? '');
  if (arns.length > MAX_POLICY_ARNS) throw constraintError(`[${arns.join(', ')}]`, 'policyArns', `have length less than or equal to ${MAX_POLICY_ARNS}`);
  if (i.Policy === undefined && arns.length === 0) return undefined;
  const out: SessionPolicyDoc[] = [];
  if (i.Policy !== undefined) {
    try {
      parsePolicy(i.Policy, 'session', 'session/inline');
    } catch (err) {
      if (err instanceof PolicyParseError) throw stsErrors.malformed(err.message);
      throw err;
    }
    out.push({ id: 'session/inline', document: i.Policy });
  }
  const resolved = await managedPoliciesByArn(deps.state.resources, account, arns, 'session');
  resolved.forEach((p, n) => {
    if (!p) throw stsErrors.validation(`Policy ${arns[n]} does not exist or is not attachable.`);
    out.push({ id: arns[n], document: p.document });
  });
  return out;
}

/** PackedPolicySize: the share (percent) of the packed budget that session policies and tags take. */
export function packedPolicySize(policies: SessionPolicyDoc[] | undefined, tags: Tag[]): number | undefined {
  if (!policies && tags.length === 0) return undefined;
  const packed = deflateRawSync(JSON.stringify({ p: (policies ?? []).map((p) => p.document.replace(/\s/g, '')), t: tags })).length;
  const percent = Math.ceil((packed * 100) / PACKED_POLICY_BUDGET_BYTES);
  if (percent > 100) throw stsErrors.packedPolicyTooLarge(`Packed policy consumes ${percent}% of allotted space, please use smaller policy.`);
  return percent;
}

const MAX_SESSION_TAGS = 50;

function checkSessionTags(tags: Tag[] | undefined): Tag[] {
  const list = tags ?? [];
  if (list.length > MAX_SESSION_TAGS) throw constraintError(`[${list.map((t) => t.Key).join(', ')}]`, 'tags', `have length less than or equal to ${MAX_SESSION_TAGS}`);
  const keys = new Set(list.map((t) => t.Key.toLowerCase()));
  if (keys.size !== list.length) throw stsErrors.validation('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
  return list.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
}

/** In a chain, tags the previous session marked transitive carry over and cannot be replaced. */
async function chainedTags(deps: Pick<ServiceDeps, 'state'>, p: Principal, requested: Tag[]): Promise<{ tags: Tag[]; transitive: string[] }> {
  if (p.type !== 'AssumedRole' || !p.accessKeyId) return { tags: requested, transitive: [] };
  const prev = (await deps.state.resources.get<SessionDoc>(p.accountId, STS, SESSION, p.accessKeyId))?.doc;
  const transitive = prev?.TransitiveTagKeys ?? [];
  const inherited = (prev?.Tags ?? []).filter((t) => transitive.some((k) => k.toLowerCase() === t.Key.toLowerCase()));
  const clash = requested.find((t) => inherited.some((h) => h.Key.toLowerCase() === t.Key.toLowerCase()));
  if (clash) throw stsErrors.validation(`Cannot override transitive tag ${clash.Key} set by the calling session.`);
  return { tags: [...inherited, ...requested], transitive };
}

export async function assumeRole(deps: ServiceDeps, i: AssumeRoleRequest, ctx: RequestContext): Promise<AssumeRoleResponse> {
  const p = ctx.principal!;
  checkNotRoot(p);
  checkSessionName(i.RoleSessionName);
  const found = await lookupRole(deps, i.RoleArn);
  if (!found) throw stsErrors.accessDenied(`User: ${p.arn} is not authorized to perform: sts:AssumeRole on resource: ${i.RoleArn}`);
  const { role, account } = found;
  const chained = p.type === 'AssumedRole';
  const duration = sessionDuration(i.DurationSeconds, role, chained);
  const policies = await sessionPolicies(deps, account, i);
  const { tags, transitive } = await chainedTags(deps, p, checkSessionTags(i.Tags));
  const size = packedPolicySize(policies, tags);
  const sourceIdentity = p.sourceIdentity ?? i.SourceIdentity;
  const { credentials } = await createSession(deps, account, entityKey('role', role.RoleName), {
    kind: 'AssumeRole', RoleName: role.RoleName, RoleArn: role.Arn, RoleId: role.RoleId, RoleSessionName: i.RoleSessionName,
    SessionPolicies: policies, Tags: tags, TransitiveTagKeys: [...new Set([...transitive, ...(i.TransitiveTagKeys ?? [])])],
    SourceIdentity: sourceIdentity, RoleChained: chained,
  }, duration);
  await noteRoleUse(deps, account, role, ctx.region);
  await sweepExpiredSessions(deps, account);
  return {
    Credentials: credentials,
    AssumedRoleUser: {
      AssumedRoleId: `${role.RoleId}:${i.RoleSessionName}`,
      Arn: `arn:aws:sts::${account}:assumed-role/${role.RoleName}/${i.RoleSessionName}`,
    },
    PackedPolicySize: size,
    SourceIdentity: sourceIdentity,
  };
}

/** GetRole's RoleLastUsed; bookkeeping only, so a failure is logged and the call still succeeds. */
async function noteRoleUse(deps: ServiceDeps, account: string, role: RoleDoc, region: string): Promise<void> {
  try {
    await deps.state.db.transaction(async () => {
      const rec = await deps.state.resources.get<RoleDoc>(account, IAM, 'role', nameKey(role.RoleName));
      if (!rec) return;
      const RoleLastUsed = { LastUsedDate: deps.clock.now().toISOString(), Region: region };
      await deps.state.resources.update(account, IAM, 'role', rec.id, { ...rec.doc, RoleLastUsed });
    });
  } catch (err) {
    deps.log.warn({ err, role: role.Arn }, 'could not record role use');
  }
}
