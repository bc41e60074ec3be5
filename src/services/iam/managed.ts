import type { ResourceStore } from '../../state/types.js';
import { parseIamArn } from './arns.js';
import { awsManagedPolicy, isAwsManagedArn, type AwsManagedPolicy } from './aws-managed.js';
import { iamErrors } from './errors.js';
import { IAM, nameKey, versionId, type ManagedPolicyDoc, type PolicyVersionDoc } from './store.js';

/** A managed policy found by ARN: a customer-managed row of this account, or a virtual AWS-managed one. */
export type FoundPolicy = { local: ManagedPolicyDoc; aws?: undefined } | { aws: AwsManagedPolicy; local?: undefined };

export async function findManagedPolicy(res: ResourceStore, account: string, arn: string): Promise<FoundPolicy | undefined> {
  if (isAwsManagedArn(arn)) {
    const aws = awsManagedPolicy(arn);
    return aws ? { aws } : undefined;
  }
  const parsed = parseIamArn(arn);
  if (!parsed || parsed.type !== 'policy' || parsed.account !== account || !parsed.name) return undefined;
  const rec = await res.get<ManagedPolicyDoc>(account, IAM, 'policy', nameKey(parsed.name));
  // Policy names are unique per account, but the ARN also carries the path: both must match.
  return rec && rec.doc.Arn === arn ? { local: rec.doc } : undefined;
}

/** Rejects strings that are not policy ARNs the way IAM does before looking anything up. */
export function checkPolicyArn(arn: string): void {
  const parsed = parseIamArn(arn);
  if (!parsed || parsed.type !== 'policy' || !parsed.name) throw iamErrors.invalidInput(`ARN ${arn} is not valid.`);
}

/** Finds a policy for attaching (or as a boundary): AWS's "does not exist or is not attachable". */
export async function requireAttachable(res: ResourceStore, account: string, arn: string, boundary = false): Promise<FoundPolicy> {
  checkPolicyArn(arn);
  const found = await findManagedPolicy(res, account, arn);
  if (!found) {
    throw boundary
      ? iamErrors.noSuchEntity(`Scope ARN: ${arn} does not exist or is not attachable.`)
      : iamErrors.noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  }
  return found;
}

export const policyName = (p: FoundPolicy): string => (p.local ? p.local.PolicyName : p.aws.PolicyName);

/** The document of the policy's default version: what counts for evaluation. */
export async function defaultDocument(res: ResourceStore, account: string, p: FoundPolicy): Promise<string> {
  if (p.aws) return p.aws.Document;
  const v = await res.get<PolicyVersionDoc>(account, IAM, 'policy-version', versionId(p.local.PolicyName, p.local.DefaultVersionId));
  if (!v) throw new Error(`policy ${p.local.Arn} has no default version ${p.local.DefaultVersionId}`);
  return v.doc.Document;
}
