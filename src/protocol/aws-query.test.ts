import { CreateUserCommand, GetAccountSummaryCommand, IAMClient, ListUsersCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { model as iam } from '../services/iam/api.generated.js';
import { model as sts } from '../services/sts/api.generated.js';
import { CommonErrors, ServiceError } from './errors.js';
import { protocols } from './index.js';
import { modelError } from './model-errors.js';
import { clientConfig, rejection, REQUEST_ID, SdkHandler, type Impl } from './testing/sdk-harness.js';
import type { HttpRequest } from './types.js';

const query = protocols.awsQuery;
const created = new Date('2019-07-15T23:28:33.359Z');

function iamClient(impl: Impl): { client: IAMClient; handler: SdkHandler } {
  const handler = new SdkHandler(query, iam, impl);
  return { client: new IAMClient(clientConfig(handler)), handler };
}

function form(body: string, method = 'POST'): HttpRequest {
  return { method, path: '/', rawQuery: '', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(body) };
}

describe('awsQuery with the real IAM and STS SDK clients', () => {
  it('round-trips CreateUser with a Tags list and a nested output with dates', async () => {
    const tags = [{ Key: 'team', Value: 'ml & <ops>' }, { Key: 'env', Value: 'prod' }];
    const { client, handler } = iamClient((_op, input) => ({
      User: { UserName: input.UserName, Path: input.Path, UserId: 'AIDAEXAMPLE', Arn: 'arn:aws:iam::123456789012:user/bob', CreateDate: created, Tags: input.Tags },
    }));
    const out = await client.send(new CreateUserCommand({ UserName: 'bob', Path: '/eng/', Tags: tags }));

    expect(handler.last.operation).toBe('CreateUser');
    expect(handler.last.input).toEqual({ UserName: 'bob', Path: '/eng/', Tags: tags });
    expect(out.User?.CreateDate).toEqual(created);
    expect(out.User?.Tags).toEqual(tags);
    expect(out.User?.Arn).toBe('arn:aws:iam::123456789012:user/bob');
    expect(out.$metadata.requestId).toBe(REQUEST_ID);
    const xml = String(handler.last.response.body);
    expect(xml).toContain('<CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateUserResult>');
    expect(xml).toContain('<CreateDate>2019-07-15T23:28:33.359Z</CreateDate>');
    expect(xml).toContain('<Value>ml &amp; &lt;ops&gt;</Value>');
    expect(handler.last.response.headers['Content-Type']).toBe('text/xml');
  });

  it('round-trips PutUserPolicy (no output shape) with a JSON policy document', async () => {
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    const { client, handler } = iamClient(() => undefined);
    const out = await client.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'p+1', PolicyDocument: doc }));
    expect(handler.last.input).toEqual({ UserName: 'bob', PolicyName: 'p+1', PolicyDocument: doc });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(String(handler.last.response.body)).toBe(
      `<PutUserPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>${REQUEST_ID}</RequestId></ResponseMetadata></PutUserPolicyResponse>`);
  });

  it('writes lists as <member>, booleans lowercase, empty lists, and maps as entry/key/value', async () => {
    const { client } = iamClient((op) => op === 'ListUsers'
      ? { Users: [{ UserName: 'a', Path: '/', UserId: 'U1', Arn: 'arn:a', CreateDate: created }, { UserName: 'b', Path: '/', UserId: 'U2', Arn: 'arn:b', CreateDate: created, Tags: [] }], IsTruncated: false }
      : { SummaryMap: { Users: 5, Groups: 0, AccountMFAEnabled: 1 } });
    const users = await client.send(new ListUsersCommand({}));
    expect(users.Users?.map((u) => u.UserName)).toEqual(['a', 'b']);
    expect(users.IsTruncated).toBe(false);
    const summary = await client.send(new GetAccountSummaryCommand({}));
    expect(summary.SummaryMap).toEqual({ Users: 5, Groups: 0, AccountMFAEnabled: 1 });
  });

  it('round-trips STS AssumeRole with PolicyArns, Tags and TransitiveTagKeys', async () => {
    const expiration = new Date('2030-01-02T03:04:05.678Z');
    const handler = new SdkHandler(query, sts, (_op, input) => ({
      Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 's', SessionToken: 'tok', Expiration: expiration },
      AssumedRoleUser: { AssumedRoleId: 'AROA:s', Arn: `arn:aws:sts::123456789012:assumed-role/r/${String(input.RoleSessionName)}` },
      PackedPolicySize: 6,
    }));
    const client = new STSClient(clientConfig(handler));
    const out = await client.send(new AssumeRoleCommand({
      RoleArn: 'arn:aws:iam::123456789012:role/r', RoleSessionName: 's', DurationSeconds: 3600,
      PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, { arn: 'arn:aws:iam::123456789012:policy/p' }],
      Tags: [{ Key: 'project', Value: 'fraud' }], TransitiveTagKeys: ['project'],
    }));
    expect(handler.last.input).toEqual({
      RoleArn: 'arn:aws:iam::123456789012:role/r', RoleSessionName: 's', DurationSeconds: 3600,
      PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, { arn: 'arn:aws:iam::123456789012:policy/p' }],
      Tags: [{ Key: 'project', Value: 'fraud' }], TransitiveTagKeys: ['project'],
    });
    expect(out.Credentials?.Expiration).toEqual(expiration);
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::123456789012:assumed-role/r/s');
    expect(out.PackedPolicySize).toBe(6);
    expect(String(handler.last.response.body)).toContain('xmlns="https://sts.amazonaws.com/doc/2011-06-15/"');
  });

  it('maps a modelled error to the SDK exception class with message and status', async () => {
    const { client, handler } = iamClient(() => {
      throw modelError(iam, 'NoSuchEntityException', 'The user with name nobody cannot be found.');
    });
    const err = await rejection(client.send(new CreateUserCommand({ UserName: 'nobody' })));
    expect(err).toMatchObject({ name: 'NoSuchEntityException', message: 'The user with name nobody cannot be found.' });
    expect(err.$metadata).toMatchObject({ httpStatusCode: 404 });
    expect(String(handler.last.response.body)).toBe('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>'
      + '<Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name nobody cannot be found.</Message></Error>'
      + `<RequestId>${REQUEST_ID}</RequestId></ErrorResponse>`);
  });

  it('surfaces common query errors by their query code, with Receiver for server faults', async () => {
    const { client, handler } = iamClient(() => {
      throw CommonErrors.validation('1 validation error detected: x', 'query');
    });
    const err = await rejection(client.send(new ListUsersCommand({})));
    expect(err).toMatchObject({ name: 'ValidationError', message: '1 validation error detected: x' });
    const internal = query.encodeError(CommonErrors.internal('r1'), { requestId: 'r1' });
    expect(internal.status).toBe(500);
    expect(String(internal.body)).toContain('<Type>Receiver</Type><Code>InternalFailure</Code>');
    expect(handler.last.response.headers['x-amzn-RequestId']).toBe(REQUEST_ID);
  });
});

