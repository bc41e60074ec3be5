import type { EvaluationPrincipal, PrincipalSpec } from './types.js';

/**
 * The Principal / NotPrincipal elements of resource, trust and key policies. Besides "does it match", the
 * evaluator needs HOW a resource policy names the caller, because AWS grants differently for each:
 *   DIRECT  the caller itself (user, role session, federated user, service, or everyone via "*")
 *   ROLE    the role whose session is calling (still limited by boundary and session policies)
 *   ACCOUNT the caller's account (only delegates: the caller's own policies must allow too)
 * Principal ARNs are compared case-sensitively, as AWS does for user and role names.
 */
export const NO_MATCH = 0;
export const ACCOUNT = 1;
export const ROLE = 2;
export const DIRECT = 3;
export type MatchLevel = typeof NO_MATCH | typeof ACCOUNT | typeof ROLE | typeof DIRECT;

const IAM_ARN_PREFIX = 'arn:aws:iam::';
const ROOT_SUFFIX = ':root';

/** Is `v` the account (`123456789012` or `arn:aws:iam::123456789012:root`)? Allocation-free: hot path. */
export function isAccountRef(v: string, accountId: string): boolean {
  if (v === accountId) return accountId !== '';
  return (
    v.length === IAM_ARN_PREFIX.length + accountId.length + ROOT_SUFFIX.length &&
    v.startsWith(IAM_ARN_PREFIX) &&
    v.startsWith(accountId, IAM_ARN_PREFIX.length) &&
    v.endsWith(ROOT_SUFFIX)
  );
}

/** Whether an IAM-ish principal (not anonymous, not a service) belongs to an account at all. */
function hasAccount(p: EvaluationPrincipal): boolean {
  return p.type !== 'Anonymous' && p.type !== 'Service';
}

function awsValueLevel(v: string, p: EvaluationPrincipal): MatchLevel {
  if (v === '*') return DIRECT; // {"AWS": "*"} is the same as "*"
  if (!hasAccount(p)) return NO_MATCH;
  if (v === p.arn) return DIRECT;
  if (p.roleArn !== undefined && v === p.roleArn) return ROLE;
  return isAccountRef(v, p.accountId) ? ACCOUNT : NO_MATCH;
}

function valueLevel(type: string, v: string, p: EvaluationPrincipal): MatchLevel {
  switch (type) {
    case 'AWS':
      return awsValueLevel(v, p);
    case 'Service':
      // Service principal names are DNS names: case does not distinguish them.
      return p.type === 'Service' && p.servicePrincipal !== undefined &&
        (v === p.servicePrincipal || v.toLowerCase() === p.servicePrincipal.toLowerCase()) ? DIRECT : NO_MATCH;
    case 'Federated':
      return v === p.arn ? DIRECT : NO_MATCH;
    default:
      return NO_MATCH; // CanonicalUser: Vigil has no S3 canonical user ids
  }
}

/** The strongest way `spec` names `p`. */
export function principalMatchLevel(spec: PrincipalSpec, p: EvaluationPrincipal): MatchLevel {
  if (spec === '*') return DIRECT;
  let best: MatchLevel = NO_MATCH;
  for (const type in spec) {
    for (const v of spec[type]) {
      const level = valueLevel(type, v, p);
      if (level > best) {
        if (level === DIRECT) return DIRECT;
        best = level;
      }
    }
  }
  return best;
}

export function principalMatches(spec: PrincipalSpec, principal: EvaluationPrincipal): boolean {
  return principalMatchLevel(spec, principal) !== NO_MATCH;
}

/**
 * Does a statement with `NotPrincipal: spec` apply to `p`? AWS checks the caller's account, then its role,
 * then the session, so a Deny exempts a principal only when its account AND its own identity are listed
 * (docs: "include the account ARN … or the role ARN and the account ARN"). For the unsupported Allow form we
 * take the narrow reading too: anything about the principal listed means the Allow does not reach it.
 * AWS also documents that Deny+NotPrincipal always applies to principals with a permissions boundary.
 */
export function notPrincipalApplies(spec: PrincipalSpec, p: EvaluationPrincipal, effect: 'Allow' | 'Deny', hasBoundary: boolean): boolean {
  if (effect === 'Allow') return principalMatchLevel(spec, p) === NO_MATCH;
  if (hasBoundary && hasAccount(p)) return true;
  return !exemptFromDeny(spec, p);
}

function exemptFromDeny(spec: PrincipalSpec, p: EvaluationPrincipal): boolean {
  if (spec === '*') return true;
  const aws = spec.AWS ?? [];
  if (aws.includes('*')) return true;
  if (p.type === 'Service') return principalMatchLevel({ Service: spec.Service ?? [] }, p) === DIRECT;
  if (p.type === 'Anonymous') return false;
  const accountListed = aws.some((v) => isAccountRef(v, p.accountId));
  if (p.type === 'Root') return accountListed || aws.includes(p.arn);
  const identityListed = aws.includes(p.arn) || (p.roleArn !== undefined && aws.includes(p.roleArn)) ||
    (spec.Federated ?? []).includes(p.arn);
  return accountListed && identityListed;
}
