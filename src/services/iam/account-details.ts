import type { AttachedPolicy, EntityType as FilterType, GroupDetail, ManagedPolicyDetail, Operations, PolicyDetail, RoleDetail, UserDetail } from './api.generated.js';
import { attachmentsOf, policyUsage } from './attachment-records.js';
import { AWS_MANAGED_POLICIES } from './aws-managed.js';
import { anyResource } from './authz.js';
import { accountOf, type Iam } from './context.js';
import { operationsOf } from './define.js';
import { groupsOfUser } from './identity-policies.js';
import { pageArray, pageFields } from './paging.js';
import { urlEncodeDocument } from './policy-documents.js';
import { localPolicyShape } from './policies.js';
import { versionsOf } from './policy-versions.js';
import { roleShape } from './roles.js';
import { entityKey, listAll, type EntityType, type GroupDoc, type InlinePolicyDoc, type ManagedPolicyDoc, type RoleDoc, type UserDoc } from './store.js';
import { userShape } from './users.js';

const define = operationsOf<Operations>();

type Item =
  | { kind: 'user'; detail: UserDetail } | { kind: 'group'; detail: GroupDetail }
  | { kind: 'role'; detail: RoleDetail } | { kind: 'policy'; detail: ManagedPolicyDetail };

async function inlineDetails(c: Iam, account: string, type: EntityType, name: string): Promise<PolicyDetail[]> {
  const rows = await listAll<InlinePolicyDoc>(c.res, account, 'inline-policy', { parentId: entityKey(type, name) });
  return rows.map(({ doc }) => ({ PolicyName: doc.PolicyName, PolicyDocument: urlEncodeDocument(doc.PolicyDocument) }));
}

async function attachedDetails(c: Iam, account: string, type: EntityType, name: string): Promise<AttachedPolicy[]> {
  return (await attachmentsOf(c.res, account, type, name)).map((a) => ({ PolicyName: a.PolicyName, PolicyArn: a.PolicyArn }));
}

async function userDetail(c: Iam, account: string, u: UserDoc): Promise<UserDetail> {
  return {
    ...userShape(u, true),
    UserPolicyList: await inlineDetails(c, account, 'user', u.UserName),
    GroupList: await groupsOfUser(c.res, account, u.UserName),
    AttachedManagedPolicies: await attachedDetails(c, account, 'user', u.UserName),
  };
}

async function groupDetail(c: Iam, account: string, g: GroupDoc): Promise<GroupDetail> {
  return {
    Path: g.Path, GroupName: g.GroupName, GroupId: g.GroupId, Arn: g.Arn, CreateDate: new Date(g.CreateDate),
    GroupPolicyList: await inlineDetails(c, account, 'group', g.GroupName),
    AttachedManagedPolicies: await attachedDetails(c, account, 'group', g.GroupName),
  };
}

async function roleDetail(c: Iam, account: string, r: RoleDoc): Promise<RoleDetail> {
  return {
    ...roleShape(r, true),
    InstanceProfileList: [],
    RolePolicyList: await inlineDetails(c, account, 'role', r.RoleName),
    AttachedManagedPolicies: await attachedDetails(c, account, 'role', r.RoleName),
  };
}

async function localPolicyDetail(c: Iam, account: string, p: ManagedPolicyDoc): Promise<ManagedPolicyDetail> {
  const versions = await versionsOf(c, account, p);
  const { Tags: _tags, ...shape } = await localPolicyShape(c, account, p, true);
  return {
    ...shape,
    PolicyVersionList: versions.map((v) => ({
      Document: urlEncodeDocument(v.Document), VersionId: v.VersionId, IsDefaultVersion: v.VersionId === p.DefaultVersionId, CreateDate: new Date(v.CreateDate),
    })),
  };
}

/** AWS-managed policies appear only when something in the account uses them. */
async function awsPolicyDetails(c: Iam, account: string): Promise<ManagedPolicyDetail[]> {
  const out: ManagedPolicyDetail[] = [];
  for (const a of AWS_MANAGED_POLICIES) {
    const usage = await policyUsage(c.res, account, a.Arn);
    if (usage.AttachmentCount + usage.PermissionsBoundaryUsageCount === 0) continue;
    out.push({
      PolicyName: a.PolicyName, PolicyId: a.PolicyId, Arn: a.Arn, Path: a.Path, DefaultVersionId: a.DefaultVersionId, ...usage,
      IsAttachable: true, Description: a.Description, CreateDate: new Date(a.CreateDate), UpdateDate: new Date(a.UpdateDate),
      PolicyVersionList: [{ Document: urlEncodeDocument(a.Document), VersionId: a.DefaultVersionId, IsDefaultVersion: true, CreateDate: new Date(a.UpdateDate) }],
    });
  }
  return out;
}

async function collect(c: Iam, account: string, filter: FilterType[] | undefined): Promise<Item[]> {
  const wants = (f: FilterType) => !filter?.length || filter.includes(f);
  const items: Item[] = [];
  if (wants('User')) for (const { doc } of await listAll<UserDoc>(c.res, account, 'user', {})) items.push({ kind: 'user', detail: await userDetail(c, account, doc) });
  if (wants('Group')) for (const { doc } of await listAll<GroupDoc>(c.res, account, 'group', {})) items.push({ kind: 'group', detail: await groupDetail(c, account, doc) });
  if (wants('Role')) for (const { doc } of await listAll<RoleDoc>(c.res, account, 'role', {})) items.push({ kind: 'role', detail: await roleDetail(c, account, doc) });
  if (wants('LocalManagedPolicy')) {
    for (const { doc } of await listAll<ManagedPolicyDoc>(c.res, account, 'policy', {})) items.push({ kind: 'policy', detail: await localPolicyDetail(c, account, doc) });
  }
  if (wants('AWSManagedPolicy')) for (const detail of await awsPolicyDetails(c, account)) items.push({ kind: 'policy', detail });
  return items;
}

export function accountDetailsOperations(c: Iam) {
  return define({
    GetAccountAuthorizationDetails: {
      readOnly: true,
      authz: () => anyResource(),
      handler: async (i, ctx) => {
        const page = pageArray(await collect(c, accountOf(ctx), i.Filter), i.Marker, i.MaxItems);
        const of = <K extends Item['kind']>(k: K) => page.items.filter((x): x is Extract<Item, { kind: K }> => x.kind === k).map((x) => x.detail);
        return {
          UserDetailList: of('user') as UserDetail[], GroupDetailList: of('group') as GroupDetail[],
          RoleDetailList: of('role') as RoleDetail[], Policies: of('policy') as ManagedPolicyDetail[],
          ...pageFields(page),
        };
      },
    },
  });
}
