import { describe, expect, it } from 'vitest';
import { conditionAllows as holds } from './test-helpers.js';

const tag = { 'aws:PrincipalTag/team': 'fraud' };

describe('String operators', () => {
  it('StringEquals is exact and case-sensitive; values are ORed', () => {
    expect(holds({ StringEquals: { 'aws:PrincipalTag/team': 'fraud' } }, tag)).toBe(true);
    expect(holds({ StringEquals: { 'aws:PrincipalTag/team': 'Fraud' } }, tag)).toBe(false);
    expect(holds({ StringEquals: { 'aws:PrincipalTag/team': ['ads', 'fraud'] } }, tag)).toBe(true);
  });

  it('StringNotEquals holds only when no value matches', () => {
    expect(holds({ StringNotEquals: { 'aws:PrincipalTag/team': ['ads', 'risk'] } }, tag)).toBe(true);
    expect(holds({ StringNotEquals: { 'aws:PrincipalTag/team': ['ads', 'fraud'] } }, tag)).toBe(false);
  });

  it('IgnoreCase variants fold case', () => {
    expect(holds({ StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'FRAUD' } }, tag)).toBe(true);
    expect(holds({ StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'FRAUD' } }, tag)).toBe(false);
    expect(holds({ StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'ads' } }, tag)).toBe(true);
  });

  it('StringLike/StringNotLike support * and ? and nothing else', () => {
    expect(holds({ StringLike: { 'aws:PrincipalTag/team': 'fr*' } }, tag)).toBe(true);
    expect(holds({ StringLike: { 'aws:PrincipalTag/team': 'fra?d' } }, tag)).toBe(true);
    expect(holds({ StringLike: { 'aws:PrincipalTag/team': 'fr.*' } }, tag)).toBe(false);
    expect(holds({ StringLike: { 's3:prefix': 'home/*' } }, { 's3:prefix': 'home/a/b:c' })).toBe(true);
    expect(holds({ StringNotLike: { 'aws:PrincipalTag/team': ['ad*', 'r*'] } }, tag)).toBe(true);
    expect(holds({ StringNotLike: { 'aws:PrincipalTag/team': ['ad*', 'f*'] } }, tag)).toBe(false);
  });
});

