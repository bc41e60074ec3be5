import { PolicyParseError, parsePolicy } from '../../iam-engine/index.js';
import type { ParsedPolicy, PolicyKind } from '../../iam-engine/types.js';
import { iamErrors } from './errors.js';
import type { EntityType } from './store.js';

/** IAM quotas in characters, white space not counted (reference_iam-quotas). Inline limits are per entity, summed. */
export const INLINE_POLICY_LIMITS: Record<EntityType, number> = { user: 2048, group: 5120, role: 10240 };
export const MANAGED_POLICY_LIMIT = 6144;
export const TRUST_POLICY_LIMIT = 2048;

export function policySize(document: string): number {
  return document.replace(/\s/g, '').length;
}

/** Parses with the engine; its message says what is wrong, and AWS sends exactly that as MalformedPolicyDocument. */
export function parseOrMalformed(document: string, kind: PolicyKind, id: string): ParsedPolicy {
  try {
    return parsePolicy(document, kind, id);
  } catch (err) {
    if (err instanceof PolicyParseError) throw iamErrors.malformed(err.message);
    throw err;
  }
}

export function checkManagedPolicySize(document: string): void {
  if (policySize(document) > MANAGED_POLICY_LIMIT) throw iamErrors.limitExceeded(`Cannot exceed quota for PolicySize: ${MANAGED_POLICY_LIMIT}`);
}

export function checkTrustPolicySize(document: string): void {
  if (policySize(document) > TRUST_POLICY_LIMIT) throw iamErrors.limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_LIMIT}`);
}

/** `otherSizes` is the size of the entity's other inline policies: the quota is on their sum. */
export function checkInlinePolicySize(type: EntityType, entity: string, document: string, otherSizes: number): void {
  const limit = INLINE_POLICY_LIMITS[type];
  if (otherSizes + policySize(document) > limit) {
    throw iamErrors.limitExceeded(`Maximum policy size of ${limit} bytes exceeded for ${type} ${entity}`);
  }
}

/**
 * IAM returns stored policy documents URL-encoded (RFC 3986) in Get*Policy, GetPolicyVersion, GetRole and
 * GetAccountAuthorizationDetails; the SDKs hand that string to the caller as is, and boto3/the CLI decode it.
 */
export function urlEncodeDocument(document: string): string {
  return encodeURIComponent(document).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
