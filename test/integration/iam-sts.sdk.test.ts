import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetUserCommand, IAMClient, ListUsersCommand,
  PutRolePolicyCommand, PutUserPolicyCommand, SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Creds, TestVigil } from '../helpers/vigil.js';
import { startTestVigil } from '../helpers/vigil.js';
import { createTestPgSchema } from '../../src/state/testing.js';

const SOURCE_IP_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.1/32' } } }],
});

describe.each(['sqlite', 'postgres'] as const)('IAM and STS through the AWS SDK for JavaScript v3 (%s)', (backend) => {
  let v: TestVigil;
  let pg: { url: string; schema: string; drop(): Promise<void> } | undefined;
  let offsetMs = 0;
  let iamRoot: IAMClient;
  let app: Creds;
  let appArn: string;

  beforeAll(async () => {
    // A clock the test can move forward; the skew window is wide so real-time signatures stay valid.
    if (backend === 'postgres') pg = await createTestPgSchema();
    v = await startTestVigil({
      ...(pg ? { database: pg.url, databaseSchema: pg.schema } : {}),
      clock: { now: () => new Date(Date.now() + offsetMs) },
      clockSkewSeconds: 3 * 3600,
      listeners: [
        { name: 'plain', host: '127.0.0.1', port: 0, plaintext: true },
        { name: 'private', host: '127.0.0.1', port: 0, plaintext: false, vpce: 'vpce-0a1b2c3d' },
      ],
    });
    iamRoot = new IAMClient(v.sdk(v.root));
    const user = await iamRoot.send(new CreateUserCommand({ UserName: 'app', Tags: [{ Key: 'team', Value: 'ml' }] }));
    appArn = user.User!.Arn!;
    await iamRoot.send(new PutUserPolicyCommand({ UserName: 'app', PolicyName: 'get-user-from-localhost', PolicyDocument: SOURCE_IP_POLICY }));
    const key = await iamRoot.send(new CreateAccessKeyCommand({ UserName: 'app' }));
    app = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
  });
  afterAll(async () => {
    await v?.stop();
    await pg?.drop();
  });

  it('creates users with AWS-shaped ARNs and ids', async () => {
    expect(appArn).toBe(`arn:aws:iam::${v.accountId}:user/app`);
    expect(app.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(app.secretAccessKey).toHaveLength(40);
  });

  it('allows iam:GetUser from 127.0.0.1 under the aws:SourceIp policy', async () => {
    const iam = new IAMClient(v.sdk(app));
    const out = await iam.send(new GetUserCommand({}));
    expect(out.User?.UserName).toBe('app');
    expect(out.User?.Arn).toBe(appArn);
  });

  it('denies another action with AWS\'s AccessDenied message', async () => {
    const iam = new IAMClient(v.sdk(app));
    const err = await iam.send(new ListUsersCommand({})).catch((e: unknown) => e as Error & { $metadata: { httpStatusCode: number } });
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('AccessDenied');
    expect((err as Error).message).toBe(
      `User: ${appArn} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${v.accountId}:user/ ` +
      'because no identity-based policy allows the iam:ListUsers action');
    expect((err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(403);
  });

  it('lets an explicit Deny beat an Allow', async () => {
    await iamRoot.send(new CreateUserCommand({ UserName: 'denied' }));
    await iamRoot.send(new PutUserPolicyCommand({ UserName: 'denied', PolicyName: 'allow', PolicyDocument: SOURCE_IP_POLICY }));
    await iamRoot.send(new PutUserPolicyCommand({
      UserName: 'denied', PolicyName: 'deny',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:Get*', Resource: '*' }] }),
    }));
    const k = await iamRoot.send(new CreateAccessKeyCommand({ UserName: 'denied' }));
    const iam = new IAMClient(v.sdk({ accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! }));
    const err = await iam.send(new GetUserCommand({})).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(
      `User: arn:aws:iam::${v.accountId}:user/denied is not authorized to perform: iam:GetUser on resource: ` +
      `arn:aws:iam::${v.accountId}:user/denied with an explicit deny in an identity-based policy`);
  });

  it('assumes a role only when its trust policy allows, and reports the assumed-role ARN', async () => {
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: appArn }, Action: 'sts:AssumeRole' }] };
    const role = await iamRoot.send(new CreateRoleCommand({ RoleName: 'invoker', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await iamRoot.send(new PutRolePolicyCommand({
      RoleName: 'invoker', PolicyName: 'read',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:List*', Resource: '*' }] }),
    }));
    const sts = new STSClient(v.sdk(app));
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: role.Role!.Arn!, RoleSessionName: 'batch-1', DurationSeconds: 900 }));
    expect(assumed.Credentials!.AccessKeyId).toMatch(/^ASIA/);
    expect(assumed.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${v.accountId}:assumed-role/invoker/batch-1`);
    const session: Creds = {
      accessKeyId: assumed.Credentials!.AccessKeyId!, secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken!,
    };
    const who = await new STSClient(v.sdk(session)).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(`arn:aws:sts::${v.accountId}:assumed-role/invoker/batch-1`);
    expect(who.Account).toBe(v.accountId);
    const users = await new IAMClient(v.sdk(session)).send(new ListUsersCommand({}));
    expect(users.Users?.map((u) => u.UserName)).toContain('app');

    // Another user is not named by the trust policy.
    const k = await iamRoot.send(new CreateAccessKeyCommand({ UserName: 'denied' }));
    const other = new STSClient(v.sdk({ accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! }));
    const err = await other.send(new AssumeRoleCommand({ RoleArn: role.Role!.Arn!, RoleSessionName: 'x1' })).catch((e: Error) => e);
    expect((err as Error).name).toBe('AccessDenied');
    expect((err as Error).message).toContain('is not authorized to perform: sts:AssumeRole on resource: ' + role.Role!.Arn!);

    // Expired session credentials are rejected.
    offsetMs += 901_000;
    const expired = await new STSClient(v.sdk(session)).send(new GetCallerIdentityCommand({})).catch((e: Error) => e);
    offsetMs -= 901_000;
    expect((expired as Error).name).toBe('ExpiredToken');
  });

  it('denies on a plaintext listener when the policy requires aws:SecureTransport', async () => {
    await iamRoot.send(new CreateUserCommand({ UserName: 'tls-only' }));
    await iamRoot.send(new PutUserPolicyCommand({
      UserName: 'tls-only', PolicyName: 'tls',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' },
        { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ] }),
    }));
    const k = await iamRoot.send(new CreateAccessKeyCommand({ UserName: 'tls-only' }));
    const creds = { accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! };
    const overTls = await new IAMClient(v.sdk(creds)).send(new GetUserCommand({}));
    expect(overTls.User?.UserName).toBe('tls-only');
    const plain = await new IAMClient(v.sdk(creds, 'plain')).send(new GetUserCommand({})).catch((e: Error) => e);
    expect((plain as Error).name).toBe('AccessDenied');
    expect((plain as Error).message).toContain('with an explicit deny in an identity-based policy');
  });

  it('allows only through the vpce listener when the policy names aws:SourceVpce', async () => {
    await iamRoot.send(new CreateUserCommand({ UserName: 'private-only' }));
    await iamRoot.send(new PutUserPolicyCommand({
      UserName: 'private-only', PolicyName: 'vpce',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Action: 'iam:GetUser', Resource: '*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0a1b2c3d' } } },
      ] }),
    }));
    const k = await iamRoot.send(new CreateAccessKeyCommand({ UserName: 'private-only' }));
    const creds = { accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! };
    const viaVpce = await new IAMClient(v.sdk(creds, 'private')).send(new GetUserCommand({}));
    expect(viaVpce.User?.UserName).toBe('private-only');
    const direct = await new IAMClient(v.sdk(creds)).send(new GetUserCommand({})).catch((e: Error) => e);
    expect((direct as Error).name).toBe('AccessDenied');
  });

  it('SimulatePrincipalPolicy agrees with real calls', async () => {
    const sim = await iamRoot.send(new SimulatePrincipalPolicyCommand({
      PolicySourceArn: appArn,
      ActionNames: ['iam:GetUser', 'iam:ListUsers'],
      ContextEntries: [{ ContextKeyName: 'aws:SourceIp', ContextKeyType: 'ip', ContextKeyValues: ['127.0.0.1'] }],
    }));
    const byAction = Object.fromEntries(sim.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision]));
    expect(byAction).toEqual({ 'iam:GetUser': 'allowed', 'iam:ListUsers': 'implicitDeny' });
    const elsewhere = await iamRoot.send(new SimulatePrincipalPolicyCommand({
      PolicySourceArn: appArn, ActionNames: ['iam:GetUser'],
      ContextEntries: [{ ContextKeyName: 'aws:SourceIp', ContextKeyType: 'ip', ContextKeyValues: ['10.1.2.3'] }],
    }));
    expect(elsewhere.EvaluationResults![0].EvalDecision).toBe('implicitDeny');
  });

  it('records an audit event for allowed, denied and unauthenticated calls', async () => {
    await v.server.audit.flush();
    const events = await v.server.state.audit.list({ limit: 10_000 });
    const names = events.map((e) => `${e.eventName as string}:${(e.errorCode as string | undefined) ?? 'ok'}`);
    expect(names).toContain('CreateUser:ok');
    expect(names).toContain('ListUsers:AccessDenied');
    expect(names).toContain('GetCallerIdentity:ExpiredToken');
    const create = events.find((e) => e.eventName === 'CreateAccessKey')!;
    expect(JSON.stringify(create)).not.toContain(app.secretAccessKey);
    expect(create.eventSource).toBe('iam.amazonaws.com');
    expect((create.userIdentity as { type: string }).type).toBe('Root');
  });
});
