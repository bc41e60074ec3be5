import type { AttachedPolicy, Operations } from './api.generated.js';
import { parseIamArn } from './arns.js';
import { addAttachment, attachmentsOf, entitiesOf, removeAttachment } from './attachment-records.js';
import { groupTarget, roleTarget, userTarget } from './authz.js';
import { accountOf, type Iam } from './context.js';
import { operationsOf } from './define.js';
import { findEntity, requireEntity, type EntityRef } from './entities.js';
import { capitalize, iamErrors } from './errors.js';
import { requireAttachable } from './managed.js';
import { pageArray, pageFields } from './paging.js';
import { requirePolicy } from './policies.js';
import type { EntityType } from './store.js';

const define = operationsOf<Operations>();

/** Default quota of managed policies attached to one user, group or role. */
export const MAX_ATTACHED_POLICIES = 10;

const policyArnKeys = (arn: string) => ({ 'iam:PolicyARN': arn });

async function attach(c: Iam, account: string, type: EntityType, name: string, arn: string): Promise<void> {
  await c.tx(async () => {
    const entity = await requireEntity(c.res, account, type, name);
    const policy = await requireAttachable(c.res, account, arn);
    const current = await attachmentsOf(c.res, account, type, entity.name);
    if (current.some((a) => a.PolicyArn === arn)) return;
    if (current.length >= MAX_ATTACHED_POLICIES) {
      throw iamErrors.limitExceeded(`Cannot exceed quota for PoliciesPer${capitalize(type)}: ${MAX_ATTACHED_POLICIES}`);
    }
    await addAttachment(c.res, account, policy, 'P', type, entity.name);
  });
  c.invalidate(account);
}

async function detach(c: Iam, account: string, type: EntityType, name: string, arn: string): Promise<void> {
  await c.tx(async () => {
    const entity = await requireEntity(c.res, account, type, name);
    if (!(await removeAttachment(c.res, account, arn, 'P', type, entity.name))) throw iamErrors.noSuchEntity(`Policy ${arn} was not found.`);
  });
  c.invalidate(account);
}

async function listAttached(c: Iam, account: string, type: EntityType, name: string, i: { PathPrefix?: string; Marker?: string; MaxItems?: number }) {
  const entity = await requireEntity(c.res, account, type, name);
  const attached: AttachedPolicy[] = (await attachmentsOf(c.res, account, type, entity.name))
    .filter((a) => !i.PathPrefix || (parseIamArn(a.PolicyArn)?.path ?? '/').startsWith(i.PathPrefix))
    .map((a) => ({ PolicyName: a.PolicyName, PolicyArn: a.PolicyArn }));
  const page = pageArray(attached, i.Marker, i.MaxItems);
  return { AttachedPolicies: page.items, ...pageFields(page) };
}

const ENTITY_FILTER: Record<string, EntityType> = { User: 'user', Group: 'group', Role: 'role' };

async function listEntitiesForPolicy(c: Iam, account: string, i: Operations['ListEntitiesForPolicy']['input']) {
  await requirePolicy(c, account, i.PolicyArn);
  const only = i.EntityFilter ? ENTITY_FILTER[i.EntityFilter] : undefined;
  const rows = [
    ...(i.PolicyUsageFilter !== 'PermissionsBoundary' ? await entitiesOf(c.res, account, i.PolicyArn, 'P') : []),
    ...(i.PolicyUsageFilter !== 'PermissionsPolicy' ? await entitiesOf(c.res, account, i.PolicyArn, 'B') : []),
  ];
  const entities: EntityRef[] = [];
  for (const doc of rows) {
    if (only && doc.EntityType !== only) continue;
    if (entities.some((e) => e.type === doc.EntityType && e.name === doc.EntityName)) continue;
    const e = await findEntity(c.res, account, doc.EntityType, doc.EntityName);
    if (e && (!i.PathPrefix || e.path.startsWith(i.PathPrefix))) entities.push(e);
  }
  const page = pageArray(entities, i.Marker, i.MaxItems);
  const of = (t: EntityType) => page.items.filter((e) => e.type === t);
  return {
    PolicyGroups: of('group').map((e) => ({ GroupName: e.name, GroupId: e.id })),
    PolicyUsers: of('user').map((e) => ({ UserName: e.name, UserId: e.id })),
    PolicyRoles: of('role').map((e) => ({ RoleName: e.name, RoleId: e.id })),
    ...pageFields(page),
  };
}

export function attachmentOperations(c: Iam) {
  return define({
    AttachUserPolicy: {
      authz: (i, ctx) => userTarget(c, ctx, i.UserName, policyArnKeys(i.PolicyArn)),
      handler: (i, ctx) => attach(c, accountOf(ctx), 'user', i.UserName, i.PolicyArn),
    },
    DetachUserPolicy: {
      authz: (i, ctx) => userTarget(c, ctx, i.UserName, policyArnKeys(i.PolicyArn)),
      handler: (i, ctx) => detach(c, accountOf(ctx), 'user', i.UserName, i.PolicyArn),
    },
    ListAttachedUserPolicies: {
      readOnly: true,
      authz: (i, ctx) => userTarget(c, ctx, i.UserName),
      handler: (i, ctx) => listAttached(c, accountOf(ctx), 'user', i.UserName, i),
    },
    AttachGroupPolicy: {
      authz: (i, ctx) => groupTarget(c, ctx, i.GroupName, policyArnKeys(i.PolicyArn)),
      handler: (i, ctx) => attach(c, accountOf(ctx), 'group', i.GroupName, i.PolicyArn),
    },
    DetachGroupPolicy: {
      authz: (i, ctx) => groupTarget(c, ctx, i.GroupName, policyArnKeys(i.PolicyArn)),
      handler: (i, ctx) => detach(c, accountOf(ctx), 'group', i.GroupName, i.PolicyArn),
    },
    ListAttachedGroupPolicies: {
      readOnly: true,
      authz: (i, ctx) => groupTarget(c, ctx, i.GroupName),
      handler: (i, ctx) => listAttached(c, accountOf(ctx), 'group', i.GroupName, i),
    },
    AttachRolePolicy: {
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName, policyArnKeys(i.PolicyArn)),
      handler: (i, ctx) => attach(c, accountOf(ctx), 'role', i.RoleName, i.PolicyArn),
    },
    DetachRolePolicy: {
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName, policyArnKeys(i.PolicyArn)),
      handler: (i, ctx) => detach(c, accountOf(ctx), 'role', i.RoleName, i.PolicyArn),
    },
    ListAttachedRolePolicies: {
      readOnly: true,
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName),
      handler: (i, ctx) => listAttached(c, accountOf(ctx), 'role', i.RoleName, i),
    },
    ListEntitiesForPolicy: {
      readOnly: true,
      authz: (i) => ({ resources: [i.PolicyArn] }),
      handler: (i, ctx) => listEntitiesForPolicy(c, accountOf(ctx), i),
    },
  });
}
