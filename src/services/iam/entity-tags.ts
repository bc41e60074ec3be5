import type { Operations, Tag } from './api.generated.js';
import { roleTarget, userTarget } from './authz.js';
import { accountOf, type Iam } from './context.js';
import { operationsOf } from './define.js';
import { iamErrors } from './errors.js';
import { pageArray, pageFields } from './paging.js';
import { IAM, nameKey } from './store.js';
import { checkTags, mergeTags, removeTags, requestTagKeys, tagKeysCondition } from './tags.js';

const define = operationsOf<Operations>();

type Tagged = 'user' | 'role';

async function tagsOf(c: Iam, account: string, kind: Tagged, name: string): Promise<Tag[]> {
  const rec = await c.res.get<{ Tags: Tag[] }>(account, IAM, kind, nameKey(name));
  if (!rec) throw iamErrors.noSuchEntityNamed(kind, name);
  return rec.doc.Tags;
}

/** Tags are part of the user/role document; principal tags feed aws:PrincipalTag, so credentials are invalidated. */
async function changeTags(c: Iam, account: string, kind: Tagged, name: string, change: (tags: Tag[]) => Tag[]): Promise<void> {
  await c.tx(async () => {
    const rec = await c.res.get<{ Tags: Tag[] }>(account, IAM, kind, nameKey(name));
    if (!rec) throw iamErrors.noSuchEntityNamed(kind, name);
    await c.res.update(account, IAM, kind, rec.id, { ...rec.doc, Tags: change(rec.doc.Tags) });
  });
  c.invalidate(account);
}

export function tagOperations(c: Iam) {
  return define({
    TagUser: {
      authz: (i, ctx) => userTarget(c, ctx, i.UserName, requestTagKeys(i.Tags)),
      handler: async (i, ctx) => changeTags(c, accountOf(ctx), 'user', i.UserName, (t) => mergeTags(t, checkTags(i.Tags))),
    },
    UntagUser: {
      authz: (i, ctx) => userTarget(c, ctx, i.UserName, tagKeysCondition(i.TagKeys)),
      handler: async (i, ctx) => changeTags(c, accountOf(ctx), 'user', i.UserName, (t) => removeTags(t, i.TagKeys)),
    },
    ListUserTags: {
      readOnly: true,
      authz: (i, ctx) => userTarget(c, ctx, i.UserName),
      handler: async (i, ctx) => {
        const page = pageArray(await tagsOf(c, accountOf(ctx), 'user', i.UserName), i.Marker, i.MaxItems);
        return { Tags: page.items, ...pageFields(page) };
      },
    },
    TagRole: {
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName, requestTagKeys(i.Tags)),
      handler: async (i, ctx) => changeTags(c, accountOf(ctx), 'role', i.RoleName, (t) => mergeTags(t, checkTags(i.Tags))),
    },
    UntagRole: {
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName, tagKeysCondition(i.TagKeys)),
      handler: async (i, ctx) => changeTags(c, accountOf(ctx), 'role', i.RoleName, (t) => removeTags(t, i.TagKeys)),
    },
    ListRoleTags: {
      readOnly: true,
      authz: (i, ctx) => roleTarget(c, ctx, i.RoleName),
      handler: async (i, ctx) => {
        const page = pageArray(await tagsOf(c, accountOf(ctx), 'role', i.RoleName), i.Marker, i.MaxItems);
        return { Tags: page.items, ...pageFields(page) };
      },
    },
  });
}