describe('missing keys, IfExists and key-name case', () => {
  it('a missing key fails positive operators and satisfies negated ones', () => {
    expect(holds({ StringEquals: { 'aws:PrincipalTag/team': 'fraud' } }, {})).toBe(false);
    expect(holds({ StringNotEquals: { 'aws:PrincipalTag/team': 'fraud' } }, {})).toBe(true);
    expect(holds({ StringNotLike: { 'aws:PrincipalTag/team': 'f*' } }, {})).toBe(true);
    expect(holds({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, {})).toBe(true);
    expect(holds({ NumericLessThan: { 's3:max-keys': '10' } }, {})).toBe(false);
    expect(holds({ ArnNotLike: { 'aws:SourceArn': 'arn:aws:s3:::x' } }, {})).toBe(true);
  });

  it('IfExists: absent → true, present → normal test', () => {
    expect(holds({ StringEqualsIfExists: { 'aws:PrincipalTag/team': 'ads' } }, {})).toBe(true);
    expect(holds({ StringEqualsIfExists: { 'aws:PrincipalTag/team': 'ads' } }, tag)).toBe(false);
    expect(holds({ StringEqualsIfExists: { 'aws:PrincipalTag/team': 'fraud' } }, tag)).toBe(true);
    expect(holds({ NumericLessThanIfExists: { 's3:max-keys': '10' } }, { 's3:max-keys': '20' })).toBe(false);
    expect(holds({ StringNotEqualsIfExists: { 'aws:PrincipalTag/team': 'fraud' } }, {})).toBe(true);
  });

  it('matches condition key names case-insensitively, tag key part included', () => {
    expect(holds({ StringEquals: { 'AWS:principaltag/TEAM': 'fraud' } }, tag)).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIP': '10.0.0.0/8' } }, { 'aws:sourceip': '10.1.2.3' })).toBe(true);
    expect(holds({ StringEquals: { 'aws:RequestTag/Env': 'prod' } }, { 'aws:requesttag/env': 'prod' })).toBe(true);
  });

  it('treats an empty list as missing and rejects single-valued operators on several values', () => {
    expect(holds({ StringEquals: { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': [] })).toBe(false);
    expect(holds({ StringEquals: { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': ['a'] })).toBe(true);
    expect(holds({ StringEquals: { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': ['a', 'b'] })).toBe(false);
    expect(holds({ StringNotEquals: { 'aws:TagKeys': 'c' } }, { 'aws:TagKeys': ['a', 'b'] })).toBe(false);
  });

  it('ANDs operators and keys', () => {
    const both = {
      StringEquals: { 'aws:PrincipalTag/team': 'fraud', 'aws:RequestedRegion': 'us-east-1' },
      Bool: { 'aws:SecureTransport': 'true' },
    };
    const ctx = { ...tag, 'aws:RequestedRegion': 'us-east-1', 'aws:SecureTransport': 'true' };
    expect(holds(both, ctx)).toBe(true);
    expect(holds(both, { ...ctx, 'aws:RequestedRegion': 'eu-west-1' })).toBe(false);
    expect(holds(both, { ...ctx, 'aws:SecureTransport': 'false' })).toBe(false);
  });
});

describe('Null and Bool', () => {
  it('Null "true" wants the key absent, "false" wants it present', () => {
    expect(holds({ Null: { 'aws:TokenIssueTime': 'true' } }, {})).toBe(true);
    expect(holds({ Null: { 'aws:TokenIssueTime': 'true' } }, { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' })).toBe(false);
    expect(holds({ Null: { 'aws:TokenIssueTime': 'false' } }, { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' })).toBe(true);
    expect(holds({ Null: { 'aws:TokenIssueTime': false } }, {})).toBe(false);
    expect(holds({ Null: { 'aws:TagKeys': 'true' } }, { 'aws:TagKeys': [] })).toBe(true);
  });

  it('Bool compares true/false case-insensitively; missing key → false', () => {
    expect(holds({ Bool: { 'aws:SecureTransport': true } }, { 'aws:SecureTransport': 'true' })).toBe(true);
    expect(holds({ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'true' })).toBe(false);
    expect(holds({ Bool: { 'aws:SecureTransport': 'TRUE' } }, { 'aws:SecureTransport': 'true' })).toBe(true);
    expect(holds({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }, {})).toBe(false);
    expect(holds({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }, {})).toBe(true);
  });
});

describe('Arn operators', () => {
  const src = { 'aws:SourceArn': 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/fraud' };

  it('ArnEquals and ArnLike both honour wildcards per component', () => {
    expect(holds({ ArnEquals: { 'aws:SourceArn': 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/fraud' } }, src)).toBe(true);
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:sagemaker:*:123456789012:endpoint/*' } }, src)).toBe(true);
    expect(holds({ ArnEquals: { 'aws:SourceArn': 'arn:aws:sagemaker:*:*:endpoint/fr?ud' } }, src)).toBe(true);
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:*:endpoint/fraud' } }, src)).toBe(false);
  });

  it('ArnNotEquals/ArnNotLike hold when nothing matches', () => {
    expect(holds({ ArnNotLike: { 'aws:SourceArn': ['arn:aws:s3:::*', 'arn:aws:sns:*:*:*'] } }, src)).toBe(true);
    expect(holds({ ArnNotEquals: { 'aws:SourceArn': 'arn:aws:sagemaker:*:*:endpoint/*' } }, src)).toBe(false);
  });

  it('is case-sensitive', () => {
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:sagemaker:*:*:endpoint/FRAUD' } }, src)).toBe(false);
  });
});

describe('ForAllValues / ForAnyValue', () => {
  const allowed = { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } };
  const any = { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team', 'env'] } };

  it('ForAllValues: every request value must be listed', () => {
    expect(holds(allowed, { 'aws:TagKeys': ['team'] })).toBe(true);
    expect(holds(allowed, { 'aws:TagKeys': ['team', 'env'] })).toBe(true);
    expect(holds(allowed, { 'aws:TagKeys': ['team', 'owner'] })).toBe(false);
  });

  it('ForAllValues is vacuously true for a missing or empty key', () => {
    expect(holds(allowed, {})).toBe(true);
    expect(holds(allowed, { 'aws:TagKeys': [] })).toBe(true);
  });

  it('ForAnyValue: one listed request value suffices; missing or empty → false', () => {
    expect(holds(any, { 'aws:TagKeys': ['owner', 'env'] })).toBe(true);
    expect(holds(any, { 'aws:TagKeys': ['owner'] })).toBe(false);
    expect(holds(any, {})).toBe(false);
    expect(holds(any, { 'aws:TagKeys': [] })).toBe(false);
    expect(holds({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'x' } }, {})).toBe(true);
  });

  it('works with negated and pattern operators', () => {
    const noSecret = { 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'secret*' } };
    expect(holds(noSecret, { 'aws:TagKeys': ['team', 'env'] })).toBe(true);
    expect(holds(noSecret, { 'aws:TagKeys': ['team', 'secret-x'] })).toBe(false);
    const anyNotTeam = { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': 'team' } };
    expect(holds(anyNotTeam, { 'aws:TagKeys': ['team'] })).toBe(false);
    expect(holds(anyNotTeam, { 'aws:TagKeys': ['team', 'env'] })).toBe(true);
    expect(holds({ 'ForAnyValue:StringLike': { 'aws:CalledVia': '*.amazonaws.com' } }, { 'aws:CalledVia': ['kms.amazonaws.com'] })).toBe(true);
  });

  it('treats a single string context value as a one-element set', () => {
    expect(holds(allowed, { 'aws:TagKeys': 'team' })).toBe(true);
    expect(holds(any, { 'aws:TagKeys': 'owner' })).toBe(false);
  });
});
