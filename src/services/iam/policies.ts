import type { Operations, Policy } from './api.generated.js';
import { policyArn } from './arns.js';
import { AWS_MANAGED_POLICIES, type AwsManagedPolicy } from './aws-managed.js';
import { anyResource } from './authz.js';
import { accountOf, type Iam } from './context.js';
import { operationsOf } from './define.js';
import { iamErrors } from './errors.js';
import { newUniqueId } from './ids.js';
import { policyUsage } from './attachment-records.js';
import { checkPolicyArn, findManagedPolicy, type FoundPolicy } from './managed.js';
import { pageArray, pageFields } from './paging.js';
import { checkManagedPolicySize, parseOrMalformed } from './policy-documents.js';
import { IAM, listAll, nameKey, versionId, type ManagedPolicyDoc, type PolicyVersionDoc } from './store.js';
import { checkTags, requestTagKeys } from './tags.js';

const define = operationsOf<Operations>();

export async function localPolicyShape(c: Iam, account: string, d: ManagedPolicyDoc, full: boolean): Promise<Policy> {
  const p: Policy = {
    PolicyName: d.PolicyName, PolicyId: d.PolicyId, Arn: d.Arn, Path: d.Path, DefaultVersionId: d.DefaultVersionId,
    ...(await policyUsage(c.res, account, d.Arn)), IsAttachable: true,
    CreateDate: new Date(d.CreateDate), UpdateDate: new Date(d.UpdateDate),
  };
  if (full) {
    p.Description = d.Description;
    if (d.Tags.length > 0) p.Tags = d.Tags;
  }
  return p;
}

export async function awsPolicyShape(c: Iam, account: string, a: AwsManagedPolicy, full: boolean): Promise<Policy> {
  const usage = await policyUsage(c.res, account, a.Arn);
  return {
    PolicyName: a.PolicyName, PolicyId: a.PolicyId, Arn: a.Arn, Path: a.Path, DefaultVersionId: a.DefaultVersionId,
    ...usage, IsAttachable: true, CreateDate: new Date(a.CreateDate), UpdateDate: new Date(a.UpdateDate),
    ...(full ? { Description: a.Description } : {}),
  };
}

/** A policy by ARN for reading: NoSuchEntity in AWS's GetPolicy wording when absent. */
export async function requirePolicy(c: Iam, account: string, arn: string): Promise<FoundPolicy> {
  checkPolicyArn(arn);
  const found = await findManagedPolicy(c.res, account, arn);
  if (!found) throw iamErrors.noSuchEntity(`Policy ${arn} was not found.`);
  return found;
}

/** A customer-managed policy for changing: AWS-managed policies cannot be modified by accounts. */
export async function requireLocalPolicy(c: Iam, account: string, arn: string): Promise<ManagedPolicyDoc> {
  const found = await requirePolicy(c, account, arn);
  if (!found.local) throw iamErrors.invalidInput(`Policy ${arn} is an AWS managed policy and cannot be modified.`);
  return found.local;
}

export function policyOperations(c: Iam) {
  return define({
    CreatePolicy: {
      authz: (i, ctx) => ({ resources: [policyArn(accountOf(ctx), i.Path ?? '/', i.PolicyName)], conditionKeys: requestTagKeys(i.Tags) }),
      handler: async (i, ctx) => ({ Policy: await localPolicyShape(c, accountOf(ctx), await createPolicy(c, accountOf(ctx), i), false) }),
    },
    GetPolicy: {
      readOnly: true,
      authz: (i) => ({ resources: [i.PolicyArn] }),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        const found = await requirePolicy(c, account, i.PolicyArn);
        return { Policy: found.local ? await localPolicyShape(c, account, found.local, true) : await awsPolicyShape(c, account, found.aws, true) };
      },
    },
    ListPolicies: {
      readOnly: true,
      authz: () => anyResource(),
      handler: async (i, ctx) => {
        const page = pageArray(await listPolicies(c, accountOf(ctx), i), i.Marker, i.MaxItems);
        return { Policies: page.items, ...pageFields(page) };
      },
    },
    DeletePolicy: {
      authz: (i) => ({ resources: [i.PolicyArn] }),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        await c.tx(async () => {
          const p = await requireLocalPolicy(c, account, i.PolicyArn);
          const usage = await policyUsage(c.res, account, p.Arn);
          if (usage.AttachmentCount > 0 || usage.PermissionsBoundaryUsageCount > 0) throw iamErrors.deleteConflict('Cannot delete a policy attached to entities.');
          const versions = await listAll<PolicyVersionDoc>(c.res, account, 'policy-version', { parentId: nameKey(p.PolicyName) });
          if (versions.length > 1) {
            throw iamErrors.deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
          }
          for (const v of versions) await c.res.delete(account, IAM, 'policy-version', v.id);
          await c.res.delete(account, IAM, 'policy', nameKey(p.PolicyName));
        });
        c.invalidate(account);
      },
    },
  });
}

async function createPolicy(c: Iam, account: string, i: Operations['CreatePolicy']['input']): Promise<ManagedPolicyDoc> {
  const path = i.Path ?? '/';
  const arn = policyArn(account, path, i.PolicyName);
  parseOrMalformed(i.PolicyDocument, 'identity', arn);
  checkManagedPolicySize(i.PolicyDocument);
  const now = c.now().toISOString();
  const doc: ManagedPolicyDoc = {
    PolicyName: i.PolicyName, PolicyId: newUniqueId('ANPA'), Arn: arn, Path: path, DefaultVersionId: 'v1',
    Description: i.Description, CreateDate: now, UpdateDate: now, Tags: checkTags(i.Tags),
    NextVersion: 2,
  };
  const version: PolicyVersionDoc = { VersionId: 'v1', Document: i.PolicyDocument, CreateDate: now };
  await c.tx(async () => {
    if (!(await c.res.create(account, IAM, 'policy', nameKey(i.PolicyName), doc))) {
      throw iamErrors.alreadyExists(`A policy called ${i.PolicyName} already exists. Duplicate names are not allowed.`);
    }
    await c.res.create(account, IAM, 'policy-version', versionId(i.PolicyName, 'v1'), version, nameKey(i.PolicyName));
  });
  return doc;
}

/** AWS-managed policies first, then the account's own; filters as ListPolicies defines them. */
async function listPolicies(c: Iam, account: string, i: Operations['ListPolicies']['input']): Promise<Policy[]> {
  const scope = i.Scope ?? 'All';
  const all: Policy[] = [];
  if (scope !== 'Local') for (const a of AWS_MANAGED_POLICIES) all.push(await awsPolicyShape(c, account, a, false));
  if (scope !== 'AWS') {
    for (const r of await listAll<ManagedPolicyDoc>(c.res, account, 'policy', {})) all.push(await localPolicyShape(c, account, r.doc, false));
  }
  const used = (p: Policy): boolean => i.PolicyUsageFilter === 'PermissionsBoundary' ? p.PermissionsBoundaryUsageCount! > 0
    : i.PolicyUsageFilter === 'PermissionsPolicy' ? p.AttachmentCount! > 0
      : p.AttachmentCount! > 0 || p.PermissionsBoundaryUsageCount! > 0;
  return all.filter((p) => (!i.PathPrefix || p.Path!.startsWith(i.PathPrefix)) && (!i.OnlyAttached || used(p)));
}
