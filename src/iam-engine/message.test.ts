import { describe, expect, it } from 'vitest';
import { accessDeniedMessage, evaluate } from './index.js';
import type { Decision, DenyingPolicyType } from './types.js';
import { policy, deny, request } from './test-helpers.js';

const USER = 'arn:aws:iam::123456789012:user/app';
const ENDPOINT = 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/fraud';
const implicit = (deniedBy: DenyingPolicyType): Decision => ({ result: 'ImplicitlyDenied', deniedBy, matched: [] });
const explicit = (deniedBy: DenyingPolicyType): Decision => ({ result: 'ExplicitlyDenied', deniedBy, matched: [] });

describe('accessDeniedMessage', () => {
  it('implicit deny names the missing policy type', () => {
    expect(accessDeniedMessage(USER, 'sagemaker:InvokeEndpoint', ENDPOINT, implicit('identity-based'))).toBe(
      'User: arn:aws:iam::123456789012:user/app is not authorized to perform: sagemaker:InvokeEndpoint on resource: ' +
        'arn:aws:sagemaker:us-east-1:123456789012:endpoint/fraud because no identity-based policy allows the sagemaker:InvokeEndpoint action',
    );
  });

  it('uses the right wording for every policy type', () => {
    const prefix = `User: ${USER} is not authorized to perform: kms:Decrypt `;
    const tail = (d: Decision) => {
      const m = accessDeniedMessage(USER, 'kms:Decrypt', undefined, d);
      expect(m.startsWith(prefix)).toBe(true);
      return m.slice(prefix.length);
    };
    expect(tail(implicit('resource-based'))).toBe('because no resource-based policy allows the kms:Decrypt action');
    expect(tail(implicit('permissions boundary'))).toBe('because no permissions boundary allows the kms:Decrypt action');
    expect(tail(implicit('session'))).toBe('because no session policy allows the kms:Decrypt action');
    expect(tail(implicit('role trust'))).toBe('because no role trust policy allows the kms:Decrypt action');
    expect(tail(implicit('service control'))).toBe('because no service control policy allows the kms:Decrypt action');
    expect(tail(explicit('identity-based'))).toBe('with an explicit deny in an identity-based policy');
    expect(tail(explicit('resource-based'))).toBe('with an explicit deny in a resource-based policy');
    expect(tail(explicit('permissions boundary'))).toBe('with an explicit deny in a permissions boundary');
    expect(tail(explicit('session'))).toBe('with an explicit deny in a session policy');
    expect(tail(explicit('role trust'))).toBe('with an explicit deny in the role trust policy');
    expect(tail(explicit('service control'))).toBe('with an explicit deny in a service control policy');
  });

  it('omits the resource when there is none or it is "*"', () => {
    const expected = 'User: arn:aws:iam::123456789012:user/app is not authorized to perform: sagemaker:ListEndpoints ' +
      'because no identity-based policy allows the sagemaker:ListEndpoints action';
    expect(accessDeniedMessage(USER, 'sagemaker:ListEndpoints', undefined, implicit('identity-based'))).toBe(expected);
    expect(accessDeniedMessage(USER, 'sagemaker:ListEndpoints', '*', implicit('identity-based'))).toBe(expected);
  });

  it('uses the session ARN for role sessions, straight from an evaluation', () => {
    const session = 'arn:aws:sts::123456789012:assumed-role/app/s1';
    const d = evaluate(request({ identityPolicies: [policy('identity', deny('s3:*'))] }));
    expect(accessDeniedMessage(session, 's3:GetObject', 'arn:aws:s3:::bucket/key', d)).toBe(
      'User: arn:aws:sts::123456789012:assumed-role/app/s1 is not authorized to perform: s3:GetObject on resource: ' +
        'arn:aws:s3:::bucket/key with an explicit deny in an identity-based policy',
    );
  });
});
