import { PolicyParseError, evaluate, parsePolicy } from '../../iam-engine/index.js';
import type { ContextValue, Decision, EvaluationPrincipal, ParsedPolicy, PolicyKind } from '../../iam-engine/types.js';
import type { EvaluationResult, Operations, PolicyEvaluationDecisionType, SimulateCustomPolicyRequest, Statement, Tag } from './api.generated.js';
import { parseIamArn } from './arns.js';
import { anyResource } from './authz.js';
import { accountOf, caller, type Iam } from './context.js';
import { operationsOf } from './define.js';
import { iamErrors } from './errors.js';
import { requireGroup } from './groups.js';
import { groupPolicies, rolePolicies, userPolicies, type EntityPolicies, type SourcedPolicy } from './identity-policies.js';
import { pageArray, pageFields } from './paging.js';
import { requireRole } from './roles.js';
import { contextFromEntries, mergeContext, missingContextKeys } from './simulate-context.js';
import { statementPositions, type StatementSpan } from './statement-positions.js';
import { requireUser } from './users.js';

const define = operationsOf<Operations>();

/** What SimulatePrincipalPolicy and SimulateCustomPolicy share (the custom one requires PolicyInputList). */
type SimulationInput = Omit<SimulateCustomPolicyRequest, 'PolicyInputList'> & { PolicyInputList?: string[] };

/** Whose policies are simulated: the principal as the engine sees it, its own context keys and policies. */
interface Subject extends EntityPolicies {
  principal: EvaluationPrincipal;
  keys: Record<string, ContextValue>;
}

const DECISIONS: Record<Decision['result'], PolicyEvaluationDecisionType> = {
  Allowed: 'allowed', ExplicitlyDenied: 'explicitDeny', ImplicitlyDenied: 'implicitDeny',
};

function principalKeys(p: EvaluationPrincipal, userId: string, tags: Tag[], userName?: string): Record<string, ContextValue> {
  const keys: Record<string, ContextValue> = {
    'aws:PrincipalArn': p.roleArn ?? p.arn, 'aws:PrincipalAccount': p.accountId, 'aws:PrincipalType': p.type, 'aws:userid': userId,
  };
  if (userName) keys['aws:username'] = userName;
  for (const t of tags) keys[`aws:PrincipalTag/${t.Key}`] = t.Value;
  return keys;
}

/** PolicySourceArn names a user, group or role of the caller's account. */
async function subjectOf(c: Iam, account: string, arn: string): Promise<Subject> {
  const parsed = parseIamArn(arn);
  if (!parsed || parsed.account !== account) throw iamErrors.invalidInput(`Invalid ARN: ${arn}.`);
  if (parsed.type === 'user') {
    const u = await requireUser(c, account, parsed.name);
    const principal: EvaluationPrincipal = { type: 'User', arn: u.Arn, accountId: account };
    return { principal, keys: principalKeys(principal, u.UserId, u.Tags, u.UserName), ...(await userPolicies(c.res, account, u)) };
  }
  if (parsed.type === 'role') {
    const r = await requireRole(c, account, parsed.name);
    const principal: EvaluationPrincipal = { type: 'AssumedRole', arn: r.Arn, accountId: account, roleArn: r.Arn };
    return { principal, keys: principalKeys(principal, r.RoleId, r.Tags), ...(await rolePolicies(c.res, account, r)) };
  }
  if (parsed.type === 'group') {
    const g = await requireGroup(c, account, parsed.name);
    const principal: EvaluationPrincipal = { type: 'User', arn: g.Arn, accountId: account };
    return { principal, keys: principalKeys(principal, g.GroupId, []), ...(await groupPolicies(c.res, account, g)) };
  }
  throw iamErrors.invalidInput(`Invalid ARN: ${arn}. PolicySourceArn must name a user, group or role.`);
}

/** Policies passed in the request are named by list and position, as AWS names them (PolicyInputList.1, …). */
function inputPolicies(documents: string[] | undefined, list: string, kind: PolicyKind): SourcedPolicy[] {
  return (documents ?? []).map((document, n) => {
    const id = `${list}.${n + 1}`;
    try {
      return { policy: parsePolicy(document, kind, id), sourceId: id, sourceType: 'none', document };
    } catch (err) {
      if (err instanceof PolicyParseError) throw iamErrors.invalidInput(`${id}: ${err.message}`);
      throw err;
    }
  });
}

function resourcePolicyOf(i: SimulationInput): SourcedPolicy | undefined {
  if (!i.ResourcePolicy) return undefined;
  try {
    const policy = parsePolicy(i.ResourcePolicy, 'resource', 'ResourcePolicy');
    return { policy, sourceId: 'ResourcePolicy', sourceType: 'resource', document: i.ResourcePolicy };
  } catch (err) {
    if (err instanceof PolicyParseError) throw iamErrors.invalidInput(`ResourcePolicy: ${err.message}`);
    throw err;
  }
}

