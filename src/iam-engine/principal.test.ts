import { describe, expect, it } from 'vitest';
import { principalMatches } from './index.js';
import { ACCOUNT, DIRECT, NO_MATCH, ROLE, notPrincipalApplies, principalMatchLevel } from './principal.js';
import { ACCT, OTHER, anonymous, federatedUser, roleSession, rootUser, servicePrincipal, user } from './test-helpers.js';

const alice = user('alice');
const session = roleSession('app', 's1');

describe('principalMatches', () => {
  it('"*" and {AWS: "*"} match everyone, anonymous and services included', () => {
    for (const p of [alice, session, rootUser(), anonymous(), servicePrincipal(), user('x', OTHER)]) {
      expect(principalMatches('*', p)).toBe(true);
      expect(principalMatches({ AWS: ['*'] }, p)).toBe(true);
    }
  });

  it('an account id or account root ARN matches every principal of that account', () => {
    for (const spec of [{ AWS: [ACCT] }, { AWS: [`arn:aws:iam::${ACCT}:root`] }]) {
      expect(principalMatches(spec, alice)).toBe(true);
      expect(principalMatches(spec, session)).toBe(true);
      expect(principalMatches(spec, rootUser())).toBe(true);
      expect(principalMatches(spec, user('x', OTHER))).toBe(false);
      expect(principalMatches(spec, anonymous())).toBe(false);
    }
  });

  it('a user ARN matches only that user, case-sensitively', () => {
    expect(principalMatches({ AWS: [alice.arn] }, alice)).toBe(true);
    expect(principalMatches({ AWS: [alice.arn] }, user('bob'))).toBe(false);
    expect(principalMatches({ AWS: [`arn:aws:iam::${ACCT}:user/Alice`] }, alice)).toBe(false);
  });

  it('a role ARN matches sessions of that role; a session ARN only that session', () => {
    expect(principalMatches({ AWS: [`arn:aws:iam::${ACCT}:role/app`] }, session)).toBe(true);
    expect(principalMatches({ AWS: [`arn:aws:iam::${ACCT}:role/other`] }, session)).toBe(false);
    expect(principalMatches({ AWS: [session.arn] }, session)).toBe(true);
    expect(principalMatches({ AWS: [session.arn] }, roleSession('app', 's2'))).toBe(false);
  });

  it('Service principals match services only, Federated matches by ARN', () => {
    expect(principalMatches({ Service: ['sagemaker.amazonaws.com'] }, servicePrincipal())).toBe(true);
    expect(principalMatches({ Service: ['SageMaker.amazonaws.com'] }, servicePrincipal())).toBe(true);
    expect(principalMatches({ Service: ['kms.amazonaws.com'] }, servicePrincipal())).toBe(false);
    expect(principalMatches({ Service: ['sagemaker.amazonaws.com'] }, alice)).toBe(false);
    expect(principalMatches({ AWS: [ACCT] }, servicePrincipal())).toBe(false);
    const fed = federatedUser('bob');
    expect(principalMatches({ AWS: [fed.arn] }, fed)).toBe(true);
    expect(principalMatches({ Federated: [fed.arn] }, fed)).toBe(true);
  });
});

describe('principalMatchLevel', () => {
  it('reports how the caller is named, strongest first', () => {
    expect(principalMatchLevel({ AWS: [ACCT] }, session)).toBe(ACCOUNT);
    expect(principalMatchLevel({ AWS: [ACCT, `arn:aws:iam::${ACCT}:role/app`] }, session)).toBe(ROLE);
    expect(principalMatchLevel({ AWS: [`arn:aws:iam::${ACCT}:role/app`, session.arn] }, session)).toBe(DIRECT);
    expect(principalMatchLevel({ AWS: [alice.arn] }, alice)).toBe(DIRECT);
    expect(principalMatchLevel('*', alice)).toBe(DIRECT);
    expect(principalMatchLevel({ AWS: [OTHER] }, alice)).toBe(NO_MATCH);
  });
});

describe('NotPrincipal', () => {
  it('Deny exempts a principal only when its account and identity are both listed', () => {
    expect(notPrincipalApplies({ AWS: [alice.arn] }, alice, 'Deny', false)).toBe(true);
    expect(notPrincipalApplies({ AWS: [alice.arn, ACCT] }, alice, 'Deny', false)).toBe(false);
    expect(notPrincipalApplies({ AWS: [`arn:aws:iam::${ACCT}:role/app`, `arn:aws:iam::${ACCT}:root`] }, session, 'Deny', false)).toBe(false);
    expect(notPrincipalApplies({ AWS: [session.arn, ACCT] }, session, 'Deny', false)).toBe(false);
    expect(notPrincipalApplies({ AWS: [ACCT] }, session, 'Deny', false)).toBe(true);
    expect(notPrincipalApplies({ AWS: [ACCT] }, rootUser(), 'Deny', false)).toBe(false);
    expect(notPrincipalApplies({ AWS: [ACCT] }, anonymous(), 'Deny', false)).toBe(true);
    expect(notPrincipalApplies({ Service: ['sagemaker.amazonaws.com'] }, servicePrincipal(), 'Deny', false)).toBe(false);
    expect(notPrincipalApplies('*', alice, 'Deny', false)).toBe(false);
  });

  it('Deny always reaches a principal that has a permissions boundary (documented AWS behaviour)', () => {
    expect(notPrincipalApplies({ AWS: [alice.arn, ACCT] }, alice, 'Deny', true)).toBe(true);
  });

  it('Allow reaches only principals not mentioned at all', () => {
    expect(notPrincipalApplies({ AWS: [ACCT] }, alice, 'Allow', false)).toBe(false);
    expect(notPrincipalApplies({ AWS: [OTHER] }, alice, 'Allow', false)).toBe(true);
    expect(notPrincipalApplies({ AWS: [OTHER] }, anonymous(), 'Allow', false)).toBe(true);
  });
});
