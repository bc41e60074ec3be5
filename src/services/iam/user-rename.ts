import type { ResourceStore } from '../../state/types.js';
import { renameAttachments } from './attachment-records.js';
import {
  IAM, entityKey, inlinePolicyId, listAll, membershipId, nameKey, type AccessKeyDoc, type InlinePolicyDoc, type MembershipDoc,
} from './store.js';

/**
 * UpdateUser with NewUserName: records owned by the user are keyed by its name, so they move with it. Runs inside
 * the caller's transaction; each record is deleted before it is re-created, which also covers a change of case only.
 */
export async function renameUserChildren(res: ResourceStore, account: string, from: string, to: string): Promise<void> {
  for (const { id, doc } of await listAll<AccessKeyDoc>(res, account, 'access-key', { parentId: nameKey(from) })) {
    await res.delete(account, IAM, 'access-key', id);
    await res.create(account, IAM, 'access-key', id, { ...doc, UserName: to }, nameKey(to));
  }
  for (const { id, doc } of await listAll<InlinePolicyDoc>(res, account, 'inline-policy', { parentId: entityKey('user', from) })) {
    await res.delete(account, IAM, 'inline-policy', id);
    await res.create(account, IAM, 'inline-policy', inlinePolicyId('user', to, doc.PolicyName), doc, entityKey('user', to));
  }
  for (const { id, doc } of await listAll<MembershipDoc>(res, account, 'group-member', { parentId: nameKey(from) })) {
    await res.delete(account, IAM, 'group-member', id);
    await res.create(account, IAM, 'group-member', membershipId(doc.GroupName, to), { ...doc, UserName: to }, nameKey(to));
  }
  await renameAttachments(res, account, 'user', from, to);
}
