import { compilePolicy } from './compile.js';
import { ContextView } from './context.js';
import { ACCOUNT, DIRECT, NO_MATCH, ROLE, type MatchLevel } from './principal.js';
import { statementMatch, type RequestView } from './statement.js';
import type {
  Decision, DenyingPolicyType, EvaluationRequest, MatchedStatement, ParsedPolicy,
} from './types.js';

/**
 * The decision algorithm of aws-semantics §1.1: an explicit deny anywhere wins; otherwise the identity side
 * (identity policies ∩ boundary ∩ session policies) and the resource policy combine as AWS combines them:
 * same account → either may allow (by how the resource policy names the caller), cross account → both must,
 * role trust and KMS key policies → the resource policy must always allow.
 */

/** What one policy (or a group of identity/session policies) said about the request. */
interface Verdict {
  deny: boolean;
  /** Strongest principal match among matching Allow statements (DIRECT for identity-style statements). */
  allow: MatchLevel;
}

export function evaluate(req: EvaluationRequest): Decision {
  const view: RequestView = {
    action: req.action.toLowerCase(),
    resource: req.resource,
    principal: req.principal,
    ctx: new ContextView(req.context, req.principal),
    hasBoundary: req.permissionsBoundary !== undefined,
  };
  const matched: MatchedStatement[] = [];
  const identity = scan(req.identityPolicies, view, matched, false);
  const resource = req.resourcePolicy ? scan([req.resourcePolicy], view, matched, true) : undefined;
  const boundary = req.permissionsBoundary ? scan([req.permissionsBoundary], view, matched, false) : undefined;
  // An empty list means no session policy was passed, exactly like undefined.
  const sessionPolicies = req.sessionPolicies;
  const session = sessionPolicies?.length ? scan(sessionPolicies, view, matched, false) : undefined;

  // AWS answers GetCallerIdentity whatever the policies say (aws-semantics §1.1).
  if (view.action === 'sts:getcalleridentity') return { result: 'Allowed', matched };
  const { result, deniedBy } = decide(req, identity, resource, boundary, session);
  return deniedBy ? { result, deniedBy, matched } : { result, matched };
}

function scan(policies: readonly ParsedPolicy[], view: RequestView, matched: MatchedStatement[], isResource: boolean): Verdict {
  const verdict: Verdict = { deny: false, allow: NO_MATCH };
  for (const policy of policies) {
    for (const s of compilePolicy(policy)) {
      const level = statementMatch(s, view, isResource);
      if (level === NO_MATCH) continue;
      matched.push({ policyId: policy.id, policyKind: policy.kind, sid: s.sid, index: s.index, effect: s.effect });
      if (s.effect === 'Deny') verdict.deny = true;
      else if (level > verdict.allow) verdict.allow = level;
    }
  }
  return verdict;
}

function decide(
  req: EvaluationRequest, identity: Verdict, resource: Verdict | undefined,
  boundary: Verdict | undefined, session: Verdict | undefined,
): Outcome {
  const resourceType: DenyingPolicyType = req.resourcePolicy?.kind === 'trust' ? 'role trust' : 'resource-based';
  const explicit = identity.deny ? 'identity-based'
    : resource?.deny ? resourceType
    : boundary?.deny ? 'permissions boundary'
    : session?.deny ? 'session'
    : undefined;
  if (explicit) return { result: 'ExplicitlyDenied', deniedBy: explicit };

  const p = req.principal;
  const sides: Sides = {
    // The root user's own side is unlimited; only the resource side can stop it.
    identity: p.type === 'Root' || identity.allow !== NO_MATCH,
    boundary: boundary === undefined || boundary.allow !== NO_MATCH,
    // No session policy: a role session is not narrowed, a federated-user session gets nothing (§1.1 step 6).
    session: session !== undefined ? session.allow !== NO_MATCH : p.type !== 'FederatedUser',
  };
  const level = resource?.allow ?? NO_MATCH;
  const mustAllow = req.resourcePolicy?.kind === 'trust' || req.resourcePolicy?.kind === 'key';
  const crossAccount = isCrossAccount(req);
  if (isAllowed(level, sides, mustAllow, crossAccount)) return { result: 'Allowed' };
  return { result: 'ImplicitlyDenied', deniedBy: implicitDenier(req, level, sides, mustAllow, crossAccount, resourceType) };
}

type Outcome = Pick<Decision, 'result' | 'deniedBy'>;

interface Sides {
  identity: boolean;
  boundary: boolean;
  session: boolean;
}

function isAllowed(level: MatchLevel, s: Sides, mustAllow: boolean, crossAccount: boolean): boolean {
  const ownSide = s.identity && s.boundary && s.session;
  if (crossAccount) return level !== NO_MATCH && ownSide;
  // Naming the caller itself grants outright; naming its role still passes through boundary and session.
  if (level === DIRECT) return true;
  if (level === ROLE) return s.boundary && s.session;
  // Naming the account only delegates to the caller's own policies; trust and key policies must name it at all.
  if (mustAllow && level !== ACCOUNT) return false;
  return ownSide;
}

/**
 * Principals without an identity side (anonymous callers, service principals without policies) are never
 * "cross-account": only the resource policy can let them in.
 */
function hasIdentitySide(req: EvaluationRequest): boolean {
  const t = req.principal.type;
  return t !== 'Anonymous' && !(t === 'Service' && req.identityPolicies.length === 0);
}

function isCrossAccount(req: EvaluationRequest): boolean {
  return hasIdentitySide(req) && req.resourceAccount !== undefined && req.resourceAccount !== req.principal.accountId;
}

/** Which policy type to name in the AccessDenied message: the first thing that would have to change. */
function implicitDenier(
  req: EvaluationRequest, level: MatchLevel, s: Sides, mustAllow: boolean, crossAccount: boolean,
  resourceType: DenyingPolicyType,
): DenyingPolicyType {
  if (mustAllow && level === NO_MATCH) return resourceType;
  if (!hasIdentitySide(req)) return 'resource-based';
  const identityNeeded = crossAccount || level < ROLE;
  if (identityNeeded && !s.identity) return 'identity-based';
  if (!s.boundary) return 'permissions boundary';
  if (!s.session) return 'session';
  return crossAccount ? resourceType : 'identity-based';
}
