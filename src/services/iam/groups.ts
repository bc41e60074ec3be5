import type { Group, Operations } from './api.generated.js';
import { groupArn } from './arns.js';
import { attachmentsOf } from './attachment-records.js';
import { pathResource, groupTarget, userTarget } from './authz.js';
import { accountOf, type Iam } from './context.js';
import { operationsOf } from './define.js';
import { iamErrors } from './errors.js';
import { newUniqueId } from './ids.js';
import { pageFields, pageRecords, pathFilter } from './paging.js';
import { IAM, entityKey, findGroup, membershipId, nameKey, type GroupDoc, type MembershipDoc, type UserDoc } from './store.js';
import { requireUser, userShape } from './users.js';

const define = operationsOf<Operations>();

export const MAX_GROUPS_PER_USER = 10;

export const groupShape = (d: GroupDoc): Group =>
  ({ Path: d.Path, GroupName: d.GroupName, GroupId: d.GroupId, Arn: d.Arn, CreateDate: new Date(d.CreateDate) });

export async function requireGroup(c: Iam, account: string, name: string): Promise<GroupDoc> {
  const group = await findGroup(c.res, account, name);
  if (!group) throw iamErrors.noSuchEntityNamed('group', name);
  return group;
}

export function groupOperations(c: Iam) {
  return define({
    CreateGroup: {
      authz: (i, ctx) => groupTarget(c, ctx, i.GroupName),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        const path = i.Path ?? '/';
        const doc: GroupDoc = {
          GroupName: i.GroupName, GroupId: newUniqueId('AGPA'), Path: path,
          Arn: groupArn(account, path, i.GroupName), CreateDate: c.now().toISOString(),
        };
        if (!(await c.res.create(account, IAM, 'group', nameKey(i.GroupName), doc))) throw iamErrors.entityExists('group', i.GroupName);
        return { Group: groupShape(doc) };
      },
    },
    GetGroup: {
      readOnly: true,
      authz: (i, ctx) => groupTarget(c, ctx, i.GroupName),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        const group = await requireGroup(c, account, i.GroupName);
        const page = await pageRecords<MembershipDoc>(c.res, account, 'group-member', {
          idPrefix: `${nameKey(group.GroupName)}/`, marker: i.Marker, maxItems: i.MaxItems,
        });
        const users = await Promise.all(page.items.map((m) => c.res.get<UserDoc>(account, IAM, 'user', nameKey(m.doc.UserName))));
        return { Group: groupShape(group), Users: users.flatMap((u) => (u ? [userShape(u.doc, false)] : [])), ...pageFields(page) };
      },
    },
    ListGroups: {
      readOnly: true,
      authz: (i, ctx) => pathResource(ctx, 'group', i.PathPrefix),
      handler: async (i, ctx) => {
        const page = await pageRecords<GroupDoc>(c.res, accountOf(ctx), 'group', { filter: pathFilter(i.PathPrefix), marker: i.Marker, maxItems: i.MaxItems });
        return { Groups: page.items.map((r) => groupShape(r.doc)), ...pageFields(page) };
      },
    },
    DeleteGroup: {
      authz: (i, ctx) => groupTarget(c, ctx, i.GroupName),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        await c.tx(async () => {
          const group = await requireGroup(c, account, i.GroupName);
          const key = nameKey(group.GroupName);
          if ((await c.res.list(account, IAM, 'group-member', { idPrefix: `${key}/`, limit: 1 })).length > 0) {
            throw iamErrors.deleteConflict('Cannot delete entity, must remove users from group first.');
          }
          if ((await c.res.count(account, IAM, 'inline-policy', entityKey('group', group.GroupName))) > 0) {
            throw iamErrors.deleteConflict('Cannot delete entity, must delete policies first.');
          }
          if ((await attachmentsOf(c.res, account, 'group', group.GroupName)).length > 0) {
            throw iamErrors.deleteConflict('Cannot delete entity, must detach all policies first.');
          }
          await c.res.delete(account, IAM, 'group', key);
        });
      },
    },
    AddUserToGroup: {
      authz: (i, ctx) => groupTarget(c, ctx, i.GroupName),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        await c.tx(async () => {
          const group = await requireGroup(c, account, i.GroupName);
          const user = await requireUser(c, account, i.UserName);
          const id = membershipId(group.GroupName, user.UserName);
          if (await c.res.get(account, IAM, 'group-member', id)) return;
          if ((await c.res.count(account, IAM, 'group-member', nameKey(user.UserName))) >= MAX_GROUPS_PER_USER) {
            throw iamErrors.limitExceeded(`Cannot exceed quota for GroupsPerUser: ${MAX_GROUPS_PER_USER}`);
          }
          const doc: MembershipDoc = { GroupName: group.GroupName, UserName: user.UserName };
          await c.res.create(account, IAM, 'group-member', id, doc, nameKey(user.UserName));
        });
        c.invalidate(account);
      },
    },
    RemoveUserFromGroup: {
      authz: (i, ctx) => groupTarget(c, ctx, i.GroupName),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        await c.tx(async () => {
          const group = await requireGroup(c, account, i.GroupName);
          const user = await requireUser(c, account, i.UserName);
          if (!(await c.res.delete(account, IAM, 'group-member', membershipId(group.GroupName, user.UserName)))) {
            throw iamErrors.noSuchEntityNamed('user', i.UserName);
          }
        });
        c.invalidate(account);
      },
    },
    ListGroupsForUser: {
      readOnly: true,
      authz: (i, ctx) => userTarget(c, ctx, i.UserName),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        const user = await requireUser(c, account, i.UserName);
        const page = await pageRecords<MembershipDoc>(c.res, account, 'group-member', { parentId: nameKey(user.UserName), marker: i.Marker, maxItems: i.MaxItems });
        const groups = await Promise.all(page.items.map((m) => findGroup(c.res, account, m.doc.GroupName)));
        return { Groups: groups.flatMap((g) => (g ? [groupShape(g)] : [])), ...pageFields(page) };
      },
    },
  });
}
