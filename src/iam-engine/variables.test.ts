import { describe, expect, it } from 'vitest';
import { evaluate, parsePolicy } from './index.js';
import { conditionAllows as holds, request, roleSession, user } from './test-helpers.js';
import type { ContextValue } from './types.js';

const alice = user('alice');
const ctx = { 'aws:username': 'alice', 'aws:PrincipalTag/team': 'fraud', 'aws:userid': 'AIDAEXAMPLE' };

function resourceAllowed(
  pattern: string, resource: string, context: Record<string, ContextValue | undefined> = ctx,
  version = '2012-10-17', element: 'Resource' | 'NotResource' = 'Resource',
): boolean {
  const p = parsePolicy({ Version: version, Statement: [{ Effect: 'Allow', Action: 's3:*', [element]: pattern }] }, 'identity', 'v');
  return evaluate(request({ resource, context, identityPolicies: [p], principal: alice })).result === 'Allowed';
}

describe('policy variables in Resource', () => {
  it('substitutes aws:username, aws:userid and principal tags', () => {
    expect(resourceAllowed('arn:aws:s3:::home/${aws:username}/*', 'arn:aws:s3:::home/alice/notes')).toBe(true);
    expect(resourceAllowed('arn:aws:s3:::home/${aws:username}/*', 'arn:aws:s3:::home/bob/notes')).toBe(false);
    expect(resourceAllowed('arn:aws:s3:::ids/${aws:userid}', 'arn:aws:s3:::ids/AIDAEXAMPLE')).toBe(true);
    expect(resourceAllowed('arn:aws:s3:::teams/${aws:PrincipalTag/team}/*', 'arn:aws:s3:::teams/fraud/x')).toBe(true);
  });

  it('looks variable keys up case-insensitively', () => {
    expect(resourceAllowed('arn:aws:s3:::teams/${AWS:principaltag/TEAM}/*', 'arn:aws:s3:::teams/fraud/x')).toBe(true);
  });

  it('derives aws:username from a user principal when the caller did not supply it', () => {
    expect(resourceAllowed('arn:aws:s3:::home/${aws:username}/*', 'arn:aws:s3:::home/alice/x', {})).toBe(true);
  });

  it('uses defaults when the key is missing', () => {
    const pattern = "arn:aws:s3:::teams/${aws:PrincipalTag/dept, 'shared'}/*";
    expect(resourceAllowed(pattern, 'arn:aws:s3:::teams/shared/x')).toBe(true);
    expect(resourceAllowed(pattern, 'arn:aws:s3:::teams/ops/x', { ...ctx, 'aws:PrincipalTag/dept': 'ops' })).toBe(true);
    expect(resourceAllowed("arn:aws:s3:::t/${aws:PrincipalTag/dept,'company wide'}", 'arn:aws:s3:::t/company wide')).toBe(true);
  });

  it('an unresolved variable makes the resource match nothing', () => {
    expect(resourceAllowed('arn:aws:s3:::teams/${aws:PrincipalTag/dept}/*', 'arn:aws:s3:::teams//x')).toBe(false);
    expect(resourceAllowed('arn:aws:s3:::teams/${aws:PrincipalTag/dept}*', 'arn:aws:s3:::teams/anything')).toBe(false);
    // …so a NotResource with it excludes nothing.
    expect(resourceAllowed('arn:aws:s3:::teams/${aws:PrincipalTag/dept}', 'arn:aws:s3:::x', ctx, '2012-10-17', 'NotResource')).toBe(true);
  });

  it('does not substitute multivalued keys', () => {
    const c = { ...ctx, 'aws:TagKeys': ['a', 'b'] };
    expect(resourceAllowed('arn:aws:s3:::k/${aws:TagKeys}', 'arn:aws:s3:::k/a', c)).toBe(false);
  });

  it('inserts substituted values literally, never as wildcards', () => {
    const c = { ...ctx, 'aws:PrincipalTag/team': 'f*' };
    expect(resourceAllowed('arn:aws:s3:::teams/${aws:PrincipalTag/team}', 'arn:aws:s3:::teams/fraud', c)).toBe(false);
    expect(resourceAllowed('arn:aws:s3:::teams/${aws:PrincipalTag/team}', 'arn:aws:s3:::teams/f*', c)).toBe(true);
  });

  it('${*}, ${?} and ${$} are literal characters', () => {
    expect(resourceAllowed('arn:aws:s3:::b/${*}', 'arn:aws:s3:::b/*')).toBe(true);
    expect(resourceAllowed('arn:aws:s3:::b/${*}', 'arn:aws:s3:::b/anything')).toBe(false);
    expect(resourceAllowed('arn:aws:s3:::b/a${?}', 'arn:aws:s3:::b/a?')).toBe(true);
    expect(resourceAllowed('arn:aws:s3:::b/a${?}', 'arn:aws:s3:::b/ab')).toBe(false);
    expect(resourceAllowed('arn:aws:s3:::b/${$}x', 'arn:aws:s3:::b/$x')).toBe(true);
  });

  it('keeps ${…} literal under Version 2008-10-17', () => {
    expect(resourceAllowed('arn:aws:s3:::home/${aws:username}/*', 'arn:aws:s3:::home/alice/x', ctx, '2008-10-17')).toBe(false);
    expect(resourceAllowed('arn:aws:s3:::home/${aws:username}/*', 'arn:aws:s3:::home/${aws:username}/x', ctx, '2008-10-17')).toBe(true);
  });

  it('leaves text that is not a variable alone', () => {
    expect(resourceAllowed('arn:aws:s3:::b/${not a var}/${aws:username}', 'arn:aws:s3:::b/${not a var}/alice')).toBe(true);
    expect(resourceAllowed('arn:aws:s3:::b/${unterminated', 'arn:aws:s3:::b/${unterminated')).toBe(true);
  });
});

