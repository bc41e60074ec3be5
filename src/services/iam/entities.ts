import type { ResourceStore } from '../../state/types.js';
import { iamErrors } from './errors.js';
import { findGroup, findRole, findUser, type EntityType } from './store.js';

/** The common face of users, groups and roles, for operations that treat the three alike. */
export interface EntityRef {
  type: EntityType;
  /** As stored (IAM names match case-insensitively). */
  name: string;
  id: string;
  arn: string;
  path: string;
}

export async function findEntity(res: ResourceStore, account: string, type: EntityType, name: string): Promise<EntityRef | undefined> {
  if (type === 'user') {
    const u = await findUser(res, account, name);
    return u && { type, name: u.UserName, id: u.UserId, arn: u.Arn, path: u.Path };
  }
  if (type === 'group') {
    const g = await findGroup(res, account, name);
    return g && { type, name: g.GroupName, id: g.GroupId, arn: g.Arn, path: g.Path };
  }
  const r = await findRole(res, account, name);
  return r && { type, name: r.RoleName, id: r.RoleId, arn: r.Arn, path: r.Path };
}

export async function requireEntity(res: ResourceStore, account: string, type: EntityType, name: string): Promise<EntityRef> {
  const e = await findEntity(res, account, type, name);
  if (!e) throw iamErrors.noSuchEntityNamed(type, name);
  return e;
}
