/**
 * Plain data in and out of the IAM engine. Nothing here knows about HTTP, stores or services.
 * Semantics: ../shared/specs/aws-semantics.md §1.
 */

/** Where a policy is attached decides which grammar rules apply and how it is reported in denials. */
export type PolicyKind = 'identity' | 'resource' | 'trust' | 'boundary' | 'session' | 'key';

export type ConditionValues = Record<string, string[]>; // condition key (as written) -> policy values
export type ConditionBlock = Record<string, ConditionValues>; // operator (as written) -> keys

/** `"*"` or a map like { AWS: [...], Service: [...] } with every value normalised to an array. */
export type PrincipalSpec = '*' | Record<string, string[]>;

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: PrincipalSpec;
  NotPrincipal?: PrincipalSpec;
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Condition?: ConditionBlock;
}

/** A validated, normalised policy. `id` names it in simulation results (policy ARN, "user/alice/inline", …). */
export interface ParsedPolicy {
  id: string;
  kind: PolicyKind;
  Version: '2008-10-17' | '2012-10-17';
  Id?: string;
  Statement: Statement[];
}

/** Context values: single-valued keys are strings, multivalued keys (aws:TagKeys…) arrays. */
export type ContextValue = string | string[];

export type PrincipalType = 'Root' | 'User' | 'AssumedRole' | 'FederatedUser' | 'Anonymous' | 'Service';

export interface EvaluationPrincipal {
  type: PrincipalType;
  /** The caller's ARN as reported in denials: the session ARN for assumed roles. */
  arn: string;
  accountId: string;
  /** For AssumedRole: the role's ARN (aws:PrincipalArn). */
  roleArn?: string;
  /** For Service principals: e.g. `sagemaker.amazonaws.com`. */
  servicePrincipal?: string;
}

export interface EvaluationRequest {
  /** `service:Action`, e.g. `iam:GetUser`. */
  action: string;
  /** Resource ARN, or `*` for actions that take no resource. */
  resource: string;
  /** Account that owns the resource (defaults to the principal's account). */
  resourceAccount?: string;
  principal: EvaluationPrincipal;
  /** Request context keys; looked up case-insensitively by the engine. */
  context: Record<string, ContextValue | undefined>;
  identityPolicies: ParsedPolicy[];
  resourcePolicy?: ParsedPolicy;
  permissionsBoundary?: ParsedPolicy;
  /** undefined: no session policy was passed (role sessions are then not narrowed). */
  sessionPolicies?: ParsedPolicy[];
}

export type DecisionResult = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** The policy type named in AWS's AccessDenied message. */
export type DenyingPolicyType =
  | 'identity-based' | 'resource-based' | 'permissions boundary' | 'session' | 'role trust' | 'service control';

export interface MatchedStatement {
  policyId: string;
  policyKind: PolicyKind;
  sid?: string;
  index: number;
  effect: 'Allow' | 'Deny';
}

export interface Decision {
  result: DecisionResult;
  /** Which policy type denied (explicitly, or by not allowing). Absent when allowed. */
  deniedBy?: DenyingPolicyType;
  matched: MatchedStatement[];
}
