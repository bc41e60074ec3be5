import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { ACCOUNT, doc, expectError, harness, userWithKey, type Harness } from '../iam/testing.js';
import { sweepExpiredSessions } from './sessions.js';

const trust = (principal: object, extra: object = {}) => doc({ Effect: 'Allow', Principal: principal, Action: ['sts:AssumeRole', 'sts:TagSession'], ...extra });

/** A role `name` that `user` may assume directly (its ARN in the trust policy), with S3 read access. */
async function roleFor(h: Harness, name: string, user: string, extra: Record<string, unknown> = {}) {
  await h.iamCall('CreateRole', { RoleName: name, AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${ACCOUNT}:user/${user}` }), ...extra });
  await h.iamCall('PutRolePolicy', { RoleName: name, PolicyName: 'read', PolicyDocument: doc({ Effect: 'Allow', Action: ['s3:Get*', 'sts:AssumeRole'], Resource: '*' }) });
  return `arn:aws:iam::${ACCOUNT}:role/${name}`;
}

withEachBackend((_name, open) => {
  describe('GetCallerIdentity', () => {
    it('answers for root, users and role sessions, even under an explicit deny', async () => {
      const h = await harness(await open());
      expect(await h.stsCall('GetCallerIdentity', {}, h.root)).toEqual({ UserId: ACCOUNT, Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` });
      const key = await userWithKey(h, 'bob');
      await h.iamCall('PutUserPolicy', { UserName: 'bob', PolicyName: 'deny', PolicyDocument: doc({ Effect: 'Deny', Action: '*', Resource: '*' }) });
      const bob = await h.principalOf(key);
      expect((await h.stsCall('GetCallerIdentity', {}, bob)).Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/bob`);
    });
  });

  describe('AssumeRole', () => {
    it('mints ASIA credentials for a trusted caller and the session acts as the role', async () => {
      const h = await harness(await open());
      const key = await userWithKey(h, 'bob');
      const roleArn = await roleFor(h, 'reader', 'bob');
      const bob = await h.principalOf(key);
      const out = await h.stsCall('AssumeRole', { RoleArn: roleArn, RoleSessionName: 'job-1' }, bob);
      expect(out.Credentials.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
      expect(out.Credentials.SecretAccessKey).toHaveLength(40);
      expect(out.Credentials.SessionToken.length).toBeGreaterThan(200);
      expect(out.Credentials.Expiration).toEqual(new Date(h.clock.now().getTime() + 3600_000));
      expect(out.AssumedRoleUser.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/reader/job-1`);
      expect(out.AssumedRoleUser.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:job-1$/);
      expect(out.PackedPolicySize).toBeUndefined();

      // Secret and token are sealed at rest.
      const raw = JSON.stringify(await h.state.resources.findById('sts', 'session', out.Credentials.AccessKeyId));
      expect(raw).not.toContain(out.Credentials.SecretAccessKey);
      expect(raw).not.toContain(out.Credentials.SessionToken);

      const cred = (await h.resolver.resolve(out.Credentials.AccessKeyId))!;
      expect(cred).toMatchObject({ secretAccessKey: out.Credentials.SecretAccessKey, sessionToken: out.Credentials.SessionToken, status: 'Active' });
      const session = cred.principal;
      expect(session).toMatchObject({ type: 'AssumedRole', arn: out.AssumedRoleUser.Arn, roleArn, sessionName: 'job-1', userId: out.AssumedRoleUser.AssumedRoleId });
      expect((await h.stsCall('GetCallerIdentity', {}, session)).Arn).toBe(out.AssumedRoleUser.Arn);
      expect((await h.iamCall('GetRole', { RoleName: 'reader' })).Role.RoleLastUsed.Region).toBe('us-east-1');
    });

    it('enforces the trust policy (and the identity policy when the trust names only the account)', async () => {
      const h = await harness(await open());
      const bobKey = await userWithKey(h, 'bob');
      const eveKey = await userWithKey(h, 'eve');
      const direct = await roleFor(h, 'direct', 'bob');
      await h.iamCall('CreateRole', { RoleName: 'acct', AssumeRolePolicyDocument: trust({ AWS: ACCOUNT }) });
      const bob = await h.principalOf(bobKey);
      const eve = await h.principalOf(eveKey);
      await expectError(h.stsCall('AssumeRole', { RoleArn: direct, RoleSessionName: 'x1' }, eve), 'AccessDenied',
        `User: arn:aws:iam::${ACCOUNT}:user/eve is not authorized to perform: sts:AssumeRole on resource: ${direct} because no role trust policy allows the sts:AssumeRole action`);
      const acct = `arn:aws:iam::${ACCOUNT}:role/acct`;
      await expectError(h.stsCall('AssumeRole', { RoleArn: acct, RoleSessionName: 'x1' }, bob), 'AccessDenied');
      await h.iamCall('PutUserPolicy', { UserName: 'bob', PolicyName: 'assume', PolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: acct }) });
      await h.stsCall('AssumeRole', { RoleArn: acct, RoleSessionName: 'x1' }, await h.principalOf(bobKey));
      await expectError(h.stsCall('AssumeRole', { RoleArn: `arn:aws:iam::${ACCOUNT}:role/missing`, RoleSessionName: 'x1' }, await h.admin()), 'AccessDenied');
      // Whatever the trust policy says, the root user cannot assume roles.
      await expectError(h.stsCall('AssumeRole', { RoleArn: acct, RoleSessionName: 'x1' }, h.root), 'AccessDenied', 'Roles may not be assumed by root accounts.');
    });

    it('checks ExternalId and session tags through the trust policy\'s conditions', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateRole', {
        RoleName: 'ext', AssumeRolePolicyDocument: trust({ AWS: ACCOUNT }, { Condition: { StringEquals: { 'sts:ExternalId': 'secret-handshake', 'aws:RequestTag/project': 'fraud' } } }),
        Tags: [{ Key: 'project', Value: 'default' }, { Key: 'tier', Value: 'gold' }],
      });
      const arn = `arn:aws:iam::${ACCOUNT}:role/ext`;
      await expectError(h.stsCall('AssumeRole', { RoleArn: arn, RoleSessionName: 's1', ExternalId: 'wrong', Tags: [{ Key: 'project', Value: 'fraud' }] }, await h.admin()), 'AccessDenied');
      const out = await h.stsCall('AssumeRole', { RoleArn: arn, RoleSessionName: 's1', ExternalId: 'secret-handshake', Tags: [{ Key: 'project', Value: 'fraud' }] }, await h.admin());
      expect(out.PackedPolicySize).toBeGreaterThan(0);
      expect((await h.principalOf(out.Credentials.AccessKeyId)).tags).toEqual({ project: 'fraud', tier: 'gold' });
    });

    it('session tags need sts:TagSession and a source identity sts:SetSourceIdentity in the trust policy', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateRole', { RoleName: 'plain', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }) });
      const arn = `arn:aws:iam::${ACCOUNT}:role/plain`;
      const admin = await h.admin();
      await h.stsCall('AssumeRole', { RoleArn: arn, RoleSessionName: 's1' }, admin);
      await expectError(h.stsCall('AssumeRole', { RoleArn: arn, RoleSessionName: 's1', Tags: [{ Key: 'a', Value: 'b' }] }, admin), 'AccessDenied',
        `User: ${admin.arn} is not authorized to perform: sts:TagSession on resource: ${arn} because no role trust policy allows the sts:TagSession action`);
      await expectError(h.stsCall('AssumeRole', { RoleArn: arn, RoleSessionName: 's1', SourceIdentity: 'alice' }, admin), 'AccessDenied', /sts:SetSourceIdentity/);
    });

    it('bounds DurationSeconds by 900 and the role\'s MaxSessionDuration, and validates the session name', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: trust({ AWS: ACCOUNT }), MaxSessionDuration: 7200 });
      const arn = `arn:aws:iam::${ACCOUNT}:role/r`;
      await expectError(h.stsCall('AssumeRole', { RoleArn: arn, RoleSessionName: 's1', DurationSeconds: 899 }, await h.admin()), 'ValidationError', /durationSeconds/);
      await expectError(h.stsCall('AssumeRole', { RoleArn: arn, RoleSessionName: 's1', DurationSeconds: 7201 }, await h.admin()), 'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
      const out = await h.stsCall('AssumeRole', { RoleArn: arn, RoleSessionName: 's1', DurationSeconds: 7200 }, await h.admin());
      expect(out.Credentials.Expiration.getTime() - h.clock.now().getTime()).toBe(7200_000);
      await expectError(h.stsCall('AssumeRole', { RoleArn: arn, RoleSessionName: 'bad name' }, await h.admin()), 'ValidationError', /roleSessionName/);
      await expectError(h.stsCall('AssumeRole', { RoleArn: arn, RoleSessionName: 'x' }, await h.admin()), 'ValidationError', /roleSessionName/);
      await expectError(h.stsCall('AssumeRole', { RoleArn: arn, RoleSessionName: 'x'.repeat(65) }, await h.admin()), 'ValidationError', /roleSessionName/);
      // The handler checks too, for callers that bypass the gateway's model validation.
      await expectError(h.sts.operations.AssumeRole.handler({ RoleArn: arn, RoleSessionName: 'no/slash' }, { principal: await h.admin(), region: 'us-east-1' } as never), 'ValidationError',
        "1 validation error detected: Value 'no/slash' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
      await h.stsCall('AssumeRole', { RoleArn: arn, RoleSessionName: 'ok+=,.@-_9' }, await h.admin());
    });

    it('caps role chaining at one hour', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateRole', { RoleName: 'first', AssumeRolePolicyDocument: trust({ AWS: ACCOUNT }), MaxSessionDuration: 43200 });
      await h.iamCall('PutRolePolicy', { RoleName: 'first', PolicyName: 'chain', PolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }) });
      await h.iamCall('CreateRole', { RoleName: 'second', AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${ACCOUNT}:role/first` }), MaxSessionDuration: 43200 });
      const first = await h.stsCall('AssumeRole', { RoleArn: `arn:aws:iam::${ACCOUNT}:role/first`, RoleSessionName: 'a1', DurationSeconds: 43200 }, await h.admin());
      const session = await h.principalOf(first.Credentials.AccessKeyId);
      const second = `arn:aws:iam::${ACCOUNT}:role/second`;
      await expectError(h.stsCall('AssumeRole', { RoleArn: second, RoleSessionName: 'a2', DurationSeconds: 3601 }, session), 'ValidationError',
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
      const chained = await h.stsCall('AssumeRole', { RoleArn: second, RoleSessionName: 'a2' }, session);
      expect(chained.Credentials.Expiration.getTime() - h.clock.now().getTime()).toBe(3600_000);
      expect((await h.principalOf(chained.Credentials.AccessKeyId)).roleChained).toBe(true);
    });

    it('narrows the session with an inline policy and managed policy ARNs resolved at issue time', async () => {
      const h = await harness(await open());
      const key = await userWithKey(h, 'bob');
      const roleArn = await roleFor(h, 'reader', 'bob');
      await h.iamCall('CreatePolicy', { PolicyName: 'OnlyData', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::data/*' }) });
      const policyArn = `arn:aws:iam::${ACCOUNT}:policy/OnlyData`;
      const bob = await h.principalOf(key);
      const inline = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
      const out = await h.stsCall('AssumeRole', { RoleArn: roleArn, RoleSessionName: 'narrow', Policy: inline, PolicyArns: [{ arn: policyArn }] }, bob);
      expect(out.PackedPolicySize).toBeGreaterThan(0);
      const session = await h.principalOf(out.Credentials.AccessKeyId);
      expect(session.sessionPolicies!.map((p) => p.id)).toEqual(['session/inline', policyArn]);
      expect(session.sessionPolicies!.every((p) => p.kind === 'session')).toBe(true);
      // Changing the managed policy later does not change the issued session.
      await h.iamCall('CreatePolicyVersion', { PolicyArn: policyArn, PolicyDocument: doc({ Effect: 'Allow', Action: '*', Resource: '*' }), SetAsDefault: true });
      const again = await h.principalOf(out.Credentials.AccessKeyId);
      expect(again.sessionPolicies![1].Statement[0].Resource).toEqual(['arn:aws:s3:::data/*']);

      await expectError(h.stsCall('AssumeRole', { RoleArn: roleArn, RoleSessionName: 'bad', Policy: '{"Statement": 1}' }, bob), 'MalformedPolicyDocument');
      const eleven = Array.from({ length: 11 }, () => ({ arn: policyArn }));
      await expectError(h.stsCall('AssumeRole', { RoleArn: roleArn, RoleSessionName: 'many', PolicyArns: eleven }, bob), 'ValidationError', /policyArns/);
      await expectError(h.stsCall('AssumeRole', { RoleArn: roleArn, RoleSessionName: 'gone', PolicyArns: [{ arn: `arn:aws:iam::${ACCOUNT}:policy/Gone` }] }, bob), 'ValidationError');
    });

    it('expired sessions still resolve (with their past expiration) and are swept a day later', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: trust({ AWS: ACCOUNT }) });
      const arn = `arn:aws:iam::${ACCOUNT}:role/r`;
      const out = await h.stsCall('AssumeRole', { RoleArn: arn, RoleSessionName: 's1', DurationSeconds: 900 }, await h.admin());
      h.clock.advance(901);
      h.resolver.invalidate();
      const cred = (await h.resolver.resolve(out.Credentials.AccessKeyId))!;
      expect(cred.expiration!.getTime()).toBeLessThan(h.clock.now().getTime());
      h.clock.advance(2 * 86400);
      expect(await sweepExpiredSessions(h.deps, ACCOUNT)).toBe(1);
      h.resolver.invalidate();
      expect(await h.resolver.resolve(out.Credentials.AccessKeyId)).toBeUndefined();
    });
  });

  describe('GetSessionToken', () => {
    it('issues user sessions (default 12 h) and root sessions capped at 1 h', async () => {
      const h = await harness(await open());
      const key = await userWithKey(h, 'bob');
      const bob = await h.principalOf(key);
      const out = await h.stsCall('GetSessionToken', {}, bob);
      expect(out.Credentials.AccessKeyId).toMatch(/^ASIA/);
      expect(out.Credentials.Expiration.getTime() - h.clock.now().getTime()).toBe(43200_000);
      const session = await h.principalOf(out.Credentials.AccessKeyId);
      expect(session).toMatchObject({ type: 'User', userName: 'bob', arn: `arn:aws:iam::${ACCOUNT}:user/bob`, mfaPresent: false });
      const long = await h.stsCall('GetSessionToken', { DurationSeconds: 129600 }, bob);
      expect(long.Credentials.Expiration.getTime() - h.clock.now().getTime()).toBe(129600_000);
      await expectError(h.stsCall('GetSessionToken', { DurationSeconds: 800 }, bob), 'ValidationError');
      const root = await h.stsCall('GetSessionToken', { DurationSeconds: 7200 }, h.root);
      expect(root.Credentials.Expiration.getTime() - h.clock.now().getTime()).toBe(3600_000);
      expect((await h.principalOf(root.Credentials.AccessKeyId)).type).toBe('Root');
    });

    it('role sessions cannot call it', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: trust({ AWS: ACCOUNT }) });
      const out = await h.stsCall('AssumeRole', { RoleArn: `arn:aws:iam::${ACCOUNT}:role/r`, RoleSessionName: 's1' }, await h.admin());
      await expectError(h.stsCall('GetSessionToken', {}, await h.principalOf(out.Credentials.AccessKeyId)), 'AccessDenied', 'Cannot call GetSessionToken with session credentials');
    });
  });
});
