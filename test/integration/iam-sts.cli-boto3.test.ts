import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { aws, boto3 } from '../helpers/cli.js';
import type { Creds, TestVigil } from '../helpers/vigil.js';
import { startTestVigil } from '../helpers/vigil.js';

/** The same scenarios as the SDK suite, driven by Debian's AWS CLI v2 and boto3. */
describe('IAM and STS through /usr/bin/aws and boto3', () => {
  let v: TestVigil;
  let app: Creds;

  beforeAll(async () => {
    v = await startTestVigil({ listeners: [{ name: 'plain', host: '127.0.0.1', port: 0, plaintext: true }] });
    const iam = new IAMClient(v.sdk(v.root));
    await iam.send(new CreateUserCommand({ UserName: 'cli-app' }));
    await iam.send(new PutUserPolicyCommand({
      UserName: 'cli-app', PolicyName: 'p',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Action: ['iam:GetUser', 'sts:AssumeRole'], Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.1/32' } } },
        { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ] }),
    }));
    const k = await iam.send(new CreateAccessKeyCommand({ UserName: 'cli-app' }));
    app = { accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! };
  });
  afterAll(async () => { await v?.stop(); });

  it('AWS CLI: root creates a user and an access key', async () => {
    const created = await aws(v.url, v.root, v.caPath, ['iam', 'create-user', '--user-name', 'made-by-cli']);
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout).User.Arn).toBe(`arn:aws:iam::${v.accountId}:user/made-by-cli`);
    const key = await aws(v.url, v.root, v.caPath, ['iam', 'create-access-key', '--user-name', 'made-by-cli']);
    expect(JSON.parse(key.stdout).AccessKey.AccessKeyId).toMatch(/^AKIA/);
  });

  it('AWS CLI: allowed, denied with AWS\'s message, and denied without TLS', async () => {
    const ok = await aws(v.url, app, v.caPath, ['iam', 'get-user']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).User.UserName).toBe('cli-app');
    const denied = await aws(v.url, app, v.caPath, ['iam', 'list-users']);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/An error occurred \(AccessDenied\) when calling the ListUsers operation( \(reached max retries: 0\))?: User: /);
    expect(denied.stderr).toContain(`User: arn:aws:iam::${v.accountId}:user/cli-app is not authorized to perform: iam:ListUsers ` +
      `on resource: arn:aws:iam::${v.accountId}:user/ because no identity-based policy allows the iam:ListUsers action`);
    const plain = await aws(v.listenerUrl('plain'), app, v.caPath, ['iam', 'get-user']);
    expect(plain.stderr).toContain('with an explicit deny in an identity-based policy');
  });

  it('AWS CLI: assume-role, then get-caller-identity shows the assumed-role ARN', async () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${v.accountId}:user/cli-app` }, Action: 'sts:AssumeRole' }] });
    const role = await aws(v.url, v.root, v.caPath, ['iam', 'create-role', '--role-name', 'cli-role', '--assume-role-policy-document', trust]);
    expect(role.code).toBe(0);
    const assumed = await aws(v.url, app, v.caPath, ['sts', 'assume-role', '--role-arn', JSON.parse(role.stdout).Role.Arn, '--role-session-name', 'cli-session']);
    expect(assumed.code).toBe(0);
    const c = JSON.parse(assumed.stdout).Credentials;
    const who = await aws(v.url, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }, v.caPath, ['sts', 'get-caller-identity']);
    expect(JSON.parse(who.stdout).Arn).toBe(`arn:aws:sts::${v.accountId}:assumed-role/cli-role/cli-session`);
    const bad = await aws(v.url, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: 'forged' }, v.caPath, ['sts', 'get-caller-identity']);
    expect(bad.stderr).toContain('InvalidClientTokenId');
  });

  it('AWS CLI: simulate-principal-policy agrees with the real calls', async () => {
    const sim = await aws(v.url, v.root, v.caPath, ['iam', 'simulate-principal-policy', '--policy-source-arn',
      `arn:aws:iam::${v.accountId}:user/cli-app`, '--action-names', 'iam:GetUser', 'iam:ListUsers',
      '--context-entries', 'ContextKeyName=aws:SourceIp,ContextKeyValues=127.0.0.1,ContextKeyType=ip',
      'ContextKeyName=aws:SecureTransport,ContextKeyValues=true,ContextKeyType=boolean']);
    expect(sim.code).toBe(0);
    const results = JSON.parse(sim.stdout).EvaluationResults as { EvalActionName: string; EvalDecision: string }[];
    expect(Object.fromEntries(results.map((r) => [r.EvalActionName, r.EvalDecision]))).toEqual({ 'iam:GetUser': 'allowed', 'iam:ListUsers': 'implicitDeny' });
  });

  it('boto3: the same rules hold', async () => {
    const script = `
import boto3, botocore, json, os
s = boto3.session.Session()
iam = s.client('iam', endpoint_url=os.environ['ENDPOINT'])
sts = s.client('sts', endpoint_url=os.environ['ENDPOINT'])
out = {'user': iam.get_user()['User']['UserName'], 'who': sts.get_caller_identity()['Arn']}
try:
    iam.list_users()
    out['list'] = 'allowed'
except botocore.exceptions.ClientError as e:
    out['list'] = e.response['Error']['Code']
    out['message'] = e.response['Error']['Message']
    out['status'] = e.response['ResponseMetadata']['HTTPStatusCode']
print(json.dumps(out))
`;
    const r = await boto3(v.url, app, v.caPath, script);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.user).toBe('cli-app');
    expect(out.who).toBe(`arn:aws:iam::${v.accountId}:user/cli-app`);
    expect(out.list).toBe('AccessDenied');
    expect(out.status).toBe(403);
    expect(out.message).toContain('because no identity-based policy allows the iam:ListUsers action');
  });

  it('boto3: assume a role and be rejected with a wrong secret', async () => {
    const script = `
import boto3, botocore, json, os
s = boto3.session.Session()
sts = s.client('sts', endpoint_url=os.environ['ENDPOINT'])
c = sts.assume_role(RoleArn=os.environ['ROLE'], RoleSessionName='boto-session')['Credentials']
s2 = boto3.session.Session(aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'])
who = s2.client('sts', endpoint_url=os.environ['ENDPOINT']).get_caller_identity()['Arn']
bad = boto3.session.Session(aws_access_key_id=c['AccessKeyId'], aws_secret_access_key='x' * 40, aws_session_token=c['SessionToken'])
try:
    bad.client('sts', endpoint_url=os.environ['ENDPOINT']).get_caller_identity()
    code = 'allowed'
except botocore.exceptions.ClientError as e:
    code = e.response['Error']['Code']
print(json.dumps({'who': who, 'bad': code}))
`;
    const r = await boto3(v.url, app, v.caPath, `import os\nos.environ['ROLE'] = 'arn:aws:iam::${v.accountId}:role/cli-role'\n${script}`);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.who).toBe(`arn:aws:sts::${v.accountId}:assumed-role/cli-role/boto-session`);
    expect(out.bad).toBe('SignatureDoesNotMatch');
  });
});
