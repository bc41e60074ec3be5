import type { RequestContext } from '../../gateway/context.js';
import { CommonErrors } from '../../protocol/errors.js';
import type { Operations, User } from './api.generated.js';
import { rootArn, userArn } from './arns.js';
import { addAttachment, attachmentsOf, removeAttachment } from './attachment-records.js';
import { pathResource, userTarget } from './authz.js';
import { accountOf, caller, type Iam } from './context.js';
import { operationsOf } from './define.js';
import { iamErrors } from './errors.js';
import { newUniqueId } from './ids.js';
import { requireAttachable } from './managed.js';
import { pageFields, pageRecords, pathFilter } from './paging.js';
import { IAM, entityKey, findUser, listAll, nameKey, type UserDoc } from './store.js';
import { checkTags, requestTagKeys } from './tags.js';
import { renameUserChildren } from './user-rename.js';

const define = operationsOf<Operations>();

export function boundaryShape(arn: string | undefined): User['PermissionsBoundary'] {
  return arn ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn } : undefined;
}

/** `full` adds tags and boundary: AWS's list calls leave them out, Get/Create return them. */
export function userShape(doc: UserDoc, full: boolean): User {
  const user: User = { Path: doc.Path, UserName: doc.UserName, UserId: doc.UserId, Arn: doc.Arn, CreateDate: new Date(doc.CreateDate) };
  if (full) {
    if (doc.PermissionsBoundary) user.PermissionsBoundary = boundaryShape(doc.PermissionsBoundary);
    if (doc.Tags.length > 0) user.Tags = doc.Tags;
  }
  return user;
}

export async function requireUser(c: Iam, account: string, name: string): Promise<UserDoc> {
  const user = await findUser(c.res, account, name);
  if (!user) throw iamErrors.noSuchEntityNamed('user', name);
  return user;
}

/** GetUser as root describes the account's root user (no name or path, the account id as UserId). */
async function rootUser(c: Iam, account: string): Promise<User> {
  const created = await c.deps.state.meta.get(`iam:account-created:${account}`);
  return { UserId: account, Arn: rootArn(account), CreateDate: created ? new Date(created) : c.now() } as User;
}

/** Operations that default to the calling user; role sessions must name one (AWS's wording). */
export function targetUserName(ctx: RequestContext, name: string | undefined): string | undefined {
  if (name) return name;
  const p = caller(ctx);
  if (p.type === 'User') return p.userName;
  if (p.type === 'Root') return undefined;
  throw CommonErrors.validation('Must specify userName when calling with non-User credentials', 'query');
}

export function userOperations(c: Iam) {
  return define({
    CreateUser: {
      authz: (i, ctx) => userTarget(c, ctx, i.UserName, {
        ...requestTagKeys(i.Tags),
        ...(i.PermissionsBoundary ? { 'iam:PermissionsBoundary': i.PermissionsBoundary } : {}),
      }),
      handler: async (i, ctx) => ({ User: userShape(await createUser(c, accountOf(ctx), i), true) }),
    },
    GetUser: {
      readOnly: true,
      authz: (i, ctx) => userTarget(c, ctx, i.UserName),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        const name = targetUserName(ctx, i.UserName);
        return { User: name ? userShape(await requireUser(c, account, name), true) : await rootUser(c, account) };
      },
    },
    ListUsers: {
      readOnly: true,
      authz: (i, ctx) => pathResource(ctx, 'user', i.PathPrefix),
      handler: async (i, ctx) => {
        const page = await pageRecords<UserDoc>(c.res, accountOf(ctx), 'user', { filter: pathFilter(i.PathPrefix), marker: i.Marker, maxItems: i.MaxItems });
        return { Users: page.items.map((r) => userShape(r.doc, false)), ...pageFields(page) };
      },
    },
    UpdateUser: {
      authz: (i, ctx) => userTarget(c, ctx, i.UserName),
      handler: async (i, ctx) => updateUser(c, accountOf(ctx), i.UserName, i.NewUserName, i.NewPath),
    },
    DeleteUser: {
      authz: (i, ctx) => userTarget(c, ctx, i.UserName),
      handler: async (i, ctx) => deleteUser(c, accountOf(ctx), i.UserName),
    },
  });
}

async function createUser(c: Iam, account: string, i: Operations['CreateUser']['input']): Promise<UserDoc> {
  const path = i.Path ?? '/';
  const doc: UserDoc = {
    UserName: i.UserName,
    UserId: newUniqueId('AIDA'),
    Path: path,
    Arn: userArn(account, path, i.UserName),
    CreateDate: c.now().toISOString(),
    Tags: checkTags(i.Tags),
    PermissionsBoundary: i.PermissionsBoundary,
  };
  await c.tx(async () => {
    const boundary = i.PermissionsBoundary ? await requireAttachable(c.res, account, i.PermissionsBoundary, true) : undefined;
    if (!(await c.res.create(account, IAM, 'user', nameKey(i.UserName), doc))) throw iamErrors.entityExists('user', i.UserName);
    if (boundary) await addAttachment(c.res, account, boundary, 'B', 'user', i.UserName);
  });
  return doc;
}

async function updateUser(c: Iam, account: string, name: string, newName: string | undefined, newPath: string | undefined): Promise<void> {
  await c.tx(async () => {
    const user = await requireUser(c, account, name);
    const to = newName ?? user.UserName;
    const path = newPath ?? user.Path;
    const renamed = nameKey(to) !== nameKey(user.UserName);
    if (renamed && (await findUser(c.res, account, to))) throw iamErrors.entityExists('user', to);
    const doc: UserDoc = { ...user, UserName: to, Path: path, Arn: userArn(account, path, to) };
    await c.res.delete(account, IAM, 'user', nameKey(user.UserName));
    // Another writer may have taken the new name since the check (PostgreSQL runs READ COMMITTED).
    if (!(await c.res.create(account, IAM, 'user', nameKey(to), doc))) throw iamErrors.entityExists('user', to);
    if (to !== user.UserName) await renameUserChildren(c.res, account, user.UserName, to);
  });
  c.invalidate(account);
}

/** AWS refuses to delete a user that still owns anything, naming the first thing to remove. */
async function deleteUser(c: Iam, account: string, name: string): Promise<void> {
  await c.tx(async () => {
    const user = await requireUser(c, account, name);
    const key = nameKey(user.UserName);
    if ((await c.res.count(account, IAM, 'access-key', key)) > 0) throw iamErrors.deleteConflict('Cannot delete entity, must delete access keys first.');
    if ((await c.res.count(account, IAM, 'inline-policy', entityKey('user', user.UserName))) > 0) {
      throw iamErrors.deleteConflict('Cannot delete entity, must delete policies first.');
    }
    if ((await attachmentsOf(c.res, account, 'user', user.UserName)).length > 0) {
      throw iamErrors.deleteConflict('Cannot delete entity, must detach all policies first.');
    }
    if ((await listAll(c.res, account, 'group-member', { parentId: key })).length > 0) {
      throw iamErrors.deleteConflict('Cannot delete entity, must remove users from group first.');
    }
    if (user.PermissionsBoundary) await removeAttachment(c.res, account, user.PermissionsBoundary, 'B', 'user', user.UserName);
    await c.res.delete(account, IAM, 'user', key);
  });
  c.invalidate(account);
}
