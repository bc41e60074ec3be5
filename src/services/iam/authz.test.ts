import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { ACCOUNT, doc, expectError, harness, userWithKey } from './testing.js';

withEachBackend((_name, open) => {
  describe('IAM authorization', () => {
    it('authorizes each operation on the entity ARN with AWS\'s AccessDenied message', async () => {
      const h = await harness(await open());
      const key = await userWithKey(h, 'app');
      await h.iamCall('PutUserPolicy', { UserName: 'app', PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${ACCOUNT}:user/app` }) });
      const app = await h.principalOf(key);
      await h.iamCall('GetUser', {}, app);
      await expectError(h.iamCall('GetUser', { UserName: 'root-ish' }, app), 'AccessDenied',
        `User: arn:aws:iam::${ACCOUNT}:user/app is not authorized to perform: iam:GetUser on resource: arn:aws:iam::${ACCOUNT}:user/root-ish because no identity-based policy allows the iam:GetUser action`);
      await expectError(h.iamCall('ListUsers', {}, app), 'AccessDenied', `User: arn:aws:iam::${ACCOUNT}:user/app is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action`);
    });

    it('passes iam:PolicyARN, iam:PermissionsBoundary, aws:RequestTag and aws:ResourceTag to conditions', async () => {
      const h = await harness(await open());
      const key = await userWithKey(h, 'admin');
      await h.iamCall('CreateUser', { UserName: 'target', Tags: [{ Key: 'team', Value: 'ml' }] });
      await h.iamCall('CreateUser', { UserName: 'other', Tags: [{ Key: 'team', Value: 'web' }] });
      await h.iamCall('PutUserPolicy', {
        UserName: 'admin', PolicyName: 'p', PolicyDocument: doc([
          { Effect: 'Allow', Action: 'iam:AttachUserPolicy', Resource: '*', Condition: { ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/ReadOnlyAccess' } } },
          { Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'ml' } } },
          { Effect: 'Allow', Action: 'iam:TagUser', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'ml' } } },
          { Effect: 'Allow', Action: 'iam:PutUserPermissionsBoundary', Resource: '*', Condition: { StringEquals: { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/ReadOnlyAccess' } } },
        ]),
      });
      const admin = await h.principalOf(key);
      await h.iamCall('AttachUserPolicy', { UserName: 'target', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, admin);
      await expectError(h.iamCall('AttachUserPolicy', { UserName: 'target', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }, admin), 'AccessDenied');
      await h.iamCall('CreateUser', { UserName: 'n1', Tags: [{ Key: 'team', Value: 'ml' }] }, admin);
      await expectError(h.iamCall('CreateUser', { UserName: 'n2' }, admin), 'AccessDenied');
      await h.iamCall('TagUser', { UserName: 'target', Tags: [{ Key: 'x', Value: '1' }] }, admin);
      await expectError(h.iamCall('TagUser', { UserName: 'other', Tags: [{ Key: 'x', Value: '1' }] }, admin), 'AccessDenied');
      await h.iamCall('PutUserPermissionsBoundary', { UserName: 'target', PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, admin);
      await expectError(h.iamCall('PutUserPermissionsBoundary', { UserName: 'target', PermissionsBoundary: 'arn:aws:iam::aws:policy/AdministratorAccess' }, admin), 'AccessDenied');
    });

    it('credentials from GetSessionToken cannot call IAM (no MFA)', async () => {
      const h = await harness(await open());
      const key = await userWithKey(h, 'bob');
      await h.iamCall('AttachUserPolicy', { UserName: 'bob', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
      const bob = await h.principalOf(key);
      await h.iamCall('ListUsers', {}, bob);
      const creds = (await h.stsCall('GetSessionToken', {}, bob)).Credentials;
      const session = await h.principalOf(creds.AccessKeyId);
      expect(session.arn).toBe(`arn:aws:iam::${ACCOUNT}:user/bob`);
      await expectError(h.iamCall('ListUsers', {}, session), 'AccessDenied', /because no session policy allows the iam:ListUsers action/);
      // …but can still assume roles and identify itself.
      expect((await h.stsCall('GetCallerIdentity', {}, session)).Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/bob`);
      await expectError(h.stsCall('GetSessionToken', {}, session), 'AccessDenied', 'Cannot call GetSessionToken with session credentials');
    });
  });
});
