import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { ACCOUNT, doc, expectError, harness } from './testing.js';

const trustAccount = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' });

withEachBackend((_name, open) => {
  describe('roles', () => {
    it('creates a role with trust policy, description, tags and session duration; gets, lists, updates, deletes', async () => {
      const h = await harness(await open());
      const role = (await h.iamCall('CreateRole', {
        RoleName: 'app', Path: '/svc/', AssumeRolePolicyDocument: trustAccount, Description: 'the app', MaxSessionDuration: 7200,
        Tags: [{ Key: 'env', Value: 'prod' }],
      })).Role;
      expect(role).toMatchObject({ RoleName: 'app', Arn: `arn:aws:iam::${ACCOUNT}:role/svc/app`, MaxSessionDuration: 7200, Description: 'the app' });
      expect(role.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
      expect(decodeURIComponent(role.AssumeRolePolicyDocument)).toBe(trustAccount);
      await expectError(h.iamCall('CreateRole', { RoleName: 'APP', AssumeRolePolicyDocument: trustAccount }), 'EntityAlreadyExists', 'Role with name APP already exists.');

      const got = (await h.iamCall('GetRole', { RoleName: 'app' })).Role;
      expect(got.Tags).toEqual([{ Key: 'env', Value: 'prod' }]);
      expect(got.RoleLastUsed).toEqual({});
      expect((await h.iamCall('ListRoles', { PathPrefix: '/svc/' })).Roles.map((r: { RoleName: string }) => r.RoleName)).toEqual(['app']);
      expect((await h.iamCall('ListRoles', { PathPrefix: '/other/' })).Roles).toEqual([]);

      await h.iamCall('UpdateRole', { RoleName: 'app', MaxSessionDuration: 43200 });
      expect((await h.iamCall('GetRole', { RoleName: 'app' })).Role).toMatchObject({ MaxSessionDuration: 43200, Description: 'the app' });
      await h.iamCall('TagRole', { RoleName: 'app', Tags: [{ Key: 'team', Value: 'ml' }] });
      await h.iamCall('UntagRole', { RoleName: 'app', TagKeys: ['env'] });
      expect((await h.iamCall('ListRoleTags', { RoleName: 'app' })).Tags).toEqual([{ Key: 'team', Value: 'ml' }]);

      const newTrust = doc({ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' });
      await h.iamCall('UpdateAssumeRolePolicy', { RoleName: 'app', PolicyDocument: newTrust });
      expect(decodeURIComponent((await h.iamCall('GetRole', { RoleName: 'app' })).Role.AssumeRolePolicyDocument)).toBe(newTrust);

      await h.iamCall('AttachRolePolicy', { RoleName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
      await expectError(h.iamCall('DeleteRole', { RoleName: 'app' }), 'DeleteConflict', 'Cannot delete entity, must detach all policies first.');
      await h.iamCall('DetachRolePolicy', { RoleName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
      await h.iamCall('DeleteRole', { RoleName: 'app' });
      await expectError(h.iamCall('GetRole', { RoleName: 'app' }), 'NoSuchEntity', 'The role with name app cannot be found.');
    });

    it('validates the trust policy and MaxSessionDuration', async () => {
      const h = await harness(await open());
      // A trust policy is a resource policy: it needs a Principal.
      await expectError(h.iamCall('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }) }), 'MalformedPolicyDocument');
      await expectError(h.iamCall('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: '{"Statement": [' }), 'MalformedPolicyDocument');
      const ghost = `arn:aws:iam::${ACCOUNT}:user/ghost`;
      await expectError(h.iamCall('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ghost }, Action: 'sts:AssumeRole' }) }),
        'MalformedPolicyDocument', `Invalid principal in policy: "AWS":"${ghost}"`);
      await h.iamCall('CreateUser', { UserName: 'ghost' });
      await h.iamCall('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ghost }, Action: 'sts:AssumeRole' }) });

      // The model's range is enforced before the handler (gateway validation) and by the handler itself.
      await expectError(h.iamCall('CreateRole', { RoleName: 'r2', AssumeRolePolicyDocument: trustAccount, MaxSessionDuration: 600 }), 'ValidationError', /maxSessionDuration|MaxSessionDuration/);
      await expectError(h.iamCall('UpdateRole', { RoleName: 'r', MaxSessionDuration: 50000 }), 'ValidationError');
      const big = doc(Array.from({ length: 40 }, (_, n) => ({ Effect: 'Allow', Principal: { Service: `svc${n}.amazonaws.com` }, Action: 'sts:AssumeRole' })));
      await expectError(h.iamCall('UpdateAssumeRolePolicy', { RoleName: 'r', PolicyDocument: big }), 'LimitExceeded', 'Cannot exceed quota for ACLSizePerRole: 2048');
    });
  });
});
