import type { Principal } from '../auth/types.js';
import { accessDeniedMessage, evaluate, parsePolicy } from '../iam-engine/index.js';
import type { Decision, ParsedPolicy } from '../iam-engine/types.js';
import { CommonErrors } from '../protocol/errors.js';
import type { AuthzRequirement } from '../services/types.js';
import type { RequestContext } from './context.js';
import { globalConditionKeys } from './condition-keys.js';

/**
 * Resource policies are parsed once per distinct document (they change rarely, are read on every call). Keyed by
 * the short kind + id, then the document compared: a key built from the whole document would be a new multi-KB
 * string to hash on every call. A few documents per resource are kept, because a KMS key's policy differs per
 * caller once grants are added to it.
 */
const resourcePolicyCache = new Map<string, { document: string; parsed: ParsedPolicy }[]>();
const RESOURCE_POLICY_CACHE_MAX = 2000;
const DOCUMENTS_PER_RESOURCE = 8;

function resourcePolicyOf(req: AuthzRequirement): ParsedPolicy | undefined {
  const rp = req.resourcePolicy;
  if (!rp) return undefined;
  const cacheKey = `${rp.kind}\u0000${rp.id}`;
  let variants = resourcePolicyCache.get(cacheKey);
  const hit = variants?.find((v) => v.document === rp.document);
  if (hit) return hit.parsed;
  const parsed = parsePolicy(rp.document, rp.kind, rp.id);
  if (!variants) {
    if (resourcePolicyCache.size >= RESOURCE_POLICY_CACHE_MAX) resourcePolicyCache.clear();
    resourcePolicyCache.set(cacheKey, variants = []);
  }
  variants.unshift({ document: rp.document, parsed });
  if (variants.length > DOCUMENTS_PER_RESOURCE) variants.pop();
  return parsed;
}

/**
 * Authorizes every resource of the call with the IAM engine. Throws AccessDenied in the protocol family's
 * spelling with AWS's message on the first resource that is not allowed.
 */
export function authorize(ctx: RequestContext, principal: Principal, req: AuthzRequirement, action: string, now: Date): Decision {
  const context = { ...globalConditionKeys(ctx, principal, now), ...req.conditionKeys };
  const resourcePolicy = resourcePolicyOf(req);
  let last: Decision = { result: 'Allowed', matched: [] };
  for (const resource of req.resources) {
    last = evaluate({
      action,
      resource,
      resourceAccount: req.resourceAccount ?? req.resourcePolicy?.accountId ?? principal.accountId,
      principal: {
        type: principal.type, arn: principal.arn, accountId: principal.accountId, roleArn: principal.roleArn,
        // An AWS service acting for Vigil (s3.amazonaws.com) is named by its service principal in policies.
        servicePrincipal: principal.type === 'Service' ? principal.arn : undefined,
      },
      context,
      identityPolicies: principal.identityPolicies,
      resourcePolicy,
      permissionsBoundary: principal.permissionsBoundary,
      sessionPolicies: principal.sessionPolicies,
    });
    if (last.result !== 'Allowed') {
      ctx.decision = last;
      const family = ctx.protocol?.errorFamily ?? 'json';
      throw CommonErrors.accessDenied(accessDeniedMessage(principal.arn, action, resource, last), family);
    }
  }
  ctx.decision = last;
  return last;
}