describe('awsQuery decoding edge cases', () => {
  const op = iam.operations.ListUsers;

  it('reads GET query strings and merges them under the body', () => {
    const req: HttpRequest = { method: 'GET', path: '/', rawQuery: 'Action=ListUsers&Version=2010-05-08&MaxItems=5&PathPrefix=%2Fa%2F', headers: {}, body: Buffer.alloc(0) };
    expect(query.operationName(req, iam)).toBe('ListUsers');
    expect(query.decode(req, iam, op)).toEqual({ MaxItems: 5, PathPrefix: '/a/' });
  });

  it('rejects bad percent-encoding with MalformedQueryString', () => {
    const req = form('Action=CreateUser&UserName=%ZZbob');
    expect(() => query.decode(req, iam, iam.operations.CreateUser)).toThrow(ServiceError);
    expect(() => query.decode(req, iam, iam.operations.CreateUser)).toThrow(expect.objectContaining({ code: 'MalformedQueryString', httpStatus: 400 }));
  });

  it('rejects a non-number where an integer is modelled, as a ServiceError', () => {
    const decode = () => query.decode(form('Action=ListUsers&MaxItems=ten'), iam, op);
    expect(decode).toThrow(expect.objectContaining({ code: 'MalformedQueryString', message: "Unable to parse 'ten' as Integer for parameter MaxItems" }));
  });

  it('reads empty lists (`Tags=`), ignores unknown parameters and orders sparse indexes', () => {
    const input = query.decode(form('Action=CreateUser&UserName=bob&Tags=&Bogus.member.1=x&Version=1'), iam, iam.operations.CreateUser);
    expect(input).toEqual({ UserName: 'bob', Tags: [] });
    const sparse = query.decode(form('UserName=b&Tags.member.10.Key=z&Tags.member.10.Value=2&Tags.member.2.Key=a&Tags.member.2.Value=1&Tags.member.999999999.Key=last&Tags.member.999999999.Value=3'), iam, iam.operations.CreateUser);
    expect(sparse.Tags).toEqual([{ Key: 'a', Value: '1' }, { Key: 'z', Value: '2' }, { Key: 'last', Value: '3' }]);
  });

  it('survives deep keys and huge lists', () => {
    const deep = `UserName=b&${'Tags.member.1.'.repeat(5000)}Key=x`;
    expect(() => query.decode(form(deep), iam, iam.operations.CreateUser)).not.toThrow();
    const many = Array.from({ length: 20000 }, (_, i) => `Tags.member.${i + 1}.Key=k${i}&Tags.member.${i + 1}.Value=v`).join('&');
    const input = query.decode(form(`UserName=b&${many}`), iam, iam.operations.CreateUser);
    expect((input.Tags as unknown[]).length).toBe(20000);
  });

  it('does not let a form key pollute prototypes', () => {
    const input = query.decode(form('UserName=b&__proto__.polluted=1&constructor.prototype.polluted=1'), iam, iam.operations.CreateUser);
    expect(input).toEqual({ UserName: 'b' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
