import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyParseError } from './index.js';
import type { PolicyKind } from './types.js';

const V = '2012-10-17';
const idStmt = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
const resStmt = { ...idStmt, Principal: { AWS: '123456789012' } };
const trustStmt = { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::123456789012:root' } };

function errorOf(doc: unknown, kind: PolicyKind = 'identity'): string {
  try {
    parsePolicy(doc as object, kind, 'p');
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyParseError);
    return (e as Error).message;
  }
  throw new Error('expected a PolicyParseError');
}

const withStatement = (s: object, kind: PolicyKind = 'identity') => errorOf({ Version: V, Statement: [s] }, kind);

describe('parsePolicy: normalisation', () => {
  it('normalises single values to arrays and a Statement object to a list', () => {
    const p = parsePolicy(
      JSON.stringify({ Version: V, Statement: { Sid: 'One', ...idStmt, Condition: { Bool: { 'aws:SecureTransport': true } } } }),
      'identity', 'user/alice/inline',
    );
    expect(p).toEqual({
      id: 'user/alice/inline', kind: 'identity', Version: V,
      Statement: [{
        Sid: 'One', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['*'],
        Condition: { Bool: { 'aws:SecureTransport': ['true'] } },
      }],
    });
  });

  it('defaults Version to 2008-10-17 and keeps Id', () => {
    const p = parsePolicy({ Id: 'Policy1', Statement: [resStmt] }, 'resource', 'bucket');
    expect(p.Version).toBe('2008-10-17');
    expect(p.Id).toBe('Policy1');
    expect(p.Statement[0].Principal).toEqual({ AWS: ['123456789012'] });
  });

  it('normalises principal "*" and numeric condition values', () => {
    const p = parsePolicy({
      Version: V,
      Statement: [{ ...idStmt, Principal: '*', Condition: { NumericLessThan: { 's3:max-keys': [10, '20'] } } }],
    }, 'resource', 'b');
    expect(p.Statement[0].Principal).toBe('*');
    expect(p.Statement[0].Condition).toEqual({ NumericLessThan: { 's3:max-keys': ['10', '20'] } });
  });

  it('accepts trust policies without Resource and Service principals', () => {
    const p = parsePolicy({ Version: V, Statement: [{ ...trustStmt, Principal: { Service: 'sagemaker.amazonaws.com' } }] }, 'trust', 'r');
    expect(p.Statement[0].Resource).toBeUndefined();
    expect(p.Statement[0].Principal).toEqual({ Service: ['sagemaker.amazonaws.com'] });
  });

  it('accepts NotAction/NotResource/NotPrincipal where allowed', () => {
    const p = parsePolicy({
      Version: V,
      Statement: [{ Effect: 'Deny', NotAction: 's3:*', NotResource: 'arn:aws:s3:::b/*', NotPrincipal: { AWS: ['123456789012'] } }],
    }, 'resource', 'b');
    expect(p.Statement[0]).toMatchObject({ NotAction: ['s3:*'], NotResource: ['arn:aws:s3:::b/*'] });
  });
});

describe('parsePolicy: document errors', () => {
  it('rejects invalid JSON, non-objects and duplicate keys', () => {
    expect(errorOf('{')).toBe('Syntax errors in policy.');
    expect(errorOf('[]')).toBe('Syntax errors in policy.');
    expect(errorOf('"x"')).toBe('Syntax errors in policy.');
    const dup = `{"Version":"${V}","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*",` +
      '"Condition":{"StringEquals":{"aws:a":"1"},"StringEquals":{"aws:b":"2"}}}]}';
    expect(errorOf(dup)).toBe('Syntax errors in policy.');
  });

  it('does not mistake repeated values or keys in different objects for duplicates', () => {
    const ok = `{"Version":"${V}","Statement":[{"Effect":"Allow","Action":["s3:a", "s3:a"],"Resource":"*"},` +
      '{"Effect":"Allow","Action":"s3:b","Resource":"*", "Condition": {"StringEquals": {"aws:x": "\\"}:"}}}]}';
    expect(parsePolicy(ok, 'identity', 'p').Statement).toHaveLength(2);
  });

  it('allows Id only in resource-side policies', () => {
    for (const kind of ['identity', 'boundary', 'session'] as const) {
      expect(errorOf({ Version: V, Id: 'x', Statement: [idStmt] }, kind)).toBe('Policy document should not specify an Id.');
    }
    expect(parsePolicy({ Version: V, Id: 'x', Statement: [trustStmt] }, 'trust', 'r').Id).toBe('x');
    expect(parsePolicy({ Version: V, Id: 'x', Statement: [resStmt] }, 'key', 'k').Id).toBe('x');
    expect(errorOf({ Version: V, Id: 1, Statement: [resStmt] }, 'resource')).toBe('Syntax errors in policy.');
  });

  it('rejects unknown fields, bad versions and missing or empty Statement', () => {
    expect(errorOf({ Version: V, Statement: [idStmt], Foo: 1 })).toBe('Unknown field Foo');
    expect(withStatement({ ...idStmt, Effects: 'Allow' })).toBe('Unknown field Effects');
    expect(errorOf({ Version: '2012-10-18', Statement: [idStmt] })).toBe('Syntax errors in policy.');
    expect(errorOf({ Version: V })).toBe('Syntax errors in policy.');
    expect(errorOf({ Version: V, Statement: [] })).toBe('Syntax errors in policy.');
    expect(errorOf({ Version: V, Statement: 'x' })).toBe('Syntax errors in policy.');
  });
});