/** ResourceOwner is an account id or an account ARN (`arn:aws:iam::ACCT:root`). */
function ownerAccount(owner: string | undefined, fallback: string): string {
  if (!owner) return fallback;
  return parseIamArn(owner)?.account ?? owner;
}

class Positions {
  private readonly cache = new Map<string, StatementSpan[]>();

  of(document: string, index: number): StatementSpan | undefined {
    let spans = this.cache.get(document);
    if (!spans) this.cache.set(document, (spans = statementPositions(document)));
    return spans[index];
  }
}

/** The statements that decided: Allows for an allow, Denies for an explicit deny, none for an implicit deny. */
function matchedStatements(decision: Decision, sources: Map<string, SourcedPolicy>, positions: Positions): Statement[] {
  if (decision.result === 'ImplicitlyDenied') return [];
  const effect = decision.result === 'Allowed' ? 'Allow' : 'Deny';
  const out: Statement[] = [];
  for (const m of decision.matched) {
    const source = sources.get(m.policyId);
    if (m.effect !== effect || !source || m.policyKind === 'boundary') continue;
    const span = positions.of(source.document, m.index);
    out.push({ SourcePolicyId: source.sourceId, SourcePolicyType: source.sourceType, StartPosition: span?.start, EndPosition: span?.end });
  }
  return out;
}

function simulate(subject: Subject, i: SimulationInput, account: string): EvaluationResult[] {
  const identity = [...subject.identity, ...inputPolicies(i.PolicyInputList, 'PolicyInputList', 'identity')];
  const boundary = i.PermissionsBoundaryPolicyInputList?.length
    ? inputPolicies(i.PermissionsBoundaryPolicyInputList, 'PermissionsBoundaryPolicyInputList', 'boundary')[0]
    : subject.boundary;
  const resourcePolicy = resourcePolicyOf(i);
  const all = [...identity, ...(boundary ? [boundary] : []), ...(resourcePolicy ? [resourcePolicy] : [])];
  const sources = new Map(all.map((s) => [s.policy.id, s]));
  const parsed: ParsedPolicy[] = all.map((s) => s.policy);
  const context = mergeContext(subject.keys, contextFromEntries(i.ContextEntries));
  const positions = new Positions();
  const results: EvaluationResult[] = [];
  for (const action of i.ActionNames) {
    for (const resource of i.ResourceArns?.length ? i.ResourceArns : ['*']) {
      const decision = evaluate({
        action, resource, resourceAccount: ownerAccount(i.ResourceOwner, account), principal: subject.principal, context,
        identityPolicies: identity.map((s) => s.policy), permissionsBoundary: boundary?.policy, resourcePolicy: resourcePolicy?.policy,
      });
      const result: EvaluationResult = {
        EvalActionName: action, EvalResourceName: resource, EvalDecision: DECISIONS[decision.result],
        MatchedStatements: matchedStatements(decision, sources, positions),
        MissingContextValues: missingContextKeys(parsed, action, context),
      };
      if (boundary) result.PermissionsBoundaryDecisionDetail = { AllowedByPermissionsBoundary: decision.deniedBy !== 'permissions boundary' };
      results.push(result);
    }
  }
  return results;
}

/** SimulateCustomPolicy runs as the caller (or CallerArn) with only the policies passed in. */
function customSubject(ctx: Parameters<typeof caller>[0], callerArn: string | undefined): Subject {
  const p = caller(ctx);
  const arn = callerArn ?? p.arn;
  const principal: EvaluationPrincipal = { type: arn === p.arn && p.type !== 'Root' ? p.type : 'User', arn, accountId: p.accountId, roleArn: p.roleArn };
  return { principal, keys: principalKeys(principal, p.userId, [], p.userName), identity: [] };
}

export function simulateOperations(c: Iam) {
  return define({
    SimulatePrincipalPolicy: {
      readOnly: true,
      authz: (i) => ({ resources: [i.PolicySourceArn] }),
      handler: async (i, ctx) => {
        const account = accountOf(ctx);
        const subject = await subjectOf(c, account, i.PolicySourceArn);
        if (i.CallerArn) subject.principal = { ...subject.principal, arn: i.CallerArn };
        const page = pageArray(simulate(subject, i, account), i.Marker, i.MaxItems);
        return { EvaluationResults: page.items, ...pageFields(page) };
      },
    },
    SimulateCustomPolicy: {
      readOnly: true,
      authz: () => anyResource(),
      handler: async (i, ctx) => {
        const page = pageArray(simulate(customSubject(ctx, i.CallerArn), i, accountOf(ctx)), i.Marker, i.MaxItems);
        return { EvaluationResults: page.items, ...pageFields(page) };
      },
    },
  });
}
