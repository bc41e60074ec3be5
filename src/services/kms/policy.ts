import { globalConditionKeys } from '../../gateway/condition-keys.js';
import type { RequestContext } from '../../gateway/context.js';
import { PolicyParseError, evaluate, parsePolicy } from '../../iam-engine/index.js';
import type { ParsedPolicy } from '../../iam-engine/types.js';
import type { Operations } from './model.js';
import { accountRootArn } from './arns.js';
import { caller, type Kms } from './context.js';
import { kmsErrors } from './errors.js';
import { handlers } from './define.js';
import { saveKey } from './key-records.js';
import { resolveKey } from './resolve.js';

/** AWS: a key policy document is at most 32 KB. */
export const MAX_KEY_POLICY_BYTES = 32 * 1024;
const POLICY_NAME = 'default';

/** The policy CreateKey gives a key when none is passed: the account (and so IAM policies) may do everything. */
export function defaultKeyPolicy(account: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: accountRootArn(account) }, Action: 'kms:*', Resource: '*' }],
  });
}

/** Parses a key policy with the IAM engine's grammar for key policies. */
export function parseKeyPolicy(document: string, arn: string): ParsedPolicy {
  if (Buffer.byteLength(document, 'utf8') > MAX_KEY_POLICY_BYTES) {
    throw kmsErrors.limitExceeded(`Key policy exceeds the maximum size of ${MAX_KEY_POLICY_BYTES} bytes.`);
  }
  try {
    return parsePolicy(document, 'key', arn);
  } catch (err) {
    if (err instanceof PolicyParseError) throw kmsErrors.malformedPolicy(err.message);
    throw err;
  }
}

/**
 * AWS's policy lockout safety check: a new key policy must still let the caller change the key policy later
 * (evaluated like a real kms:PutKeyPolicy request by this caller), unless BypassPolicyLockoutSafetyCheck.
 */
export function checkLockout(k: Kms, ctx: RequestContext, policy: ParsedPolicy, arn: string, keyAccount: string): void {
  const p = caller(ctx);
  const context = {
    ...globalConditionKeys(ctx, p, k.now()),
    ...ctx.extraConditionKeys,
    'kms:CallerAccount': p.accountId,
  };
  const decision = evaluate({
    action: 'kms:PutKeyPolicy',
    resource: arn,
    resourceAccount: keyAccount,
    principal: { type: p.type, arn: p.arn, accountId: p.accountId, roleArn: p.roleArn },
    context,
    identityPolicies: p.identityPolicies,
    resourcePolicy: policy,
    permissionsBoundary: p.permissionsBoundary,
    sessionPolicies: p.sessionPolicies,
  });
  if (decision.result !== 'Allowed') {
    throw kmsErrors.malformedPolicy('The new key policy will not allow you to update the key policy in the future.');
  }
}

/** Validates (and unless bypassed, lockout-checks) a policy for key `arn`; returns the document to store. */
export function acceptedPolicy(k: Kms, ctx: RequestContext, document: string, arn: string, keyAccount: string, bypass: boolean | undefined): string {
  const parsed = parseKeyPolicy(document, arn);
  if (!bypass) checkLockout(k, ctx, parsed, arn, keyAccount);
  return document;
}

function checkPolicyName(name: string): void {
  if (name !== POLICY_NAME) throw kmsErrors.notFound('No such policy exists');
}

export function policyHandlers(k: Kms) {
  return handlers<Operations>()({
    GetKeyPolicy: {
      readOnly: true,
      handler: async (i, ctx) => {
        const { key } = await resolveKey(k, ctx, i.KeyId);
        checkPolicyName(i.PolicyName);
        return { Policy: key.Policy };
      },
    },
    ListKeyPolicies: {
      readOnly: true,
      handler: async (i, ctx) => {
        await resolveKey(k, ctx, i.KeyId);
        return { PolicyNames: [POLICY_NAME], Truncated: false };
      },
    },
    PutKeyPolicy: {
      handler: async (i, ctx) => {
        checkPolicyName(i.PolicyName);
        await k.tx(async () => {
          const { key } = await resolveKey(k, ctx, i.KeyId);
          const Policy = acceptedPolicy(k, ctx, i.Policy, key.Arn, key.AccountId, i.BypassPolicyLockoutSafetyCheck);
          await saveKey(k, { ...key, Policy });
        });
      },
    },
  });
}
