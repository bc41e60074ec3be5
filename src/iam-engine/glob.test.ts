import { describe, expect, it } from 'vitest';
import { arnGlobMatch, escapeLiteral, globMatch } from './glob.js';
import { matchesAction, matchesResource } from './index.js';

describe('matchesAction', () => {
  it('is case-insensitive in service prefix and action name', () => {
    expect(matchesAction('iam:ListAccessKeys', 'IAM:listaccesskeys')).toBe(true);
    expect(matchesAction('SageMaker:InvokeEndpoint', 'sagemaker:invokeendpoint')).toBe(true);
  });

  it('supports * and ? anywhere', () => {
    expect(matchesAction('*', 'kms:Decrypt')).toBe(true);
    expect(matchesAction('iam:*AccessKey*', 'iam:CreateAccessKey')).toBe(true);
    expect(matchesAction('iam:*AccessKey*', 'iam:ListAccessKeys')).toBe(true);
    expect(matchesAction('iam:*AccessKey*', 'iam:GetUser')).toBe(false);
    expect(matchesAction('s3:Get?bject', 's3:GetObject')).toBe(true);
    expect(matchesAction('s3:Get?bject', 's3:GetObbject')).toBe(false);
    expect(matchesAction('sagemaker:*', 'sagemaker-runtime:InvokeEndpoint')).toBe(false);
  });

  it('does not match across services or prefixes', () => {
    expect(matchesAction('s3:Get*', 'kms:GetKeyPolicy')).toBe(false);
    expect(matchesAction('s3:GetObject', 's3:GetObjectAcl')).toBe(false);
  });
});

describe('matchesResource', () => {
  it('is case-sensitive', () => {
    expect(matchesResource('arn:aws:iam::123456789012:user/Alice', 'arn:aws:iam::123456789012:user/alice')).toBe(false);
    expect(matchesResource('arn:aws:iam::123456789012:user/alice', 'arn:aws:iam::123456789012:user/alice')).toBe(true);
  });

  it('treats regex metacharacters literally', () => {
    expect(matchesResource('arn:aws:s3:::my.bucket/*', 'arn:aws:s3:::myXbucket/a')).toBe(false);
    expect(matchesResource('arn:aws:s3:::my.bucket/*', 'arn:aws:s3:::my.bucket/a')).toBe(true);
    expect(matchesResource('arn:aws:s3:::a+b/(x)[y]{z}^$|\\', 'arn:aws:s3:::a+b/(x)[y]{z}^$|\\')).toBe(true);
    expect(matchesResource('arn:aws:s3:::a+b/*', 'arn:aws:s3:::aab/x')).toBe(false);
    expect(matchesResource('arn:aws:s3:::b\\*', 'arn:aws:s3:::b\\anything')).toBe(true);
  });

  it('lets * cross / and : and ? match exactly one character', () => {
    expect(matchesResource('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b/c')).toBe(true);
    expect(matchesResource('arn:aws:sagemaker:*', 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/x')).toBe(true);
    expect(matchesResource('arn:aws:sagemaker:us-east-1:*:endpoint/fraud-?', 'arn:aws:sagemaker:us-east-1:1:endpoint/fraud-1')).toBe(true);
    expect(matchesResource('arn:aws:sagemaker:us-east-1:*:endpoint/fraud-?', 'arn:aws:sagemaker:us-east-1:1:endpoint/fraud-12')).toBe(false);
  });

  it('"*" matches anything, including the "*" of resource-less actions', () => {
    expect(matchesResource('*', '*')).toBe(true);
    expect(matchesResource('arn:aws:s3:::*', '*')).toBe(false);
  });

  it('survives patterns that make backtracking regexes explode', () => {
    const pattern = `arn:aws:s3:::${'*a'.repeat(30)}b`;
    const text = `arn:aws:s3:::${'a'.repeat(5000)}`;
    const start = performance.now();
    expect(matchesResource(pattern, text)).toBe(false);
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe('globMatch internals', () => {
  it('honours escapes produced for substituted values', () => {
    expect(globMatch(`user/${escapeLiteral('a*b')}`, 'user/a*b')).toBe(true);
    expect(globMatch(`user/${escapeLiteral('a*b')}`, 'user/aXXb')).toBe(false);
    expect(globMatch(escapeLiteral('a?'), 'ab')).toBe(false);
  });

  it('handles empty pattern and trailing stars', () => {
    expect(globMatch('', '')).toBe(true);
    expect(globMatch('', 'a')).toBe(false);
    expect(globMatch('a**', 'a')).toBe(true);
  });
});

describe('arnGlobMatch (ArnLike)', () => {
  const arn = 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/fraud';

  it('matches component by component', () => {
    expect(arnGlobMatch('arn:aws:sagemaker:*:123456789012:endpoint/*', arn)).toBe(true);
    expect(arnGlobMatch('arn:aws:sagemaker:us-east-?:*:endpoint/fraud', arn)).toBe(true);
  });

  it('does not let * cross a colon in the first five components', () => {
    expect(arnGlobMatch('arn:aws:*:endpoint/fraud', arn)).toBe(false);
    expect(arnGlobMatch('arn:aws:sagemaker:*:endpoint/fraud', arn)).toBe(false);
  });

  it('lets the resource component contain colons', () => {
    expect(arnGlobMatch('arn:aws:logs:us-east-1:1:log-group:*', 'arn:aws:logs:us-east-1:1:log-group:/x:log-stream:y')).toBe(true);
  });

  it('accepts a bare * and rejects non-ARN context values', () => {
    expect(arnGlobMatch('*', arn)).toBe(true);
    expect(arnGlobMatch('arn:aws:s3:::*', 'not-an-arn')).toBe(false);
  });

  it('is case-sensitive', () => {
    expect(arnGlobMatch('arn:aws:sagemaker:us-east-1:123456789012:endpoint/Fraud', arn)).toBe(false);
  });
});