describe('policy variables in conditions', () => {
  it('resolve in String* values', () => {
    expect(holds({ StringEquals: { 's3:prefix': '${aws:username}/' } }, { ...ctx, 's3:prefix': 'alice/' })).toBe(true);
    expect(holds({ StringLike: { 's3:prefix': ['${aws:username}/*', ''] } }, { ...ctx, 's3:prefix': 'alice/docs' })).toBe(true);
    expect(holds({ StringEqualsIgnoreCase: { 'aws:RequestTag/owner': '${aws:username}' } }, { ...ctx, 'aws:RequestTag/owner': 'ALICE' })).toBe(true);
  });

  it('resolve in Arn* values', () => {
    const session = roleSession('app', 's1');
    const c = { 'aws:SourceArn': 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/fraud', 'aws:PrincipalTag/team': 'fraud' };
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:sagemaker:*:*:endpoint/${aws:PrincipalTag/team}' } }, c, '2012-10-17', session)).toBe(true);
  });

  it('unresolved: positive operators fail, negated ones hold', () => {
    const c = { 's3:prefix': 'alice/' };
    expect(holds({ StringEquals: { 's3:prefix': '${aws:PrincipalTag/none}/' } }, c)).toBe(false);
    expect(holds({ StringNotEquals: { 's3:prefix': '${aws:PrincipalTag/none}/' } }, c)).toBe(true);
    expect(holds({ StringNotLike: { 's3:prefix': '${aws:PrincipalTag/none}*' } }, c)).toBe(true);
    expect(holds({ StringEquals: { 's3:prefix': ["${aws:PrincipalTag/none, 'alice'}/"] } }, c)).toBe(true);
  });

  it('match the literal text under 2008-10-17', () => {
    expect(holds({ StringEquals: { 's3:prefix': '${aws:username}' } }, { ...ctx, 's3:prefix': 'alice' }, '2008-10-17')).toBe(false);
    expect(holds({ StringEquals: { 's3:prefix': '${aws:username}' } }, { ...ctx, 's3:prefix': '${aws:username}' }, '2008-10-17')).toBe(true);
  });
});
