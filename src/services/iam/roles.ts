import type { ParsedPolicy } from '../../iam-engine/types.js';
import { CommonErrors } from '../../protocol/errors.js';
import type { Operations, Role } from './api.generated.js';
import { parseIamArn, roleArn } from './arns.js';
import { addAttachment, attachmentsOf, removeAttachment } from './attachment-records.js';
import { pathResource, roleTarget } from './authz.js';
import { accountOf, type Iam } from './context.js';
import { operationsOf } from './define.js';
import { iamErrors } from './errors.js';
import { newUniqueId } from './ids.js';
import { requireAttachable } from './managed.js';
import { pageFields, pageRecords, pathFilter } from './paging.js';
import { checkTrustPolicySize, parseOrMalformed, urlEncodeDocument } from './policy-documents.js';
import { IAM, entityKey, findRole, findUser, nameKey, type RoleDoc } from './store.js';
import { checkTags, requestTagKeys } from './tags.js';
import { boundaryShape } from './users.js';

const define = operationsOf<Operations>();

export const DEFAULT_MAX_SESSION_DURATION = 3600;

/** `full` adds tags, boundary and last use: ListRoles leaves them out, GetRole/CreateRole return them. */
export function roleShape(d: RoleDoc, full: boolean): Role {
  const role: Role = {
    Path: d.Path, RoleName: d.RoleName, RoleId: d.RoleId, Arn: d.Arn, CreateDate: new Date(d.CreateDate),
    AssumeRolePolicyDocument: urlEncodeDocument(d.AssumeRolePolicyDocument),
    Description: d.Description, MaxSessionDuration: d.MaxSessionDuration,
  };
  if (full) {
    if (d.PermissionsBoundary) role.PermissionsBoundary = boundaryShape(d.PermissionsBoundary);
    if (d.Tags.length > 0) role.Tags = d.Tags;
    role.RoleLastUsed = d.RoleLastUsed ? { LastUsedDate: new Date(d.RoleLastUsed.LastUsedDate), Region: d.RoleLastUsed.Region } : {};
  }
  return role;
}

export async function requireRole(c: Iam, account: string, name: string): Promise<RoleDoc> {
  const role = await findRole(c.res, account, name);
  if (!role) throw iamErrors.noSuchEntityNamed('role', name);
  return role;
}

/** The model says 3600–43200; checked here too because the handler is also reachable without the gateway. */
function checkMaxSessionDuration(value: number | undefined): void {
  if (value === undefined) return;
  if (value < 3600 || value > 43200 || !Number.isInteger(value)) {
    const bound = value < 3600 ? 'greater than or equal to 3600' : 'less than or equal to 43200';
    throw CommonErrors.validation(`1 validation error detected: Value '${value}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value ${bound}`, 'query');
  }
}

/**
 * IAM rejects a trust policy that names a user or role of this account that does not exist (it stores principals
 * by unique id). Wildcards, services, other accounts and account principals are not checked.
 */
async function checkTrustPrincipals(c: Iam, account: string, policy: ParsedPolicy): Promise<void> {
  for (const st of policy.Statement) {
    for (const spec of [st.Principal, st.NotPrincipal]) {
      if (!spec || spec === '*') continue;
      for (const value of spec.AWS ?? []) {
        const arn = parseIamArn(value);
        if (!arn || arn.account !== account || /[*?]/.test(value) || (arn.type !== 'user' && arn.type !== 'role')) continue;
        const exists = arn.type === 'user' ? await findUser(c.res, account, arn.name) : await findRole(c.res, account, arn.name);
        if (!exists || exists.Arn !== value) throw iamErrors.malformed(`Invalid principal in policy: "AWS":"${value}"`);
      }
    }
  }
}

async function validateTrustPolicy(c: Iam, account: string, document: string, arn: string): Promise<void> {
  checkTrustPolicySize(document);
  await checkTrustPrincipals(c, account, parseOrMalformed(document, 'trust', arn));
}

