import { describe, expect, it, vi } from 'vitest';
import { withEachBackend } from '../state/testing.js';
import { ACCOUNT, doc, harness, userWithKey } from '../services/iam/testing.js';

const allow = (action: string) => doc({ Effect: 'Allow', Action: action, Resource: '*' });
const ids = (policies: { id: string }[]) => policies.map((p) => p.id).sort();

withEachBackend((_name, open) => {
  describe('StoreCredentialResolver', () => {
    it('resolves the root key to the root principal', async () => {
      const h = await harness(await open());
      const cred = (await h.resolver.resolve(h.rootKey.accessKeyId))!;
      expect(cred.secretAccessKey).toBe(h.rootKey.secretAccessKey);
      expect(cred.sessionToken).toBeUndefined();
      expect(cred.principal).toMatchObject({ type: 'Root', arn: `arn:aws:iam::${ACCOUNT}:root`, userId: ACCOUNT, accountId: ACCOUNT, identityPolicies: [] });
      expect(await h.resolver.resolve('AKIANOTAKEYATALL000')).toBeUndefined();
    });

    it('gives a user every identity policy: own inline and attached, and its groups\', plus its boundary and tags', async () => {
      const h = await harness(await open());
      await h.iamCall('CreatePolicy', { PolicyName: 'Bound', PolicyDocument: allow('s3:*') });
      await h.iamCall('CreatePolicy', { PolicyName: 'GroupManaged', PolicyDocument: allow('kms:*') });
      await h.iamCall('CreateUser', { UserName: 'bob', Tags: [{ Key: 'team', Value: 'ml' }], PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/Bound` });
      const key = (await h.iamCall('CreateAccessKey', { UserName: 'bob' })).AccessKey;
      await h.iamCall('PutUserPolicy', { UserName: 'bob', PolicyName: 'own', PolicyDocument: allow('s3:GetObject') });
      await h.iamCall('AttachUserPolicy', { UserName: 'bob', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
      await h.iamCall('CreateGroup', { GroupName: 'devs' });
      await h.iamCall('AddUserToGroup', { GroupName: 'devs', UserName: 'bob' });
      await h.iamCall('PutGroupPolicy', { GroupName: 'devs', PolicyName: 'grp', PolicyDocument: allow('sns:Publish') });
      await h.iamCall('AttachGroupPolicy', { GroupName: 'devs', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/GroupManaged` });

      const cred = (await h.resolver.resolve(key.AccessKeyId))!;
      expect(cred).toMatchObject({ accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey, status: 'Active' });
      const p = cred.principal;
      expect(p).toMatchObject({ type: 'User', userName: 'bob', arn: `arn:aws:iam::${ACCOUNT}:user/bob`, accessKeyId: key.AccessKeyId, tags: { team: 'ml' } });
      expect(p.userId).toMatch(/^AIDA/);
      expect(ids(p.identityPolicies)).toEqual([
        `arn:aws:iam::${ACCOUNT}:policy/GroupManaged`, 'arn:aws:iam::aws:policy/ReadOnlyAccess', 'group/devs/grp', 'user/bob/own',
      ]);
      expect(p.identityPolicies.every((x) => x.kind === 'identity')).toBe(true);
      expect(p.permissionsBoundary).toMatchObject({ id: `arn:aws:iam::${ACCOUNT}:policy/Bound`, kind: 'boundary' });
      expect(p.sessionPolicies).toBeUndefined();
    });

    it('gives a role session the role\'s policies and boundary, its session policies, tags, and session fields', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateRole', {
        RoleName: 'app', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] }),
        PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess', Tags: [{ Key: 'env', Value: 'prod' }],
      });
      await h.iamCall('PutRolePolicy', { RoleName: 'app', PolicyName: 'r', PolicyDocument: allow('s3:*') });
      const out = await h.stsCall('AssumeRole', {
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/app`, RoleSessionName: 'worker', Policy: allow('s3:GetObject'),
        Tags: [{ Key: 'env', Value: 'dev' }], SourceIdentity: 'alice',
      }, await h.admin());
      const cred = (await h.resolver.resolve(out.Credentials.AccessKeyId))!;
      expect(cred.sessionToken).toBe(out.Credentials.SessionToken);
      expect(cred.expiration).toEqual(out.Credentials.Expiration);
      const p = cred.principal;
      expect(p).toMatchObject({
        type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/worker`, roleArn: `arn:aws:iam::${ACCOUNT}:role/app`,
        roleName: 'app', sessionName: 'worker', tags: { env: 'dev' }, sourceIdentity: 'alice', roleChained: false, mfaPresent: false,
        tokenIssueTime: h.clock.now(), expiration: out.Credentials.Expiration,
      });
      expect(ids(p.identityPolicies)).toEqual(['role/app/r']);
      expect(p.permissionsBoundary?.id).toBe('arn:aws:iam::aws:policy/ReadOnlyAccess');
      expect(ids(p.sessionPolicies!)).toEqual(['session/inline']);

      // A role deleted (and re-created) after the session was issued grants the old session nothing.
      await h.iamCall('DeleteRolePolicy', { RoleName: 'app', PolicyName: 'r' });
      await h.iamCall('DeleteRolePermissionsBoundary', { RoleName: 'app' });
      await h.iamCall('DeleteRole', { RoleName: 'app' });
      await h.iamCall('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }) });
      await h.iamCall('AttachRolePolicy', { RoleName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
      expect((await h.resolver.resolve(out.Credentials.AccessKeyId))!.principal.identityPolicies).toEqual([]);
    });

    it('an expired session resolves with its past expiration, so the verifier can answer ExpiredToken', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }) });
      const out = await h.stsCall('AssumeRole', { RoleArn: `arn:aws:iam::${ACCOUNT}:role/r`, RoleSessionName: 's1', DurationSeconds: 900 }, await h.admin());
      h.clock.advance(3600);
      const cred = (await h.resolver.resolve(out.Credentials.AccessKeyId))!;
      expect(cred.expiration!.getTime()).toBeLessThan(h.clock.now().getTime());
      expect(cred.principal.expiration).toEqual(cred.expiration);
    });

    it('serves repeat lookups from memory and reloads after IAM changes invalidate the account', async () => {
      const h = await harness(await open());
      const key = await userWithKey(h, 'bob');
      const spy = vi.spyOn(h.state.resources, 'findById');
      const first = await h.resolver.resolve(key);
      const second = await h.resolver.resolve(key);
      expect(second).toBe(first);
      expect(spy).toHaveBeenCalledTimes(1);
      await Promise.all([h.resolver.resolve('AKIAUNKNOWN000000000'), h.resolver.resolve('AKIAUNKNOWN000000000')]);
      expect(spy).toHaveBeenCalledTimes(2); // concurrent lookups of one id share a query

      await h.iamCall('PutUserPolicy', { UserName: 'bob', PolicyName: 'p', PolicyDocument: allow('s3:*') });
      const after = (await h.resolver.resolve(key))!;
      expect(ids(after.principal.identityPolicies)).toEqual(['user/bob/p']);
      await h.iamCall('CreatePolicy', { PolicyName: 'M', PolicyDocument: allow('s3:*') });
      await h.iamCall('AttachUserPolicy', { UserName: 'bob', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/M` });
      await h.iamCall('CreatePolicyVersion', { PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/M`, PolicyDocument: allow('kms:*'), SetAsDefault: true });
      const managed = (await h.resolver.resolve(key))!.principal.identityPolicies.find((p) => p.id.endsWith(':policy/M'))!;
      expect(managed.Statement[0].Action).toEqual(['kms:*']);

      // The TTL is a safety net for changes made elsewhere (another replica).
      spy.mockClear();
      await h.resolver.resolve(key);
      expect(spy).not.toHaveBeenCalled();
      h.clock.advance(61);
      await h.resolver.resolve(key);
      expect(spy).toHaveBeenCalledTimes(1);
    });

    it('a key created after a failed lookup of its id is found (negative entries are invalidated too)', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateUser', { UserName: 'bob' });
      expect(await h.resolver.resolve('AKIAEXAMPLE000000000')).toBeUndefined();
      const key = (await h.iamCall('CreateAccessKey', { UserName: 'bob' })).AccessKey.AccessKeyId;
      expect(await h.resolver.resolve(key)).toBeDefined();
      await h.iamCall('DeleteAccessKey', { UserName: 'bob', AccessKeyId: key });
      expect(await h.resolver.resolve(key)).toBeUndefined();
    });
  });
});
