import type { ResourceStore } from '../../state/types.js';
import { policyName, type FoundPolicy } from './managed.js';
import {
  IAM, attachmentId, attachmentParent, entityKey, listAll, type AttachmentDoc, type EntityType, type PolicyUsage, type Usage,
} from './store.js';

/** Records that `policy` is attached to (P) or the boundary of (B) an entity; false if it already was. */
export async function addAttachment(res: ResourceStore, account: string, policy: FoundPolicy, usage: Usage, type: EntityType, entity: string): Promise<boolean> {
  const arn = policy.local ? policy.local.Arn : policy.aws.Arn;
  const doc: AttachmentDoc = { PolicyArn: arn, PolicyName: policyName(policy), EntityType: type, EntityName: entity, Usage: usage };
  return res.create(account, IAM, 'attachment', attachmentId(arn, usage, type, entity), doc, attachmentParent(arn, usage));
}

export async function removeAttachment(res: ResourceStore, account: string, arn: string, usage: Usage, type: EntityType, entity: string): Promise<boolean> {
  return res.delete(account, IAM, 'attachment', attachmentId(arn, usage, type, entity));
}

async function recordsOf(res: ResourceStore, account: string, type: EntityType, entity: string): Promise<{ id: string; doc: AttachmentDoc }[]> {
  return listAll<AttachmentDoc>(res, account, 'attachment', { idPrefix: `${entityKey(type, entity)}|` });
}

/** The entity's attached managed policies (usage P) or its boundary record (usage B). */
export async function attachmentsOf(res: ResourceStore, account: string, type: EntityType, entity: string, usage: Usage = 'P'): Promise<AttachmentDoc[]> {
  return (await recordsOf(res, account, type, entity)).map((r) => r.doc).filter((d) => d.Usage === usage);
}

/** Entities a policy is attached to (P) or bounds (B). */
export async function entitiesOf(res: ResourceStore, account: string, arn: string, usage: Usage): Promise<AttachmentDoc[]> {
  return (await listAll<AttachmentDoc>(res, account, 'attachment', { parentId: attachmentParent(arn, usage) })).map((r) => r.doc);
}

/** AttachmentCount and PermissionsBoundaryUsageCount, counted from the attachment records themselves. */
export async function policyUsage(res: ResourceStore, account: string, arn: string): Promise<PolicyUsage> {
  const [AttachmentCount, PermissionsBoundaryUsageCount] = await Promise.all([
    res.count(account, IAM, 'attachment', attachmentParent(arn, 'P')),
    res.count(account, IAM, 'attachment', attachmentParent(arn, 'B')),
  ]);
  return { AttachmentCount, PermissionsBoundaryUsageCount };
}

/** Moves an entity's attachment records to a new name (UpdateUser renames). */
export async function renameAttachments(res: ResourceStore, account: string, type: EntityType, from: string, to: string): Promise<void> {
  for (const { id, doc } of await recordsOf(res, account, type, from)) {
    await res.delete(account, IAM, 'attachment', id);
    await res.create(account, IAM, 'attachment', attachmentId(doc.PolicyArn, doc.Usage, type, to), { ...doc, EntityName: to }, attachmentParent(doc.PolicyArn, doc.Usage));
  }
}
