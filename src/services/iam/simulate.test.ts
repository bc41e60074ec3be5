import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { statementPositions } from './statement-positions.js';
import { ACCOUNT, doc, expectError, harness, userWithKey } from './testing.js';

const ipPolicy = doc({ Sid: 'FromLoopback', Effect: 'Allow', Action: 'iam:GetUser', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.1/32' } } });
const ip = (value: string) => [{ ContextKeyName: 'aws:SourceIp', ContextKeyValues: [value], ContextKeyType: 'ip' }];

describe('statementPositions', () => {
  it('finds each statement\'s braces, 1-based, end just past the closing brace', () => {
    const text = '{\n  "Version": "2012-10-17",\n  "Statement": {\n    "Effect": "Allow",\n    "Action": "s3:ListBucket",\n    "Resource": "arn:aws:s3:::b"\n  }\n}';
    expect(statementPositions(text)).toEqual([{ start: { Line: 3, Column: 16 }, end: { Line: 7, Column: 4 } }]);
    const two = '{"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"x}"},\n {"Effect":"Deny","Action":"c:d","Resource":"*"}]}';
    expect(statementPositions(two)).toEqual([
      { start: { Line: 1, Column: 15 }, end: { Line: 1, Column: 64 } },
      { start: { Line: 2, Column: 2 }, end: { Line: 2, Column: 49 } },
    ]);
  });
});

withEachBackend((_name, open) => {
  describe('SimulatePrincipalPolicy', () => {
    it('evaluates a user\'s policies with context entries and reports matched statements and missing keys', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateUser', { UserName: 'app' });
      await h.iamCall('PutUserPolicy', { UserName: 'app', PolicyName: 'loopback', PolicyDocument: ipPolicy });
      const source = `arn:aws:iam::${ACCOUNT}:user/app`;

      const ok = (await h.iamCall('SimulatePrincipalPolicy', { PolicySourceArn: source, ActionNames: ['iam:GetUser'], ContextEntries: ip('127.0.0.1') })).EvaluationResults;
      expect(ok).toEqual([{
        EvalActionName: 'iam:GetUser', EvalResourceName: '*', EvalDecision: 'allowed', MissingContextValues: [],
        MatchedStatements: [{ SourcePolicyId: 'loopback', SourcePolicyType: 'user', StartPosition: { Line: 1, Column: 37 }, EndPosition: expect.objectContaining({ Line: 1 }) }],
      }]);
      const far = (await h.iamCall('SimulatePrincipalPolicy', { PolicySourceArn: source, ActionNames: ['iam:GetUser'], ContextEntries: ip('10.0.0.1') })).EvaluationResults;
      expect(far[0]).toMatchObject({ EvalDecision: 'implicitDeny', MatchedStatements: [] });
      const none = (await h.iamCall('SimulatePrincipalPolicy', { PolicySourceArn: source, ActionNames: ['iam:GetUser', 'iam:ListUsers'] })).EvaluationResults;
      expect(none.map((r: { EvalDecision: string }) => r.EvalDecision)).toEqual(['implicitDeny', 'implicitDeny']);
      expect(none[0].MissingContextValues).toEqual(['aws:SourceIp']);
      expect(none[1].MissingContextValues).toEqual([]);
    });

    it('an explicit deny in a group policy wins, and is reported with its source', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateUser', { UserName: 'app' });
      await h.iamCall('CreateGroup', { GroupName: 'locked' });
      await h.iamCall('AddUserToGroup', { GroupName: 'locked', UserName: 'app' });
      await h.iamCall('AttachUserPolicy', { UserName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
      await h.iamCall('PutGroupPolicy', { GroupName: 'locked', PolicyName: 'no-delete', PolicyDocument: doc({ Effect: 'Deny', Action: 'iam:Delete*', Resource: '*' }) });
      const res = (await h.iamCall('SimulatePrincipalPolicy', {
        PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/app`, ActionNames: ['iam:DeleteUser', 'iam:CreateUser'],
        ResourceArns: [`arn:aws:iam::${ACCOUNT}:user/x`],
      })).EvaluationResults;
      expect(res[0]).toMatchObject({ EvalDecision: 'explicitDeny', MatchedStatements: [{ SourcePolicyId: 'no-delete', SourcePolicyType: 'group' }] });
      expect(res[1]).toMatchObject({ EvalDecision: 'allowed', EvalResourceName: `arn:aws:iam::${ACCOUNT}:user/x`, MatchedStatements: [{ SourcePolicyId: 'AdministratorAccess', SourcePolicyType: 'aws-managed' }] });
    });

    it('adds PolicyInputList policies and replaces the boundary with PermissionsBoundaryPolicyInputList', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }) });
      const source = `arn:aws:iam::${ACCOUNT}:role/r`;
      const extra = doc({ Effect: 'Allow', Action: ['s3:GetObject', 'kms:Decrypt'], Resource: '*' });
      const boundary = doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
      const res = (await h.iamCall('SimulatePrincipalPolicy', {
        PolicySourceArn: source, ActionNames: ['s3:GetObject', 'kms:Decrypt'], PolicyInputList: [extra], PermissionsBoundaryPolicyInputList: [boundary],
      })).EvaluationResults;
      expect(res[0]).toMatchObject({ EvalDecision: 'allowed', MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'none' }], PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: true } });
      expect(res[1]).toMatchObject({ EvalDecision: 'implicitDeny', PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: false } });
      await expectError(h.iamCall('SimulatePrincipalPolicy', { PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/nope`, ActionNames: ['s3:GetObject'] }), 'NoSuchEntity');
      await expectError(h.iamCall('SimulatePrincipalPolicy', { PolicySourceArn: source, ActionNames: ['s3:GetObject'], PolicyInputList: ['{'] }), 'InvalidInput');
    });

    it('agrees with real authorization of the same principal', async () => {
      const h = await harness(await open());
      const key = await userWithKey(h, 'app');
      await h.iamCall('PutUserPolicy', { UserName: 'app', PolicyName: 'loopback', PolicyDocument: ipPolicy });
      await h.iamCall('PutUserPolicy', { UserName: 'app', PolicyName: 'deny', PolicyDocument: doc({ Effect: 'Deny', Action: 'iam:GetUser', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }) });
      const app = await h.principalOf(key);
      for (const [sourceIp, expected] of [['127.0.0.1', 'allowed'], ['10.1.2.3', 'explicitDeny'], ['192.168.0.1', 'implicitDeny']] as const) {
        const sim = (await h.iamCall('SimulatePrincipalPolicy', { PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/app`, ActionNames: ['iam:GetUser'], ResourceArns: [`arn:aws:iam::${ACCOUNT}:user/app`], ContextEntries: ip(sourceIp) })).EvaluationResults[0];
        expect(sim.EvalDecision).toBe(expected);
        const real = await h.iamCall('GetUser', {}, app, { sourceIp }).then(() => 'allowed', (e: { message: string }) => (/explicit deny/.test(e.message) ? 'explicitDeny' : 'implicitDeny'));
        expect(real).toBe(expected);
      }
    });
  });

  describe('SimulateCustomPolicy', () => {
    it('evaluates the given policies for each action and resource, with a resource policy and multivalued keys', async () => {
      const h = await harness(await open());
      const policy = doc([
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
        { Effect: 'Allow', Action: 's3:PutObject', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } } },
      ]);
      const res = (await h.iamCall('SimulateCustomPolicy', {
        PolicyInputList: [policy], ActionNames: ['s3:GetObject', 's3:PutObject'], ResourceArns: ['arn:aws:s3:::data/a', 'arn:aws:s3:::other/a'],
        ContextEntries: [{ ContextKeyName: 'aws:TagKeys', ContextKeyValues: ['team', 'cost'], ContextKeyType: 'stringList' }],
      })).EvaluationResults;
      expect(res.map((r: { EvalActionName: string; EvalResourceName: string; EvalDecision: string }) => `${r.EvalActionName} ${r.EvalResourceName} ${r.EvalDecision}`)).toEqual([
        's3:GetObject arn:aws:s3:::data/a allowed', 's3:GetObject arn:aws:s3:::other/a implicitDeny',
        's3:PutObject arn:aws:s3:::data/a implicitDeny', 's3:PutObject arn:aws:s3:::other/a implicitDeny',
      ]);
      expect(res[0].MatchedStatements[0].SourcePolicyId).toBe('PolicyInputList.1');
      const page = await h.iamCall('SimulateCustomPolicy', { PolicyInputList: [policy], ActionNames: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], MaxItems: 2 });
      expect(page.IsTruncated).toBe(true);
      expect((await h.iamCall('SimulateCustomPolicy', { PolicyInputList: [policy], ActionNames: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], MaxItems: 2, Marker: page.Marker })).EvaluationResults).toHaveLength(1);

      // A resource policy that names the caller allows on its own (same account).
      const bucketPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: h.root.arn }, Action: 's3:DeleteObject', Resource: '*' }] });
      const viaResource = (await h.iamCall('SimulateCustomPolicy', { PolicyInputList: [policy], ActionNames: ['s3:DeleteObject'], ResourcePolicy: bucketPolicy, ResourceOwner: ACCOUNT, CallerArn: h.root.arn })).EvaluationResults;
      expect(viaResource[0]).toMatchObject({ EvalDecision: 'allowed', MatchedStatements: [{ SourcePolicyId: 'ResourcePolicy', SourcePolicyType: 'resource' }] });
    });
  });
});
