import { describe, expect, it } from 'vitest';
import { model as cloudwatch } from '../services/cloudwatch/api.generated.js';
import { model as iam } from '../services/iam/api.generated.js';
import { model as kms } from '../services/kms/api.generated.js';
import { model as sts } from '../services/sts/api.generated.js';
import type { ErrorFamily } from './errors.js';
import { compileJavaPattern, translate } from './java-regex.js';
import type { ServiceModel } from './schema.js';
import { lowerCamel, validateInput } from './validate.js';

/** The ServiceError validateInput throws (or undefined when the input is valid). */
function check(model: ServiceModel, op: string, input: Record<string, unknown>, family: ErrorFamily = 'query'): { code: string; message: string } | undefined {
  try {
    validateInput(model, model.operations[op], input, family);
    return undefined;
  } catch (e) {
    return e as { code: string; message: string };
  }
}

describe('validateInput wording (AWS Coral style)', () => {
  it('reports one length violation exactly as IAM does', () => {
    const name = 'u'.repeat(65);
    expect(check(iam, 'CreateUser', { UserName: name })).toMatchObject({
      code: 'ValidationError',
      message: `1 validation error detected: Value '${name}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    });
  });

  it('lists missing required members first, then pattern violations', () => {
    expect(check(iam, 'PutUserPolicy', { UserName: 'bob', PolicyName: 'bad name!' })?.message).toBe(
      "2 validation errors detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null; "
      + "Value 'bad name!' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
  });

  it('reports enum, numeric range and list length constraints', () => {
    expect(check(kms, 'CreateKey', { KeyUsage: 'ENCRYPT' }, 'json')).toMatchObject({
      code: 'ValidationException',
      message: "1 validation error detected: Value 'ENCRYPT' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [SIGN_VERIFY, ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC]",
    });
    expect(check(sts, 'AssumeRole', { RoleArn: 'arn:aws:iam::123456789012:role/r', RoleSessionName: 's1', DurationSeconds: 100 })?.message).toBe(
      "1 validation error detected: Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
    const tokens = Array.from({ length: 11 }, (_, i) => `t${i}`);
    expect(check(kms, 'Encrypt', { KeyId: 'k', Plaintext: Buffer.from('x'), GrantTokens: tokens }, 'json')?.message).toBe(
      `1 validation error detected: Value '[${tokens.join(', ')}]' at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10`);
  });

  it('paths into list elements as name.N.member.field', () => {
    expect(check(iam, 'CreateUser', { UserName: 'bob', Tags: [{ Key: 'ok', Value: 'v' }, { Key: 'bad!', Value: 'v' }] })?.message).toBe(
      "1 validation error detected: Value 'bad!' at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+");
    expect(check(iam, 'CreateUser', { UserName: 'bob', Tags: [{ Key: 'k' }] })?.message).toBe(
      "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null");
  });

  it('reports scalar list elements once for the whole list', () => {
    const input = { Namespace: 'n', MetricName: 'm', StartTime: new Date(0), EndTime: new Date(1), Period: 60, Statistics: ['Average', 'P99', 'Mean'] };
    expect(check(cloudwatch, 'GetMetricStatistics', input)?.message).toBe(
      "1 validation error detected: Value '[Average, P99, Mean]' at 'statistics' failed to satisfy constraint: Member must satisfy constraint: "
      + '[Member must satisfy enum value set: [SampleCount, Average, Sum, Minimum, Maximum]]');
  });

  it('hides sensitive values and prints blobs as Java would', () => {
    expect(check(kms, 'Encrypt', { KeyId: 'k', Plaintext: Buffer.alloc(5000) }, 'json')?.message).toBe(
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
    expect(check(kms, 'Decrypt', { CiphertextBlob: Buffer.alloc(0) }, 'json')?.message).toBe(
      "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]' at 'ciphertextBlob' failed to satisfy constraint: Member must have length greater than or equal to 1");
  });

  it('accepts valid input, including unicode the pattern allows', () => {
    expect(check(iam, 'CreateUser', { UserName: 'bob@example.com', Tags: [{ Key: 'équipe', Value: 'données' }] })).toBeUndefined();
    expect(check(kms, 'Encrypt', { KeyId: 'k', Plaintext: Buffer.from('hi'), EncryptionContext: { a: 'b' } }, 'json')).toBeUndefined();
  });

  it('does not choke on huge lists', () => {
    const tags = Array.from({ length: 50000 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const message = check(iam, 'CreateUser', { UserName: 'bob', Tags: tags })?.message ?? '';
    expect(message).toMatch(/^1 validation error detected: Value '\[\{Key=k0, Value=v\}, .* at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50$/);
  });
});

describe('Java pattern translation', () => {
  it('anchors the whole value, as java.util.regex matches() does', () => {
    const re = compileJavaPattern('[\\w+=,.@-]+');
    expect(re?.test('bob')).toBe(true);
    expect(re?.test('bob smith')).toBe(false);
  });

  it('translates POSIX classes, \\A/\\z, \\p{L} and quantified $', () => {
    expect(translate('\\A\\S[\\p{Print}]*\\z')).toBe('^\\S[ -~]*$');
    expect(compileJavaPattern('\\p{ASCII}*')?.test('héllo')).toBe(false);
    expect(compileJavaPattern('[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+')?.test('Ωmega 1')).toBe(true);
    expect(compileJavaPattern('^([\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@]*)${1,128}')?.test('abc')).toBe(true);
    expect(compileJavaPattern('\\p{IsAlphabetic}+')?.test('abcé')).toBe(true);
    expect(compileJavaPattern('[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*')?.test('x😀')).toBe(true);
  });

  it('skips what it cannot translate or could backtrack catastrophically, instead of failing', () => {
    expect(compileJavaPattern('a*+b')).toBeUndefined();
    expect(compileJavaPattern('a{2}+')).toBeUndefined();
    expect(compileJavaPattern('\\*+x')?.test('**x')).toBe(true);
    expect(compileJavaPattern('\\p{IsAlphabetic}+')?.test('abc')).toBe(true);
    expect(compileJavaPattern('(?i)abc')).toBeUndefined();
    expect(compileJavaPattern('[a-z&&[^b]]')).toBeUndefined();
    expect(compileJavaPattern('\\p{InGreek}')).toBeUndefined();
    expect(compileJavaPattern('(unclosed')).toBeUndefined();
    expect(compileJavaPattern('.*(?:[ \\r\\n\\t].*)*')).toBeUndefined();
  });

  it('keeps the endpoint-name pattern linear on a near miss', () => {
    const started = Date.now();
    const re = compileJavaPattern('^[a-zA-Z0-9](-*[a-zA-Z0-9])*');
    expect(re?.test(`a${'-a'.repeat(30000)}-!`)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('caches compiled patterns', () => {
    expect(compileJavaPattern('[a-z]+')).toBe(compileJavaPattern('[a-z]+'));
  });
});

describe('lowerCamel', () => {
  it.each([['UserName', 'userName'], ['KMSKeyId', 'kmsKeyId'], ['ARN', 'arn'], ['arn', 'arn'], ['PolicyArns', 'policyArns'], ['SSEKMSKeyId', 'ssekmsKeyId']])('%s → %s', (from, to) => {
    expect(lowerCamel(from)).toBe(to);
  });
});
