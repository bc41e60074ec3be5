import type { Operations, PolicyVersion } from './api.generated.js';
import { accountOf, type Iam } from './context.js';
import { operationsOf } from './define.js';
import { iamErrors } from './errors.js';
import { pageArray, pageFields } from './paging.js';
import { checkManagedPolicySize, parseOrMalformed, urlEncodeDocument } from './policy-documents.js';
import { requireLocalPolicy, requirePolicy } from './policies.js';
import { IAM, listAll, nameKey, versionId, type ManagedPolicyDoc, type PolicyVersionDoc } from './store.js';

const define = operationsOf<Operations>();

export const MAX_POLICY_VERSIONS = 5;

const versionNumber = (v: string): number => Number(v.replace(/^v/, '').split('.')[0]);

function versionShape(v: PolicyVersionDoc, defaultVersion: string, withDocument: boolean): PolicyVersion {
  return {
    ...(withDocument ? { Document: urlEncodeDocument(v.Document) } : {}),
    VersionId: v.VersionId, IsDefaultVersion: v.VersionId === defaultVersion, CreateDate: new Date(v.CreateDate),
  };
}

const noSuchVersion = (arn: string, version: string) =>
  iamErrors.noSuchEntity(`Policy ${arn} version ${version} does not exist or is not attachable.`);

/** Versions newest first, as AWS lists them. */
export async function versionsOf(c: Iam, account: string, p: ManagedPolicyDoc): Promise<PolicyVersionDoc[]> {
  const rows = await listAll<PolicyVersionDoc>(c.res, account, 'policy-version', { parentId: nameKey(p.PolicyName) });
  return rows.map((r) => r.doc).sort((a, b) => versionNumber(b.VersionId) - versionNumber(a.VersionId));
}

async function requireVersion(c: Iam, account: string, p: ManagedPolicyDoc, version: string): Promise<PolicyVersionDoc> {
  const rec = await c.res.get<PolicyVersionDoc>(account, IAM, 'policy-version', versionId(p.PolicyName, version));
  if (!rec) throw noSuchVersion(p.Arn, version);
  return rec.doc;
}

async function savePolicy(c: Iam, account: string, p: ManagedPolicyDoc): Promise<void> {
  await c.res.update(account, IAM, 'policy', nameKey(p.PolicyName), p);
}

export function policyVersionOperations(c: Iam) {
  return define({
    CreatePolicyVersion: {
      authz: (i) => ({ resources: [i.PolicyArn] }),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        parseOrMalformed(i.PolicyDocument, 'identity', i.PolicyArn);
        checkManagedPolicySize(i.PolicyDocument);
        const result = await c.tx(async () => {
          const p = await requireLocalPolicy(c, account, i.PolicyArn);
          if ((await c.res.count(account, IAM, 'policy-version', nameKey(p.PolicyName))) >= MAX_POLICY_VERSIONS) {
            throw iamErrors.limitExceeded(`A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
          }
          const now = c.now().toISOString();
          const v: PolicyVersionDoc = { VersionId: `v${p.NextVersion}`, Document: i.PolicyDocument, CreateDate: now };
          // PostgreSQL runs READ COMMITTED: a concurrent CreatePolicyVersion may have taken this id first.
          if (!(await c.res.create(account, IAM, 'policy-version', versionId(p.PolicyName, v.VersionId), v, nameKey(p.PolicyName)))) {
            throw iamErrors.concurrentModification();
          }
          const next = { ...p, NextVersion: p.NextVersion + 1, ...(i.SetAsDefault ? { DefaultVersionId: v.VersionId, UpdateDate: now } : {}) };
          await savePolicy(c, account, next);
          return versionShape(v, next.DefaultVersionId, false);
        });
        if (i.SetAsDefault) c.invalidate(account);
        return { PolicyVersion: result };
      },
    },
    GetPolicyVersion: {
      readOnly: true,
      authz: (i) => ({ resources: [i.PolicyArn] }),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        const found = await requirePolicy(c, account, i.PolicyArn);
        if (found.aws) {
          if (i.VersionId !== found.aws.DefaultVersionId) throw noSuchVersion(i.PolicyArn, i.VersionId);
          const v = { VersionId: found.aws.DefaultVersionId, Document: found.aws.Document, CreateDate: found.aws.UpdateDate };
          return { PolicyVersion: versionShape(v, found.aws.DefaultVersionId, true) };
        }
        const v = await requireVersion(c, account, found.local, i.VersionId);
        return { PolicyVersion: versionShape(v, found.local.DefaultVersionId, true) };
      },
    },
    ListPolicyVersions: {
      readOnly: true,
      authz: (i) => ({ resources: [i.PolicyArn] }),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        const found = await requirePolicy(c, account, i.PolicyArn);
        const versions = found.aws
          ? [versionShape({ VersionId: found.aws.DefaultVersionId, Document: '', CreateDate: found.aws.UpdateDate }, found.aws.DefaultVersionId, false)]
          : (await versionsOf(c, account, found.local)).map((v) => versionShape(v, found.local.DefaultVersionId, false));
        const page = pageArray(versions, i.Marker, i.MaxItems);
        return { Versions: page.items, ...pageFields(page) };
      },
    },
    SetDefaultPolicyVersion: {
      authz: (i) => ({ resources: [i.PolicyArn] }),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        await c.tx(async () => {
          const p = await requireLocalPolicy(c, account, i.PolicyArn);
          await requireVersion(c, account, p, i.VersionId);
          await savePolicy(c, account, { ...p, DefaultVersionId: i.VersionId, UpdateDate: c.now().toISOString() });
        });
        c.invalidate(account);
      },
    },
    DeletePolicyVersion: {
      authz: (i) => ({ resources: [i.PolicyArn] }),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        await c.tx(async () => {
          const p = await requireLocalPolicy(c, account, i.PolicyArn);
          await requireVersion(c, account, p, i.VersionId);
          if (p.DefaultVersionId === i.VersionId) throw iamErrors.deleteConflict('Cannot delete the default version of a policy.');
          await c.res.delete(account, IAM, 'policy-version', versionId(p.PolicyName, i.VersionId));
        });
      },
    },
  });
}
