import type { Principal } from '../../auth/types.js';
import type { GrantConstraints, GrantOperation } from './api.generated.js';
import { accountRootArn } from './arns.js';
import type { EncryptionContext } from './ciphertext.js';
import type { GrantDoc } from './store.js';

/**
 * How grants take part in authorization: the grants on a key that name the caller for the requested operation
 * (and whose constraints the request meets) become extra Allow statements of the key policy the gateway
 * evaluates. Grants only ever allow; the engine's rules for how a statement names the caller still apply.
 */

/** Grant operations that take an encryption context; constraints apply only to these (AWS CreateGrant docs). */
const CONTEXT_OPERATIONS = new Set<GrantOperation>([
  'Encrypt', 'Decrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo',
  'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
]);

export const GRANT_OPERATIONS = new Set<string>([
  ...CONTEXT_OPERATIONS, 'Sign', 'Verify', 'GetPublicKey', 'CreateGrant', 'RetireGrant', 'DescribeKey', 'GenerateMac', 'VerifyMac',
]);

/** What a request offers to be matched against grants. */
export interface GrantRequest {
  operation: GrantOperation;
  context?: EncryptionContext;
  /** CreateGrant only: the grant being created (a grant may only pass on what it has, as strictly). */
  newGrant?: { Operations: GrantOperation[]; Constraints?: GrantConstraints };
}

/** The grantee values that name this caller: itself, its role (for a role session), or its account. */
function granteeMatches(grantee: string, p: Principal): boolean {
  return grantee === p.arn || (p.roleArn !== undefined && grantee === p.roleArn) || grantee === accountRootArn(p.accountId);
}

export function constraintsMet(c: GrantConstraints | undefined, context: EncryptionContext | undefined): boolean {
  if (!c) return true;
  const ctx = context ?? {};
  if (c.EncryptionContextEquals) {
    const want = c.EncryptionContextEquals;
    const keys = Object.keys(want);
    if (keys.length !== Object.keys(ctx).length || keys.some((k) => ctx[k] !== want[k])) return false;
  }
  if (c.EncryptionContextSubset) {
    for (const [k, v] of Object.entries(c.EncryptionContextSubset)) if (ctx[k] !== v) return false;
  }
  return true;
}

/** Are `child` constraints at least as strict as `parent` ones (every context `child` allows, `parent` allows)? */
export function atLeastAsStrict(parent: GrantConstraints | undefined, child: GrantConstraints | undefined): boolean {
  if (!parent || (!parent.EncryptionContextEquals && !parent.EncryptionContextSubset)) return true;
  if (!child) return false;
  if (child.EncryptionContextEquals) return constraintsMet(parent, child.EncryptionContextEquals);
  // A Subset child allows any superset context; that stays within the parent only for a Subset parent it contains.
  if (parent.EncryptionContextEquals || !child.EncryptionContextSubset) return false;
  return constraintsMet({ EncryptionContextSubset: parent.EncryptionContextSubset }, child.EncryptionContextSubset);
}

export function grantApplies(g: GrantDoc, p: Principal, req: GrantRequest): boolean {
  if (!g.Operations.includes(req.operation) || !granteeMatches(g.GranteePrincipal, p)) return false;
  if (CONTEXT_OPERATIONS.has(req.operation)) return constraintsMet(g.Constraints, req.context);
  if (req.operation === 'CreateGrant' && req.newGrant) {
    return req.newGrant.Operations.every((op) => g.Operations.includes(op)) && atLeastAsStrict(g.Constraints, req.newGrant.Constraints);
  }
  return true;
}

/** Service principals (`logs.us-east-1.amazonaws.com`) are named as Service, everything else as AWS. */
function principalElement(grantee: string): Record<string, string> {
  return grantee.endsWith('.amazonaws.com') ? { Service: grantee } : { AWS: grantee };
}

export function grantStatement(grantId: string, grantee: string, action: string): Record<string, unknown> {
  return { Sid: `Grant${grantId}`, Effect: 'Allow', Principal: principalElement(grantee), Action: action, Resource: '*' };
}

/**
 * The key policy with one Allow statement per applicable grant. When none applies the stored document is
 * returned unchanged, so the gateway's parsed-policy cache keeps hitting.
 */
export function policyWithStatements(policy: string, statements: Record<string, unknown>[]): string {
  if (statements.length === 0) return policy;
  const doc = JSON.parse(policy) as { Statement?: unknown };
  const existing = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  return JSON.stringify({ ...doc, Statement: [...existing, ...statements] });
}
