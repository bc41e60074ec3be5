import type { ResourceStore } from '../../state/types.js';
import type { Tag } from './api.generated.js';
import { listEvery, type ListScope } from '../../state/list-every.js';

/**
 * IAM's data layout on the ResourceStore (service `iam`). Names are unique case-insensitively in IAM, so ids
 * are lower-cased names and the document keeps the name as spelled. Child records are keyed by an entity key
 * (`user/<lower name>`, `group/…`, `role/…`) so one listing by parent answers "what belongs to X".
 *
 *   user            id lower(UserName)
 *   group           id lower(GroupName)
 *   group-member    id `<lower group>/<lower user>`, parent lower(user)  (prefix listing → members; parent → groups)
 *   role            id lower(RoleName)
 *   policy          id lower(PolicyName) (customer managed; names are unique per account whatever the path)
 *   policy-version  id `<lower policy>/<VersionId>`, parent lower(policy)
 *   inline-policy   id `<entity key>/<PolicyName>`, parent entity key
 *   attachment      id `<entity key>|<P|B>|<policy ARN>`, parent `<P|B>|<policy ARN>` (P: permissions, B: boundary):
 *                   id prefix → an entity's policies; parent → a policy's entities, and a COUNT gives AttachmentCount
 *                   and PermissionsBoundaryUsageCount without counters that concurrent writers could get wrong.
 *   access-key      id AccessKeyId, parent lower(user) or ROOT_OWNER
 */
export const IAM = 'iam';

export type EntityType = 'user' | 'group' | 'role';
export type Usage = 'P' | 'B';

/** Parent of the root user's access keys: `#` cannot occur in IAM names. */
export const ROOT_OWNER = '#root';

export interface UserDoc {
  UserName: string;
  UserId: string;
  Path: string;
  Arn: string;
  CreateDate: string;
  Tags: Tag[];
  PermissionsBoundary?: string;
}

export interface GroupDoc {
  GroupName: string;
  GroupId: string;
  Path: string;
  Arn: string;
  CreateDate: string;
}

export interface MembershipDoc {
  GroupName: string;
  UserName: string;
}

export interface RoleDoc {
  RoleName: string;
  RoleId: string;
  Path: string;
  Arn: string;
  CreateDate: string;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration: number;
  Tags: Tag[];
  PermissionsBoundary?: string;
  RoleLastUsed?: { LastUsedDate: string; Region: string };
}

export interface ManagedPolicyDoc {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  DefaultVersionId: string;
  Description?: string;
  CreateDate: string;
  UpdateDate: string;
  Tags: Tag[];
  /** Version ids are never reused, even after DeletePolicyVersion. */
  NextVersion: number;
}

export interface PolicyVersionDoc {
  VersionId: string;
  Document: string;
  CreateDate: string;
}

export interface InlinePolicyDoc {
  PolicyName: string;
  PolicyDocument: string;
}

export interface AttachmentDoc {
  PolicyArn: string;
  PolicyName: string;
  EntityType: EntityType;
  EntityName: string;
  Usage: Usage;
}

export interface PolicyUsage {
  AttachmentCount: number;
  PermissionsBoundaryUsageCount: number;
}

export interface AccessKeyDoc {
  AccessKeyId: string;
  /** Absent for the root user's keys. */
  UserName?: string;
  Status: 'Active' | 'Inactive';
  CreateDate: string;
  /** The secret sealed under the master key with context `access-key:<id>`. */
  SealedSecret: string;
  LastUsed?: { LastUsedDate: string; ServiceName: string; Region: string };
}

export const nameKey = (name: string): string => name.toLowerCase();
export const entityKey = (type: EntityType, name: string): string => `${type}/${nameKey(name)}`;
export const membershipId = (group: string, user: string): string => `${nameKey(group)}/${nameKey(user)}`;
export const inlinePolicyId = (type: EntityType, entity: string, policyName: string): string =>
  `${entityKey(type, entity)}/${policyName}`;
export const attachmentId = (policyArn: string, usage: Usage, type: EntityType, entity: string): string =>
  `${entityKey(type, entity)}|${usage}|${policyArn}`;
export const attachmentParent = (policyArn: string, usage: Usage): string => `${usage}|${policyArn}`;
export const versionId = (policyName: string, version: string): string => `${nameKey(policyName)}/${version}`;

/** Typed getters for the entity kinds looked up by name everywhere. */
export async function findUser(res: ResourceStore, account: string, name: string): Promise<UserDoc | undefined> {
  return (await res.get<UserDoc>(account, IAM, 'user', nameKey(name)))?.doc;
}
export async function findGroup(res: ResourceStore, account: string, name: string): Promise<GroupDoc | undefined> {
  return (await res.get<GroupDoc>(account, IAM, 'group', nameKey(name)))?.doc;
}
export async function findRole(res: ResourceStore, account: string, name: string): Promise<RoleDoc | undefined> {
  return (await res.get<RoleDoc>(account, IAM, 'role', nameKey(name)))?.doc;
}

/** Lists every record of a kind under one parent (or id prefix), following the store's pages. */
export function listAll<T>(res: ResourceStore, account: string, kind: string, opts: ListScope): Promise<{ id: string; doc: T }[]> {
  return listEvery<T>(res, account, IAM, kind, opts);
}
