import type { Operations } from './api.generated.js';
import { groupTarget, roleTarget, userTarget } from './authz.js';
import { accountOf, type Iam } from './context.js';
import { operationsOf } from './define.js';
import { requireEntity } from './entities.js';
import { iamErrors } from './errors.js';
import { pageFields, pageRecords } from './paging.js';
import { checkInlinePolicySize, parseOrMalformed, policySize, urlEncodeDocument } from './policy-documents.js';
import { IAM, entityKey, inlinePolicyId, listAll, type EntityType, type InlinePolicyDoc } from './store.js';

const define = operationsOf<Operations>();

/** The entity's name as stored (IAM names match case-insensitively), or NoSuchEntity. */
async function requireName(c: Iam, account: string, type: EntityType, name: string): Promise<string> {
  return (await requireEntity(c.res, account, type, name)).name;
}

const noSuchPolicy = (type: EntityType, policyName: string) =>
  iamErrors.noSuchEntity(`The ${type} policy with name ${policyName} cannot be found.`);

async function putInline(c: Iam, account: string, type: EntityType, name: string, policyName: string, document: string): Promise<void> {
  await c.tx(async () => {
    const entity = await requireName(c, account, type, name);
    parseOrMalformed(document, 'identity', `${type}/${entity}/${policyName}`);
    const others = await listAll<InlinePolicyDoc>(c.res, account, 'inline-policy', { parentId: entityKey(type, entity) });
    const otherSize = others.filter((o) => o.doc.PolicyName !== policyName).reduce((n, o) => n + policySize(o.doc.PolicyDocument), 0);
    checkInlinePolicySize(type, entity, document, otherSize);
    const id = inlinePolicyId(type, entity, policyName);
    const doc: InlinePolicyDoc = { PolicyName: policyName, PolicyDocument: document };
    if (!(await c.res.update(account, IAM, 'inline-policy', id, doc))) await c.res.create(account, IAM, 'inline-policy', id, doc, entityKey(type, entity));
  });
  c.invalidate(account);
}

async function getInline(c: Iam, account: string, type: EntityType, name: string, policyName: string): Promise<{ entity: string; document: string }> {
  const entity = await requireName(c, account, type, name);
  const rec = await c.res.get<InlinePolicyDoc>(account, IAM, 'inline-policy', inlinePolicyId(type, entity, policyName));
  if (!rec) throw noSuchPolicy(type, policyName);
  return { entity, document: urlEncodeDocument(rec.doc.PolicyDocument) };
}

async function listInline(c: Iam, account: string, type: EntityType, name: string, marker?: string, maxItems?: number) {
  const entity = await requireName(c, account, type, name);
  const page = await pageRecords<InlinePolicyDoc>(c.res, account, 'inline-policy', { parentId: entityKey(type, entity), marker, maxItems });
  return { PolicyNames: page.items.map((r) => r.doc.PolicyName), ...pageFields(page) };
}

async function deleteInline(c: Iam, account: string, type: EntityType, name: string, policyName: string): Promise<void> {
  const entity = await requireName(c, account, type, name);
  if (!(await c.res.delete(account, IAM, 'inline-policy', inlinePolicyId(type, entity, policyName)))) throw noSuchPolicy(type, policyName);
  c.invalidate(account);
}

export function inlinePolicyOperations(c: Iam) {
  return define({
    PutUserPolicy: {
      authz: (i, ctx) => userTarget(c, ctx, i.UserName),
      handler: (i, ctx) => putInline(c, accountOf(ctx), 'user', i.UserName, i.PolicyName, i.PolicyDocument),
    },
    GetUserPolicy: {
      readOnly: true,
      authz: (i, ctx) => userTarget(c, ctx, i.UserName),
      handler: async (i, ctx) => {
        const { entity, document } = await getInline(c, accountOf(ctx), 'user', i.UserName, i.PolicyName);
        return { UserName: entity, PolicyName: i.PolicyName, PolicyDocument: document };
      },
    },
    ListUserPolicies: {
      readOnly: true,
      authz: (i, ctx) => userTarget(c, ctx, i.UserName),
      handler: (i, ctx) => listInline(c, accountOf(ctx), 'user', i.UserName, i.Marker, i.MaxItems),
    },
    DeleteUserPolicy: {
      authz: (i, ctx) => userTarget(c, ctx, i.UserName),
      handler: (i, ctx) => deleteInline(c, accountOf(ctx), 'user', i.UserName, i.PolicyName),
    },
    PutGroupPolicy: {
      authz: (i, ctx) => groupTarget(c, ctx, i.GroupName),
      handler: (i, ctx) => putInline(c, accountOf(ctx), 'group', i.GroupName, i.PolicyName, i.PolicyDocument),
    },
    GetGroupPolicy: {
      readOnly: true,
      authz: (i, ctx) => groupTarget(c, ctx, i.GroupName),
      handler: async (i, ctx) => {
        const { entity, document } = await getInline(c, accountOf(ctx), 'group', i.GroupName, i.PolicyName);
        return { GroupName: entity, PolicyName: i.PolicyName, PolicyDocument: document };
      },
    },
    ListGroupPolicies: {
      readOnly: true,
      authz: (i, ctx) => groupTarget(c, ctx, i.GroupName),
      handler: (i, ctx) => listInline(c, accountOf(ctx), 'group', i.GroupName, i.Marker, i.MaxItems),
    },
    DeleteGroupPolicy: {
      authz: (i, ctx) => groupTarget(c, ctx, i.GroupName),
      handler: (i, ctx) => deleteInline(c, accountOf(ctx), 'group', i.GroupName, i.PolicyName),
    },
    PutRolePolicy: {
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName),
      handler: (i, ctx) => putInline(c, accountOf(ctx), 'role', i.RoleName, i.PolicyName, i.PolicyDocument),
    },
    GetRolePolicy: {
      readOnly: true,
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName),
      handler: async (i, ctx) => {
        const { entity, document } = await getInline(c, accountOf(ctx), 'role', i.RoleName, i.PolicyName);
        return { RoleName: entity, PolicyName: i.PolicyName, PolicyDocument: document };
      },
    },
    ListRolePolicies: {
      readOnly: true,
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName),
      handler: (i, ctx) => listInline(c, accountOf(ctx), 'role', i.RoleName, i.Marker, i.MaxItems),
    },
    DeleteRolePolicy: {
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName),
      handler: (i, ctx) => deleteInline(c, accountOf(ctx), 'role', i.RoleName, i.PolicyName),
    },
  });
}