describe('parsePolicy: statement errors', () => {
  it('requires a valid Effect', () => {
    expect(withStatement({ Action: 's3:*', Resource: '*' })).toBe('Missing required field Effect');
    expect(withStatement({ ...idStmt, Effect: 'allow' })).toBe('Invalid effect: allow');
  });

  it('requires actions with a vendor prefix', () => {
    expect(withStatement({ Effect: 'Allow', Resource: '*' })).toBe('Policy statement must contain actions.');
    expect(withStatement({ ...idStmt, Action: [] })).toBe('Policy statement must contain actions.');
    expect(withStatement({ ...idStmt, Action: 'GetObject' }))
      .toBe('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
    expect(withStatement({ ...idStmt, Action: 's3:Get:Object' })).toBe('Actions/Condition can contain only one colon.');
    expect(withStatement({ ...idStmt, Action: 's 3:Get' })).toBe('Vendor s 3 is not valid');
    expect(withStatement({ ...idStmt, Action: 42 })).toBe('Syntax errors in policy.');
    expect(withStatement({ ...idStmt, Action: 's3:*', NotAction: 's3:Get*' })).toBe('Syntax errors in policy.');
  });

  it('requires ARN resources in the aws partition', () => {
    expect(withStatement({ Effect: 'Allow', Action: 's3:*' })).toBe('Policy statement must contain resources.');
    expect(withStatement({ ...idStmt, Resource: 'bucket' })).toBe('Resource bucket must be in ARN format or "*".');
    expect(withStatement({ ...idStmt, Resource: 'arn:aws-cn:s3:::bucket/*' }))
      .toBe('Partition "aws-cn" is not valid for resource "arn:aws-cn:s3:::bucket/*".');
    expect(withStatement({ ...idStmt, Resource: 'arn:foo:s3' }))
      .toBe('Partition "foo" is not valid for resource "arn:foo:s3:*:*:*".');
    expect(withStatement({ ...idStmt, Resource: 'arn:aws::::x' })).toBe('The policy failed legacy parsing');
  });

  it('enforces the Principal rules per policy kind', () => {
    const principalMsg = 'Policy document should not specify a principal.';
    for (const kind of ['identity', 'boundary', 'session'] as const) {
      expect(withStatement(resStmt, kind)).toBe(principalMsg);
      expect(withStatement({ ...idStmt, NotPrincipal: { AWS: '123456789012' } }, kind)).toBe(principalMsg);
    }
    for (const kind of ['resource', 'key'] as const) {
      expect(withStatement(idStmt, kind)).toBe('Missing required field Principal');
    }
    expect(withStatement({ Effect: 'Allow', Action: 'sts:AssumeRole' }, 'trust')).toBe('Missing required field Principal');
    expect(withStatement({ Effect: 'Deny', Action: 'sts:AssumeRole', NotPrincipal: { AWS: '123456789012' } }, 'trust'))
      .toBe('NotPrincipal is not supported in a role trust policy.');
    expect(withStatement({ ...resStmt, NotPrincipal: { AWS: '123456789012' } }, 'resource')).toBe('Syntax errors in policy.');
  });

  it('rejects malformed principals with AWS wording', () => {
    expect(withStatement({ ...idStmt, Principal: { AWS: 'arn:aws:iam::123456789012:user/*' } }, 'resource'))
      .toBe('Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/*"');
    expect(withStatement({ ...idStmt, Principal: { AWS: 'bob' } }, 'resource')).toBe('Invalid principal in policy: "AWS":"bob"');
    expect(withStatement({ ...idStmt, Principal: { Service: '*' } }, 'resource')).toBe('Invalid principal in policy: "Service":"*"');
    expect(withStatement({ ...idStmt, Principal: { Robot: 'x' } }, 'resource')).toBe('Invalid principal in policy: "Robot":"x"');
    expect(withStatement({ ...idStmt, Principal: 'arn:aws:iam::123456789012:root' }, 'resource'))
      .toBe('Invalid principal in policy: "arn:aws:iam::123456789012:root"');
    expect(withStatement({ ...idStmt, Principal: {} }, 'resource')).toBe('Invalid principal in policy: {}');
  });

  it('accepts every documented principal form', () => {
    const AWS = [
      '*', '123456789012', 'arn:aws:iam::123456789012:root', 'arn:aws:iam::123456789012:user/path/alice',
      'arn:aws:iam::123456789012:role/app', 'arn:aws:sts::123456789012:assumed-role/app/session-1',
      'arn:aws:sts::123456789012:federated-user/bob', 'AIDAJQABLZS4A3QDU576Q',
    ];
    const p = parsePolicy({ Version: V, Statement: [{ ...idStmt, Principal: { AWS, Federated: 'cognito-identity.amazonaws.com' } }] }, 'resource', 'b');
    expect(p.Statement[0].Principal).toEqual({ AWS, Federated: ['cognito-identity.amazonaws.com'] });
  });

  it('forbids Resource in trust policies', () => {
    expect(withStatement({ ...trustStmt, Resource: '*' }, 'trust')).toBe('Has prohibited field Resource');
    expect(withStatement({ ...trustStmt, NotResource: '*' }, 'trust')).toBe('Has prohibited field NotResource');
  });

  it('validates condition operators, keys and values', () => {
    expect(withStatement({ ...idStmt, Condition: { StringEqualz: { 'aws:username': 'a' } } }))
      .toBe('Invalid condition operator: StringEqualz');
    expect(withStatement({ ...idStmt, Condition: { stringequals: { 'aws:username': 'a' } } }))
      .toBe('Invalid condition operator: stringequals');
    expect(withStatement({ ...idStmt, Condition: { NullIfExists: { 'aws:username': 'true' } } }))
      .toBe('Invalid condition operator: NullIfExists');
    expect(withStatement({ ...idStmt, Condition: { StringEquals: { username: 'a' } } }))
      .toBe('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
    expect(withStatement({ ...idStmt, Condition: { StringEquals: { 'aws:username': null } } })).toBe('Syntax errors in policy.');
    expect(withStatement({ ...idStmt, Condition: { StringEquals: 'x' } })).toBe('Syntax errors in policy.');
    expect(withStatement({ ...idStmt, Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }))
      .toBe('The policy failed legacy parsing');
  });

  it('accepts every operator family with modifiers', () => {
    const Condition = {
      'ForAllValues:StringLike': { 'aws:TagKeys': ['team', 'env*'] },
      'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'x' },
      NumericGreaterThanEqualsIfExists: { 's3:max-keys': 1 },
      DateGreaterThan: { 'aws:CurrentTime': ['2024-01-01T00:00:00Z', '1700000000'] },
      BinaryEquals: { 'kms:x': 'QmluYXJ5' }, NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' },
      ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/x' }, Null: { 'aws:TokenIssueTime': 'true' },
    };
    expect(parsePolicy({ Version: V, Statement: [{ ...idStmt, Condition }] }, 'identity', 'p').Statement[0].Condition)
      .toMatchObject({ BinaryEquals: { 'kms:x': ['QmluYXJ5'] } });
  });
});

describe('parsePolicy: Sid rules', () => {
  it('requires alphanumeric Sids in IAM identity-side policies only', () => {
    const msg = 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*';
    expect(withStatement({ Sid: 'my sid', ...idStmt })).toBe(msg);
    expect(withStatement({ Sid: 'my-sid', ...idStmt }, 'boundary')).toBe(msg);
    expect(parsePolicy({ Version: V, Statement: [{ Sid: 'Allow read-only #1', ...resStmt }] }, 'resource', 'b').Statement[0].Sid)
      .toBe('Allow read-only #1');
  });

  it('requires unique Sids', () => {
    expect(errorOf({ Version: V, Statement: [{ Sid: 'A', ...idStmt }, { Sid: 'A', ...idStmt }] }))
      .toBe('Statement IDs (SID) in a single policy must be unique.');
    expect(parsePolicy({ Version: V, Statement: [{ Sid: '', ...idStmt }, { Sid: '', ...idStmt }] }, 'identity', 'p').Statement)
      .toHaveLength(2);
  });

  it('rejects a non-string Sid', () => {
    expect(withStatement({ Sid: 1, ...idStmt })).toBe('Syntax errors in policy.');
  });
});
