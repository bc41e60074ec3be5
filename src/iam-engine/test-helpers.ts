/** Builders shared by the engine's unit tests (not used at runtime). */
import { evaluate } from './evaluate.js';
import { parsePolicy } from './parse.js';
import type {
  ContextValue, Decision, EvaluationPrincipal, EvaluationRequest, ParsedPolicy, PolicyKind,
} from './types.js';

export const ACCT = '123456789012';
export const OTHER = '210987654321';
export const BUCKET_OBJECT = 'arn:aws:s3:::bucket/key';

export function user(name = 'alice', account = ACCT): EvaluationPrincipal {
  return { type: 'User', arn: `arn:aws:iam::${account}:user/${name}`, accountId: account };
}

export function roleSession(role = 'app', sessionName = 's1', account = ACCT): EvaluationPrincipal {
  return {
    type: 'AssumedRole',
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${sessionName}`,
    accountId: account,
    roleArn: `arn:aws:iam::${account}:role/${role}`,
  };
}

export function rootUser(account = ACCT): EvaluationPrincipal {
  return { type: 'Root', arn: `arn:aws:iam::${account}:root`, accountId: account };
}

export function anonymous(): EvaluationPrincipal {
  return { type: 'Anonymous', arn: 'anonymous', accountId: '' };
}

export function servicePrincipal(name = 'sagemaker.amazonaws.com', account = ACCT): EvaluationPrincipal {
  return { type: 'Service', arn: name, accountId: account, servicePrincipal: name };
}

export function federatedUser(name = 'bob', account = ACCT): EvaluationPrincipal {
  return { type: 'FederatedUser', arn: `arn:aws:sts::${account}:federated-user/${name}`, accountId: account };
}

let counter = 0;

/** A 2012-10-17 policy of `kind` with the given statements. */
export function policy(kind: PolicyKind, ...Statement: object[]): ParsedPolicy {
  return parsePolicy({ Version: '2012-10-17', Statement }, kind, `${kind}-${++counter}`);
}

export function allow(Action: string | string[] = 's3:GetObject', Resource: string | string[] = '*', extra: object = {}): object {
  return { Effect: 'Allow', Action, Resource, ...extra };
}

export function deny(Action: string | string[] = 's3:GetObject', Resource: string | string[] = '*', extra: object = {}): object {
  return { Effect: 'Deny', Action, Resource, ...extra };
}

export function request(overrides: Partial<EvaluationRequest> = {}): EvaluationRequest {
  return {
    action: 's3:GetObject',
    resource: BUCKET_OBJECT,
    principal: user(),
    context: {},
    identityPolicies: [],
    ...overrides,
  };
}

export function decide(overrides: Partial<EvaluationRequest> = {}): Decision {
  return evaluate(request(overrides));
}

/** Does an identity Allow statement carrying `Condition` hold for `context`? */
export function conditionAllows(
  Condition: object, context: Record<string, ContextValue | undefined>, version = '2012-10-17',
  principal: EvaluationPrincipal = user(),
): boolean {
  const p = parsePolicy({ Version: version, Statement: [{ ...(allow() as object), Condition }] }, 'identity', 'cond');
  return evaluate(request({ identityPolicies: [p], context, principal })).result === 'Allowed';
}
