import { parsePolicy } from '../../iam-engine/index.js';
import type { ParsedPolicy, PolicyKind } from '../../iam-engine/types.js';
import type { ResourceStore } from '../../state/types.js';
import type { PolicySourceType } from './api.generated.js';
import { attachmentsOf } from './attachment-records.js';
import { defaultDocument, findManagedPolicy } from './managed.js';
import {
  entityKey, listAll, nameKey, type EntityType, type GroupDoc, type InlinePolicyDoc, type MembershipDoc, type RoleDoc, type UserDoc,
} from './store.js';

/** A parsed policy plus where it came from, so simulation results can name it as AWS does. */
export interface SourcedPolicy {
  policy: ParsedPolicy;
  /** Inline policies by name, managed policies by name (AWS's SourcePolicyId). */
  sourceId: string;
  sourceType: PolicySourceType;
  document: string;
}

export interface EntityPolicies {
  identity: SourcedPolicy[];
  boundary?: SourcedPolicy;
}

/**
 * Stored documents were validated when they were written. Parsing them again can still fail if the engine's
 * grammar got stricter; that must fail the request rather than silently drop a Deny.
 */
function sourced(document: string, kind: PolicyKind, id: string, sourceId: string, sourceType: PolicySourceType): SourcedPolicy {
  return { policy: parsePolicy(document, kind, id), sourceId, sourceType, document };
}

export async function inlinePoliciesOf(res: ResourceStore, account: string, type: EntityType, name: string): Promise<SourcedPolicy[]> {
  const rows = await listAll<InlinePolicyDoc>(res, account, 'inline-policy', { parentId: entityKey(type, name) });
  return rows.map(({ doc }) => sourced(doc.PolicyDocument, 'identity', `${type}/${name}/${doc.PolicyName}`, doc.PolicyName, type));
}

async function managedPolicy(res: ResourceStore, account: string, arn: string, kind: PolicyKind): Promise<SourcedPolicy | undefined> {
  const found = await findManagedPolicy(res, account, arn);
  if (!found) return undefined;
  const document = await defaultDocument(res, account, found);
  const name = found.local ? found.local.PolicyName : found.aws.PolicyName;
  return sourced(document, kind, arn, name, found.aws ? 'aws-managed' : 'user-managed');
}

export async function attachedPoliciesOf(res: ResourceStore, account: string, type: EntityType, name: string): Promise<SourcedPolicy[]> {
  const out: SourcedPolicy[] = [];
  for (const a of await attachmentsOf(res, account, type, name)) {
    const p = await managedPolicy(res, account, a.PolicyArn, 'identity');
    if (p) out.push(p);
  }
  return out;
}

export async function boundaryPolicy(res: ResourceStore, account: string, arn: string | undefined): Promise<SourcedPolicy | undefined> {
  return arn ? managedPolicy(res, account, arn, 'boundary') : undefined;
}

/** Resolves managed policy ARNs to documents as policies of `kind` (session policies passed to AssumeRole). */
export async function managedPoliciesByArn(res: ResourceStore, account: string, arns: string[], kind: PolicyKind): Promise<(SourcedPolicy | undefined)[]> {
  return Promise.all(arns.map((arn) => managedPolicy(res, account, arn, kind)));
}

export async function groupPolicies(res: ResourceStore, account: string, group: GroupDoc): Promise<EntityPolicies> {
  const [inline, attached] = await Promise.all([
    inlinePoliciesOf(res, account, 'group', group.GroupName),
    attachedPoliciesOf(res, account, 'group', group.GroupName),
  ]);
  return { identity: [...inline, ...attached] };
}

export async function groupsOfUser(res: ResourceStore, account: string, userName: string): Promise<string[]> {
  const rows = await listAll<MembershipDoc>(res, account, 'group-member', { parentId: nameKey(userName) });
  return rows.map((r) => r.doc.GroupName);
}

/** A user's own inline and attached policies, those of every group it is in, and its permissions boundary. */
export async function userPolicies(res: ResourceStore, account: string, user: UserDoc): Promise<EntityPolicies> {
  const [inline, attached, groups, boundary] = await Promise.all([
    inlinePoliciesOf(res, account, 'user', user.UserName),
    attachedPoliciesOf(res, account, 'user', user.UserName),
    groupsOfUser(res, account, user.UserName),
    boundaryPolicy(res, account, user.PermissionsBoundary),
  ]);
  const identity = [...inline, ...attached];
  for (const group of groups) {
    identity.push(...(await inlinePoliciesOf(res, account, 'group', group)), ...(await attachedPoliciesOf(res, account, 'group', group)));
  }
  return { identity, boundary };
}

export async function rolePolicies(res: ResourceStore, account: string, role: RoleDoc): Promise<EntityPolicies> {
  const [inline, attached, boundary] = await Promise.all([
    inlinePoliciesOf(res, account, 'role', role.RoleName),
    attachedPoliciesOf(res, account, 'role', role.RoleName),
    boundaryPolicy(res, account, role.PermissionsBoundary),
  ]);
  return { identity: [...inline, ...attached], boundary };
}
