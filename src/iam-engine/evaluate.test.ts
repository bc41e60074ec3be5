import { describe, expect, it } from 'vitest';
import {
  ACCT, BUCKET_OBJECT, OTHER, allow, anonymous, decide, deny, federatedUser, policy, roleSession, rootUser,
  servicePrincipal, user,
} from './test-helpers.js';

const alice = user('alice');
const session = roleSession('app', 's1');
const ROLE_ARN = `arn:aws:iam::${ACCT}:role/app`;
const readObject = () => policy('identity', allow('s3:GetObject', 'arn:aws:s3:::bucket/*'));

describe('identity policies', () => {
  it('denies implicitly when nothing allows', () => {
    expect(decide()).toEqual({ result: 'ImplicitlyDenied', deniedBy: 'identity-based', matched: [] });
  });

  it('allows when a statement matches, and reports it', () => {
    const p = policy('identity', { Sid: 'Read', ...allow('s3:GetObject', 'arn:aws:s3:::bucket/*') });
    expect(decide({ identityPolicies: [p] })).toEqual({
      result: 'Allowed',
      matched: [{ policyId: p.id, policyKind: 'identity', sid: 'Read', index: 0, effect: 'Allow' }],
    });
  });

  it('unions several policies and statements', () => {
    const a = policy('identity', allow('kms:Decrypt'));
    const b = policy('identity', allow('s3:PutObject'), allow('s3:Get*'));
    const d = decide({ identityPolicies: [a, b] });
    expect(d.result).toBe('Allowed');
    expect(d.matched).toEqual([{ policyId: b.id, policyKind: 'identity', sid: undefined, index: 1, effect: 'Allow' }]);
  });

  it('an explicit deny beats any allow and both are reported', () => {
    const p = policy('identity', allow('s3:*'), deny('s3:GetObject', 'arn:aws:s3:::bucket/*'));
    const d = decide({ identityPolicies: [p] });
    expect(d.result).toBe('ExplicitlyDenied');
    expect(d.deniedBy).toBe('identity-based');
    expect(d.matched.map((m) => m.effect)).toEqual(['Allow', 'Deny']);
  });

  it('NotAction with Allow grants everything else, still scoped by Resource', () => {
    const p = policy('identity', allow(undefined, 'arn:aws:s3:::bucket/*', { Action: undefined, NotAction: 'iam:*' }));
    expect(decide({ identityPolicies: [p] }).result).toBe('Allowed');
    expect(decide({ identityPolicies: [p], action: 'iam:GetUser' }).result).toBe('ImplicitlyDenied');
    expect(decide({ identityPolicies: [p], resource: 'arn:aws:s3:::other/key' }).result).toBe('ImplicitlyDenied');
  });

  it('NotResource with Deny protects everything but the listed resources', () => {
    const p = policy('identity', allow('s3:*'), deny('s3:*', undefined, { Resource: undefined, NotResource: 'arn:aws:s3:::bucket/*' }));
    expect(decide({ identityPolicies: [p] }).result).toBe('Allowed');
    expect(decide({ identityPolicies: [p], resource: 'arn:aws:s3:::secret/key' }).result).toBe('ExplicitlyDenied');
  });

  it('matches actions case-insensitively and resource-less actions against "*"', () => {
    const p = policy('identity', allow('SAGEMAKER:listendpoints'));
    expect(decide({ identityPolicies: [p], action: 'sagemaker:ListEndpoints', resource: '*' }).result).toBe('Allowed');
    const scoped = policy('identity', allow('sagemaker:ListEndpoints', 'arn:aws:sagemaker:*'));
    expect(decide({ identityPolicies: [scoped], action: 'sagemaker:ListEndpoints', resource: '*' }).result).toBe('ImplicitlyDenied');
  });

  it('applies conditions', () => {
    const p = policy('identity', allow('s3:*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'true' } } }));
    expect(decide({ identityPolicies: [p], context: { 'aws:SecureTransport': 'true' } }).result).toBe('Allowed');
    expect(decide({ identityPolicies: [p], context: { 'aws:SecureTransport': 'false' } }).result).toBe('ImplicitlyDenied');
  });

  it('always allows sts:GetCallerIdentity', () => {
    const p = policy('identity', deny('*'));
    expect(decide({ identityPolicies: [p], action: 'sts:GetCallerIdentity', resource: '*' }).result).toBe('Allowed');
  });
});

describe('permissions boundaries', () => {
  const boundary = policy('boundary', allow('s3:GetObject'));

  it('must allow as well as an identity policy', () => {
    expect(decide({ identityPolicies: [readObject()], permissionsBoundary: boundary }).result).toBe('Allowed');
    expect(decide({ identityPolicies: [readObject()], permissionsBoundary: policy('boundary', allow('kms:*')) }))
      .toEqual({ result: 'ImplicitlyDenied', deniedBy: 'permissions boundary', matched: [expect.anything()] });
  });

  it('grants nothing by itself', () => {
    expect(decide({ permissionsBoundary: boundary })).toMatchObject({ result: 'ImplicitlyDenied', deniedBy: 'identity-based' });
  });

  it('explicit deny in the boundary is reported as such', () => {
    const b = policy('boundary', allow('*'), deny('s3:GetObject'));
    expect(decide({ identityPolicies: [readObject()], permissionsBoundary: b }))
      .toMatchObject({ result: 'ExplicitlyDenied', deniedBy: 'permissions boundary' });
  });
});

describe('session policies', () => {
  const narrow = policy('session', allow('kms:Decrypt'));

  it('role sessions without session policies are not narrowed', () => {
    expect(decide({ principal: session, identityPolicies: [readObject()] }).result).toBe('Allowed');
    expect(decide({ principal: session, identityPolicies: [readObject()], sessionPolicies: [] }).result).toBe('Allowed');
  });

  it('a passed session policy must allow too (any of several)', () => {
    expect(decide({ principal: session, identityPolicies: [readObject()], sessionPolicies: [narrow] }))
      .toMatchObject({ result: 'ImplicitlyDenied', deniedBy: 'session' });
    const wide = policy('session', allow('s3:*'));
    expect(decide({ principal: session, identityPolicies: [readObject()], sessionPolicies: [narrow, wide] }).result).toBe('Allowed');
  });

  it('session policies never grant beyond identity policies', () => {
    const wide = policy('session', allow('*'));
    expect(decide({ principal: session, sessionPolicies: [wide] })).toMatchObject({ deniedBy: 'identity-based' });
  });

  it('explicit deny in a session policy', () => {
    const s = policy('session', allow('*'), deny('s3:*'));
    expect(decide({ principal: session, identityPolicies: [readObject()], sessionPolicies: [s] }))
      .toMatchObject({ result: 'ExplicitlyDenied', deniedBy: 'session' });
  });

  it('federated users get nothing without a session policy', () => {
    const fed = federatedUser('bob');
    expect(decide({ principal: fed, identityPolicies: [readObject()] })).toMatchObject({ deniedBy: 'session' });
    const s = policy('session', allow('s3:GetObject'));
    expect(decide({ principal: fed, identityPolicies: [readObject()], sessionPolicies: [s] }).result).toBe('Allowed');
  });
});

describe('resource policies in the same account', () => {
  const bucket = (AWS: string | string[]) => policy('resource', allow('s3:GetObject', 'arn:aws:s3:::bucket/*', { Principal: { AWS } }));
  const denyingBoundary = policy('boundary', allow('kms:*'));
  const denyingSession = policy('session', allow('kms:*'));

  it('naming the user grants without identity policy, boundary or session policy', () => {
    expect(decide({ resourcePolicy: bucket(alice.arn) }).result).toBe('Allowed');
    expect(decide({ resourcePolicy: bucket(alice.arn), permissionsBoundary: denyingBoundary }).result).toBe('Allowed');
  });

  it('naming the session grants regardless of boundary and session policies', () => {
    expect(decide({
      principal: session, resourcePolicy: bucket(session.arn), permissionsBoundary: denyingBoundary, sessionPolicies: [denyingSession],
    }).result).toBe('Allowed');
  });

  it('naming the role grants without identity policy but stays limited by boundary and session policy', () => {
    expect(decide({ principal: session, resourcePolicy: bucket(ROLE_ARN) }).result).toBe('Allowed');
    expect(decide({ principal: session, resourcePolicy: bucket(ROLE_ARN), permissionsBoundary: denyingBoundary }))
      .toMatchObject({ result: 'ImplicitlyDenied', deniedBy: 'permissions boundary' });
    expect(decide({ principal: session, resourcePolicy: bucket(ROLE_ARN), sessionPolicies: [denyingSession] }))
      .toMatchObject({ result: 'ImplicitlyDenied', deniedBy: 'session' });
  });

  it('naming the account only delegates: an identity policy must allow', () => {
    for (const account of [ACCT, `arn:aws:iam::${ACCT}:root`]) {
      expect(decide({ resourcePolicy: bucket(account) })).toMatchObject({ result: 'ImplicitlyDenied', deniedBy: 'identity-based' });
      expect(decide({ resourcePolicy: bucket(account), identityPolicies: [readObject()] }).result).toBe('Allowed');
    }
  });

  it('an identity allow suffices when the resource policy says nothing', () => {
    expect(decide({ resourcePolicy: bucket(`arn:aws:iam::${ACCT}:user/bob`), identityPolicies: [readObject()] }).result).toBe('Allowed');
  });

  it('an explicit deny in the resource policy beats identity allows, also when it names the account', () => {
    const p = policy('resource', deny('s3:*', 'arn:aws:s3:::bucket/*', { Principal: { AWS: ACCT } }));
    expect(decide({ resourcePolicy: p, identityPolicies: [readObject()] }))
      .toMatchObject({ result: 'ExplicitlyDenied', deniedBy: 'resource-based' });
  });

  it('a TLS-only deny with Principal "*" applies to everyone', () => {
    const p = policy('resource', deny('s3:*', 'arn:aws:s3:::bucket/*', {
      Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
    expect(decide({ resourcePolicy: p, identityPolicies: [readObject()], context: { 'aws:SecureTransport': 'false' } }).result)
      .toBe('ExplicitlyDenied');
    expect(decide({ resourcePolicy: p, identityPolicies: [readObject()], context: { 'aws:SecureTransport': 'true' } }).result)
      .toBe('Allowed');
  });

  it('NotPrincipal deny spares only the fully listed principal', () => {
    const p = policy('resource', allow('s3:*', '*', { Principal: { AWS: ACCT } }),
      deny('s3:*', '*', { NotPrincipal: { AWS: [alice.arn, ACCT] } }));
    expect(decide({ resourcePolicy: p, identityPolicies: [readObject()] }).result).toBe('Allowed');
    expect(decide({ resourcePolicy: p, identityPolicies: [readObject()], principal: user('bob') }).result).toBe('ExplicitlyDenied');
  });
});

describe('anonymous and service principals', () => {
  it('anonymous callers need a public resource policy', () => {
    const open = policy('resource', allow('s3:GetObject', 'arn:aws:s3:::bucket/*', { Principal: '*' }));
    expect(decide({ principal: anonymous(), resourcePolicy: open, resourceAccount: ACCT }).result).toBe('Allowed');
    expect(decide({ principal: anonymous(), resourceAccount: ACCT })).toMatchObject({ deniedBy: 'resource-based' });
    const acctOnly = policy('resource', allow('s3:GetObject', '*', { Principal: { AWS: ACCT } }));
    expect(decide({ principal: anonymous(), resourcePolicy: acctOnly, resourceAccount: ACCT }).result).toBe('ImplicitlyDenied');
  });

  it('service principals are let in by Service entries of a resource policy', () => {
    const topic = policy('resource', allow('sns:Publish', '*', { Principal: { Service: 'cloudwatch.amazonaws.com' } }));
    const svc = servicePrincipal('cloudwatch.amazonaws.com');
    expect(decide({ principal: svc, action: 'sns:Publish', resource: 'arn:aws:sns:us-east-1:1:t', resourcePolicy: topic }).result)
      .toBe('Allowed');
    expect(decide({ principal: servicePrincipal('sagemaker.amazonaws.com'), action: 'sns:Publish', resourcePolicy: topic }))
      .toMatchObject({ result: 'ImplicitlyDenied', deniedBy: 'resource-based' });
  });

  it('a service principal with identity policies evaluates like a role', () => {
    const svc = servicePrincipal();
    expect(decide({ principal: svc, identityPolicies: [readObject()] }).result).toBe('Allowed');
  });
});

describe('role trust policies', () => {
  const assume = { action: 'sts:AssumeRole', resource: ROLE_ARN };
  const trust = (Principal: object) => policy('trust', { Effect: 'Allow', Action: 'sts:AssumeRole', Principal });
  const mayAssume = () => policy('identity', allow('sts:AssumeRole', ROLE_ARN));

  it('naming the caller directly needs no identity allow', () => {
    expect(decide({ ...assume, resourcePolicy: trust({ AWS: alice.arn }) }).result).toBe('Allowed');
  });

  it('naming the account root needs an identity allow for sts:AssumeRole', () => {
    const t = trust({ AWS: `arn:aws:iam::${ACCT}:root` });
    expect(decide({ ...assume, resourcePolicy: t })).toMatchObject({ result: 'ImplicitlyDenied', deniedBy: 'identity-based' });
    expect(decide({ ...assume, resourcePolicy: t, identityPolicies: [mayAssume()] }).result).toBe('Allowed');
  });

  it('an identity allow alone is not enough: the trust policy must name the caller', () => {
    expect(decide({ ...assume, resourcePolicy: trust({ AWS: `arn:aws:iam::${ACCT}:user/bob` }), identityPolicies: [mayAssume()] }))
      .toMatchObject({ result: 'ImplicitlyDenied', deniedBy: 'role trust' });
  });

  it('explicit deny is reported as the role trust policy', () => {
    const t = policy('trust', { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: alice.arn } },
      { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { AWS: ACCT } });
    expect(decide({ ...assume, resourcePolicy: t })).toMatchObject({ result: 'ExplicitlyDenied', deniedBy: 'role trust' });
  });

  it('trusts services by Service principal', () => {
    const t = trust({ Service: 'sagemaker.amazonaws.com' });
    expect(decide({ ...assume, principal: servicePrincipal(), resourcePolicy: t }).result).toBe('Allowed');
    expect(decide({ ...assume, resourcePolicy: t, identityPolicies: [mayAssume()] })).toMatchObject({ deniedBy: 'role trust' });
  });

  it('cross-account: the trust policy and the caller’s identity policy must both allow', () => {
    const other = user('carol', OTHER);
    const t = trust({ AWS: other.arn });
    const mayAssumeX = policy('identity', allow('sts:AssumeRole', ROLE_ARN));
    expect(decide({ ...assume, principal: other, resourceAccount: ACCT, resourcePolicy: t }))
      .toMatchObject({ result: 'ImplicitlyDenied', deniedBy: 'identity-based' });
    expect(decide({ ...assume, principal: other, resourceAccount: ACCT, resourcePolicy: t, identityPolicies: [mayAssumeX] }).result)
      .toBe('Allowed');
  });
});

describe('KMS key policies', () => {
  const key = `arn:aws:kms:us-east-1:${ACCT}:key/1234`;
  const req = { action: 'kms:Decrypt', resource: key };
  const keyPolicy = (AWS: string) => policy('key', allow('kms:*', '*', { Principal: { AWS } }));
  const useKey = () => policy('identity', allow('kms:Decrypt', key));

  it('naming the account root delegates to identity policies', () => {
    const kp = keyPolicy(`arn:aws:iam::${ACCT}:root`);
    expect(decide({ ...req, resourcePolicy: kp, identityPolicies: [useKey()] }).result).toBe('Allowed');
    expect(decide({ ...req, resourcePolicy: kp })).toMatchObject({ deniedBy: 'identity-based' });
  });

  it('without a key policy grant even identity allows and the root user are refused', () => {
    const kp = keyPolicy(`arn:aws:iam::${ACCT}:user/bob`);
    expect(decide({ ...req, resourcePolicy: kp, identityPolicies: [useKey()] }))
      .toMatchObject({ result: 'ImplicitlyDenied', deniedBy: 'resource-based' });
    expect(decide({ ...req, resourcePolicy: kp, principal: rootUser() })).toMatchObject({ result: 'ImplicitlyDenied' });
  });

  it('naming the user directly grants alone', () => {
    expect(decide({ ...req, resourcePolicy: keyPolicy(alice.arn) }).result).toBe('Allowed');
  });
});

describe('cross-account requests', () => {
  const carol = user('carol', OTHER);
  const bucket = (AWS: string) => policy('resource', allow('s3:GetObject', 'arn:aws:s3:::bucket/*', { Principal: { AWS } }));
  const cross = { principal: carol, resourceAccount: ACCT };

  it('needs both the identity policy and the resource policy', () => {
    expect(decide({ ...cross, identityPolicies: [readObject()] })).toMatchObject({ deniedBy: 'resource-based' });
    expect(decide({ ...cross, resourcePolicy: bucket(carol.arn) })).toMatchObject({ deniedBy: 'identity-based' });
    expect(decide({ ...cross, resourcePolicy: bucket(carol.arn), identityPolicies: [readObject()] }).result).toBe('Allowed');
    expect(decide({ ...cross, resourcePolicy: bucket(OTHER), identityPolicies: [readObject()] }).result).toBe('Allowed');
  });

  it('still applies the caller’s boundary', () => {
    expect(decide({
      ...cross, resourcePolicy: bucket(carol.arn), identityPolicies: [readObject()], permissionsBoundary: policy('boundary', allow('kms:*')),
    })).toMatchObject({ deniedBy: 'permissions boundary' });
  });

  it('a resource policy naming another account does not help', () => {
    expect(decide({ ...cross, resourcePolicy: bucket(ACCT), identityPolicies: [readObject()] })).toMatchObject({ deniedBy: 'resource-based' });
  });
});

describe('the root user', () => {
  it('is allowed without policies in its own account', () => {
    expect(decide({ principal: rootUser(), resource: BUCKET_OBJECT }).result).toBe('Allowed');
  });

  it('is stopped by an explicit deny in a resource policy', () => {
    const p = policy('resource', deny('s3:*', '*', { Principal: '*' }));
    expect(decide({ principal: rootUser(), resourcePolicy: p })).toMatchObject({ result: 'ExplicitlyDenied', deniedBy: 'resource-based' });
  });

  it('needs a resource policy grant in another account', () => {
    expect(decide({ principal: rootUser(OTHER), resourceAccount: ACCT })).toMatchObject({ deniedBy: 'resource-based' });
    const p = policy('resource', allow('s3:*', '*', { Principal: { AWS: OTHER } }));
    expect(decide({ principal: rootUser(OTHER), resourceAccount: ACCT, resourcePolicy: p }).result).toBe('Allowed');
  });
});

describe('defensive handling of caller mistakes', () => {
  it('a statement without Principal in the resource-policy slot grants nothing', () => {
    const misfiled = policy('identity', allow('s3:*'));
    expect(decide({ resourcePolicy: misfiled })).toMatchObject({ result: 'ImplicitlyDenied', matched: [] });
  });
});