export function roleOperations(c: Iam) {
  return define({
    CreateRole: {
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName, {
        ...requestTagKeys(i.Tags),
        ...(i.PermissionsBoundary ? { 'iam:PermissionsBoundary': i.PermissionsBoundary } : {}),
      }),
      handler: async (i, ctx) => ({ Role: roleShape(await createRole(c, accountOf(ctx), i), true) }),
    },
    GetRole: {
      readOnly: true,
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName),
      handler: async (i, ctx) => ({ Role: roleShape(await requireRole(c, accountOf(ctx), i.RoleName), true) }),
    },
    ListRoles: {
      readOnly: true,
      authz: (i, ctx) => pathResource(ctx, 'role', i.PathPrefix),
      handler: async (i, ctx) => {
        const page = await pageRecords<RoleDoc>(c.res, accountOf(ctx), 'role', { filter: pathFilter(i.PathPrefix), marker: i.Marker, maxItems: i.MaxItems });
        return { Roles: page.items.map((r) => roleShape(r.doc, false)), ...pageFields(page) };
      },
    },
    UpdateRole: {
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName),
      handler: async (i, ctx) => {
        checkMaxSessionDuration(i.MaxSessionDuration);
        await changeRole(c, accountOf(ctx), i.RoleName, (r) => ({
          ...r,
          Description: i.Description ?? r.Description,
          MaxSessionDuration: i.MaxSessionDuration ?? r.MaxSessionDuration,
        }));
        return {};
      },
    },
    UpdateAssumeRolePolicy: {
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        const role = await requireRole(c, account, i.RoleName);
        await validateTrustPolicy(c, account, i.PolicyDocument, role.Arn);
        await changeRole(c, account, i.RoleName, (r) => ({ ...r, AssumeRolePolicyDocument: i.PolicyDocument }));
      },
    },
    DeleteRole: {
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName),
      handler: async (i, ctx) => deleteRole(c, accountOf(ctx), i.RoleName),
    },
  });
}

async function createRole(c: Iam, account: string, i: Operations['CreateRole']['input']): Promise<RoleDoc> {
  checkMaxSessionDuration(i.MaxSessionDuration);
  const path = i.Path ?? '/';
  const arn = roleArn(account, path, i.RoleName);
  await validateTrustPolicy(c, account, i.AssumeRolePolicyDocument, arn);
  const doc: RoleDoc = {
    RoleName: i.RoleName, RoleId: newUniqueId('AROA'), Path: path, Arn: arn, CreateDate: c.now().toISOString(),
    AssumeRolePolicyDocument: i.AssumeRolePolicyDocument, Description: i.Description,
    MaxSessionDuration: i.MaxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION,
    Tags: checkTags(i.Tags), PermissionsBoundary: i.PermissionsBoundary,
  };
  await c.tx(async () => {
    const boundary = i.PermissionsBoundary ? await requireAttachable(c.res, account, i.PermissionsBoundary, true) : undefined;
    if (!(await c.res.create(account, IAM, 'role', nameKey(i.RoleName), doc))) throw iamErrors.entityExists('role', i.RoleName);
    if (boundary) await addAttachment(c.res, account, boundary, 'B', 'role', i.RoleName);
  });
  return doc;
}

export async function changeRole(c: Iam, account: string, name: string, change: (r: RoleDoc) => RoleDoc): Promise<void> {
  await c.tx(async () => {
    const role = await requireRole(c, account, name);
    await c.res.update(account, IAM, 'role', nameKey(role.RoleName), change(role));
  });
  c.invalidate(account);
}

async function deleteRole(c: Iam, account: string, name: string): Promise<void> {
  await c.tx(async () => {
    const role = await requireRole(c, account, name);
    if ((await c.res.count(account, IAM, 'inline-policy', entityKey('role', role.RoleName))) > 0) {
      throw iamErrors.deleteConflict('Cannot delete entity, must delete policies first.');
    }
    if ((await attachmentsOf(c.res, account, 'role', role.RoleName)).length > 0) {
      throw iamErrors.deleteConflict('Cannot delete entity, must detach all policies first.');
    }
    if (role.PermissionsBoundary) await removeAttachment(c.res, account, role.PermissionsBoundary, 'B', 'role', role.RoleName);
    await c.res.delete(account, IAM, 'role', nameKey(role.RoleName));
  });
  c.invalidate(account);
}
