import type { Operations } from './api.generated.js';
import { addAttachment, removeAttachment } from './attachment-records.js';
import { roleTarget, userTarget } from './authz.js';
import { accountOf, type Iam } from './context.js';
import { operationsOf } from './define.js';
import { iamErrors } from './errors.js';
import { requireAttachable } from './managed.js';
import { IAM, nameKey } from './store.js';

const define = operationsOf<Operations>();

type Bounded = 'user' | 'role';

/** Sets (arn) or removes (undefined) the boundary of a user or role, keeping the boundary usage records in step. */
async function setBoundary(c: Iam, account: string, type: Bounded, name: string, arn: string | undefined): Promise<void> {
  await c.tx(async () => {
    const rec = await c.res.get<{ PermissionsBoundary?: string; UserName?: string; RoleName?: string }>(account, IAM, type, nameKey(name));
    if (!rec) throw iamErrors.noSuchEntityNamed(type, name);
    const stored = (type === 'user' ? rec.doc.UserName : rec.doc.RoleName)!;
    const current = rec.doc.PermissionsBoundary;
    if (current === arn) return;
    const policy = arn ? await requireAttachable(c.res, account, arn, true) : undefined;
    if (current) await removeAttachment(c.res, account, current, 'B', type, stored);
    if (policy) await addAttachment(c.res, account, policy, 'B', type, stored);
    await c.res.update(account, IAM, type, rec.id, { ...rec.doc, PermissionsBoundary: arn });
  });
  c.invalidate(account);
}

const boundaryKeys = (arn: string) => ({ 'iam:PermissionsBoundary': arn });

export function boundaryOperations(c: Iam) {
  return define({
    PutUserPermissionsBoundary: {
      authz: (i, ctx) => userTarget(c, ctx, i.UserName, boundaryKeys(i.PermissionsBoundary)),
      handler: (i, ctx) => setBoundary(c, accountOf(ctx), 'user', i.UserName, i.PermissionsBoundary),
    },
    DeleteUserPermissionsBoundary: {
      authz: (i, ctx) => userTarget(c, ctx, i.UserName),
      handler: (i, ctx) => setBoundary(c, accountOf(ctx), 'user', i.UserName, undefined),
    },
    PutRolePermissionsBoundary: {
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName, boundaryKeys(i.PermissionsBoundary)),
      handler: (i, ctx) => setBoundary(c, accountOf(ctx), 'role', i.RoleName, i.PermissionsBoundary),
    },
    DeleteRolePermissionsBoundary: {
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName),
      handler: (i, ctx) => setBoundary(c, accountOf(ctx), 'role', i.RoleName, undefined),
    },
  });
}
