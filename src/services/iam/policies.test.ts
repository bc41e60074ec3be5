import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { ACCOUNT, doc, expectError, harness } from './testing.js';

const allowS3 = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
/** RFC 3986: what AWS's encoder produces (`*` too is escaped). */
const encoded = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

withEachBackend((_name, open) => {
  describe('inline policies', () => {
    it('puts, gets (URL-encoded, as AWS returns them), lists, replaces and deletes', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateUser', { UserName: 'bob' });
      await h.iamCall('PutUserPolicy', { UserName: 'bob', PolicyName: 'read', PolicyDocument: allowS3 });
      const got = await h.iamCall('GetUserPolicy', { UserName: 'BOB', PolicyName: 'read' });
      expect(got).toEqual({ UserName: 'bob', PolicyName: 'read', PolicyDocument: encoded(allowS3) });
      expect(decodeURIComponent(got.PolicyDocument)).toBe(allowS3);
      const replaced = doc({ Effect: 'Deny', Action: 's3:*', Resource: '*' });
      await h.iamCall('PutUserPolicy', { UserName: 'bob', PolicyName: 'read', PolicyDocument: replaced });
      expect(decodeURIComponent((await h.iamCall('GetUserPolicy', { UserName: 'bob', PolicyName: 'read' })).PolicyDocument)).toBe(replaced);
      expect((await h.iamCall('ListUserPolicies', { UserName: 'bob' })).PolicyNames).toEqual(['read']);
      await h.iamCall('DeleteUserPolicy', { UserName: 'bob', PolicyName: 'read' });
      await expectError(h.iamCall('GetUserPolicy', { UserName: 'bob', PolicyName: 'read' }), 'NoSuchEntity', 'The user policy with name read cannot be found.');
      await expectError(h.iamCall('PutUserPolicy', { UserName: 'ghost', PolicyName: 'p', PolicyDocument: allowS3 }), 'NoSuchEntity', 'The user with name ghost cannot be found.');
    });

    it('group and role inline policies work alike', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateGroup', { GroupName: 'devs' });
      await h.iamCall('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }) });
      await h.iamCall('PutGroupPolicy', { GroupName: 'devs', PolicyName: 'g', PolicyDocument: allowS3 });
      await h.iamCall('PutRolePolicy', { RoleName: 'app', PolicyName: 'r', PolicyDocument: allowS3 });
      expect((await h.iamCall('GetGroupPolicy', { GroupName: 'devs', PolicyName: 'g' })).GroupName).toBe('devs');
      expect((await h.iamCall('GetRolePolicy', { RoleName: 'app', PolicyName: 'r' })).RoleName).toBe('app');
      expect((await h.iamCall('ListGroupPolicies', { GroupName: 'devs' })).PolicyNames).toEqual(['g']);
      expect((await h.iamCall('ListRolePolicies', { RoleName: 'app' })).PolicyNames).toEqual(['r']);
      await expectError(h.iamCall('DeleteRole', { RoleName: 'app' }), 'DeleteConflict', /must delete policies first/);
      await h.iamCall('DeleteRolePolicy', { RoleName: 'app', PolicyName: 'r' });
      await expectError(h.iamCall('DeleteRolePolicy', { RoleName: 'app', PolicyName: 'r' }), 'NoSuchEntity', 'The role policy with name r cannot be found.');
      await h.iamCall('DeleteGroupPolicy', { GroupName: 'devs', PolicyName: 'g' });
      await h.iamCall('DeleteRole', { RoleName: 'app' });
    });

    it('rejects malformed documents with the engine\'s message and oversized ones with LimitExceeded', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateUser', { UserName: 'bob' });
      await expectError(h.iamCall('PutUserPolicy', { UserName: 'bob', PolicyName: 'p', PolicyDocument: '{not json' }), 'MalformedPolicyDocument', /./);
      const err = await expectError(h.iamCall('PutUserPolicy', { UserName: 'bob', PolicyName: 'p', PolicyDocument: doc({ Effect: 'Maybe', Action: '*', Resource: '*' }) }), 'MalformedPolicyDocument');
      expect(err.httpStatus).toBe(400);
      await expectError(h.iamCall('PutUserPolicy', { UserName: 'bob', PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }) }), 'MalformedPolicyDocument');
      // Whitespace does not count toward the quota; the quota is the sum over the user's inline policies.
      const resources = Array.from({ length: 40 }, (_, n) => `arn:aws:s3:::bucket-${n}/*`);
      const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resources }] }, null, 8);
      expect(big.replace(/\s/g, '').length).toBeLessThan(2048);
      expect(big.length).toBeGreaterThan(2048);
      await h.iamCall('PutUserPolicy', { UserName: 'bob', PolicyName: 'one', PolicyDocument: big });
      await expectError(h.iamCall('PutUserPolicy', { UserName: 'bob', PolicyName: 'two', PolicyDocument: big }), 'LimitExceeded', 'Maximum policy size of 2048 bytes exceeded for user bob');
      // Replacing the same policy counts only the new version.
      await h.iamCall('PutUserPolicy', { UserName: 'bob', PolicyName: 'one', PolicyDocument: big });
    });
  });

  describe('managed policies', () => {
    it('creates, versions (max 5), sets the default, and guards deletion', async () => {
      const h = await harness(await open());
      const created = (await h.iamCall('CreatePolicy', { PolicyName: 'S3Read', Path: '/team/', PolicyDocument: allowS3, Description: 'read' })).Policy;
      const arn = `arn:aws:iam::${ACCOUNT}:policy/team/S3Read`;
      expect(created).toMatchObject({ Arn: arn, DefaultVersionId: 'v1', AttachmentCount: 0, IsAttachable: true });
      expect(created.PolicyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
      await expectError(h.iamCall('CreatePolicy', { PolicyName: 's3read', PolicyDocument: allowS3 }), 'EntityAlreadyExists', 'A policy called s3read already exists. Duplicate names are not allowed.');
      await expectError(h.iamCall('GetPolicy', { PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/S3Read` }), 'NoSuchEntity'); // wrong path
      expect((await h.iamCall('GetPolicy', { PolicyArn: arn })).Policy.Description).toBe('read');

      const v2 = doc({ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' });
      const made = await h.iamCall('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: v2, SetAsDefault: true });
      expect(made.PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: true });
      for (let n = 3; n <= 5; n++) await h.iamCall('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: allowS3 });
      await expectError(h.iamCall('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: allowS3 }), 'LimitExceeded', /up to 5 versions/);
      const versions = (await h.iamCall('ListPolicyVersions', { PolicyArn: arn })).Versions;
      expect(versions.map((v: { VersionId: string }) => v.VersionId)).toEqual(['v5', 'v4', 'v3', 'v2', 'v1']);
      const got = (await h.iamCall('GetPolicyVersion', { PolicyArn: arn, VersionId: 'v2' })).PolicyVersion;
      expect(decodeURIComponent(got.Document)).toBe(v2);
      expect(got.IsDefaultVersion).toBe(true);

      await expectError(h.iamCall('DeletePolicyVersion', { PolicyArn: arn, VersionId: 'v2' }), 'DeleteConflict', 'Cannot delete the default version of a policy.');
      await h.iamCall('SetDefaultPolicyVersion', { PolicyArn: arn, VersionId: 'v5' });
      await expectError(h.iamCall('SetDefaultPolicyVersion', { PolicyArn: arn, VersionId: 'v9' }), 'NoSuchEntity');
      await h.iamCall('DeletePolicyVersion', { PolicyArn: arn, VersionId: 'v2' });
      // Version ids are not reused.
      expect((await h.iamCall('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: allowS3 })).PolicyVersion.VersionId).toBe('v6');

      await h.iamCall('CreateUser', { UserName: 'bob' });
      await h.iamCall('AttachUserPolicy', { UserName: 'bob', PolicyArn: arn });
      expect((await h.iamCall('GetPolicy', { PolicyArn: arn })).Policy.AttachmentCount).toBe(1);
      await expectError(h.iamCall('DeletePolicy', { PolicyArn: arn }), 'DeleteConflict', 'Cannot delete a policy attached to entities.');
      await h.iamCall('DetachUserPolicy', { UserName: 'bob', PolicyArn: arn });
      await expectError(h.iamCall('DeletePolicy', { PolicyArn: arn }), 'DeleteConflict', /more than one version/);
      for (const v of ['v1', 'v3', 'v4', 'v6']) await h.iamCall('DeletePolicyVersion', { PolicyArn: arn, VersionId: v });
      await h.iamCall('DeletePolicy', { PolicyArn: arn });
      await expectError(h.iamCall('GetPolicy', { PolicyArn: arn }), 'NoSuchEntity', `Policy ${arn} was not found.`);
    });

    it('validates managed policy documents and their size', async () => {
      const h = await harness(await open());
      await expectError(h.iamCall('CreatePolicy', { PolicyName: 'bad', PolicyDocument: doc({ Effect: 'Allow', Resource: '*' }) }), 'MalformedPolicyDocument');
      const resources = Array.from({ length: 300 }, (_, n) => `arn:aws:s3:::bucket-${n}/*`);
      await expectError(h.iamCall('CreatePolicy', { PolicyName: 'big', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: resources }) }), 'LimitExceeded', 'Cannot exceed quota for PolicySize: 6144');
    });

    it('AWS-managed policies exist by ARN in every account, with per-account attachment counts', async () => {
      const h = await harness(await open());
      const admin = (await h.iamCall('GetPolicy', { PolicyArn: ADMIN })).Policy;
      expect(admin).toMatchObject({ PolicyName: 'AdministratorAccess', DefaultVersionId: 'v1', AttachmentCount: 0 });
      const adminDoc = JSON.parse(decodeURIComponent((await h.iamCall('GetPolicyVersion', { PolicyArn: ADMIN, VersionId: 'v1' })).PolicyVersion.Document));
      expect(adminDoc.Statement[0]).toEqual({ Effect: 'Allow', Action: '*', Resource: '*' });
      await expectError(h.iamCall('GetPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/NoSuchThing' }), 'NoSuchEntity');
      await expectError(h.iamCall('CreatePolicyVersion', { PolicyArn: ADMIN, PolicyDocument: allowS3 }), 'InvalidInput');
      await expectError(h.iamCall('GetPolicy', { PolicyArn: 'not-an-arn-at-all-really' }), 'InvalidInput');

      await h.iamCall('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }) });
      await h.iamCall('AttachRolePolicy', { RoleName: 'r', PolicyArn: READONLY });
      await h.iamCall('AttachRolePolicy', { RoleName: 'r', PolicyArn: READONLY }); // idempotent
      expect((await h.iamCall('GetPolicy', { PolicyArn: READONLY })).Policy.AttachmentCount).toBe(1);
      await h.iamCall('CreatePolicy', { PolicyName: 'Local', PolicyDocument: allowS3 });

      const all = (await h.iamCall('ListPolicies', {})).Policies.map((p: { PolicyName: string }) => p.PolicyName);
      expect(all).toEqual(['AdministratorAccess', 'ReadOnlyAccess', 'Local']);
      expect((await h.iamCall('ListPolicies', { Scope: 'Local' })).Policies.map((p: { PolicyName: string }) => p.PolicyName)).toEqual(['Local']);
      expect((await h.iamCall('ListPolicies', { Scope: 'AWS', OnlyAttached: true })).Policies.map((p: { PolicyName: string }) => p.PolicyName)).toEqual(['ReadOnlyAccess']);
      const page = await h.iamCall('ListPolicies', { MaxItems: 2 });
      expect(page.IsTruncated).toBe(true);
      expect((await h.iamCall('ListPolicies', { MaxItems: 2, Marker: page.Marker })).Policies).toHaveLength(1);

      const entities = await h.iamCall('ListEntitiesForPolicy', { PolicyArn: READONLY });
      expect(entities.PolicyRoles).toEqual([{ RoleName: 'r', RoleId: expect.stringMatching(/^AROA/) }]);
      expect(entities.PolicyUsers).toEqual([]);
      await expectError(h.iamCall('DeleteRole', { RoleName: 'r' }), 'DeleteConflict', /detach all policies/);
    });

    it('counts attachments exactly under concurrent attaches', async () => {
      const h = await harness(await open());
      const names = Array.from({ length: 8 }, (_, n) => `u${n}`);
      for (const n of names) await h.iamCall('CreateUser', { UserName: n });
      await Promise.all(names.map((n) => h.iamCall('AttachUserPolicy', { UserName: n, PolicyArn: READONLY })));
      expect((await h.iamCall('GetPolicy', { PolicyArn: READONLY })).Policy.AttachmentCount).toBe(names.length);
      await Promise.all(names.slice(0, 3).map((n) => h.iamCall('DetachUserPolicy', { UserName: n, PolicyArn: READONLY })));
      expect((await h.iamCall('GetPolicy', { PolicyArn: READONLY })).Policy.AttachmentCount).toBe(names.length - 3);
      expect((await h.iamCall('ListEntitiesForPolicy', { PolicyArn: READONLY, EntityFilter: 'User' })).PolicyUsers).toHaveLength(5);
    });

    it('attach limits and missing policies', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateGroup', { GroupName: 'g' });
      await expectError(h.iamCall('AttachGroupPolicy', { GroupName: 'g', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/nope` }), 'NoSuchEntity', `Policy arn:aws:iam::${ACCOUNT}:policy/nope does not exist or is not attachable.`);
      for (let n = 0; n < 10; n++) {
        await h.iamCall('CreatePolicy', { PolicyName: `p${n}`, PolicyDocument: allowS3 });
        await h.iamCall('AttachGroupPolicy', { GroupName: 'g', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/p${n}` });
      }
      await expectError(h.iamCall('AttachGroupPolicy', { GroupName: 'g', PolicyArn: ADMIN }), 'LimitExceeded', 'Cannot exceed quota for PoliciesPerGroup: 10');
      expect((await h.iamCall('ListAttachedGroupPolicies', { GroupName: 'g', MaxItems: 4 })).AttachedPolicies).toHaveLength(4);
      await expectError(h.iamCall('DetachGroupPolicy', { GroupName: 'g', PolicyArn: ADMIN }), 'NoSuchEntity', `Policy ${ADMIN} was not found.`);
    });
  });

  describe('permissions boundaries', () => {
    it('puts and deletes boundaries on users and roles, counting their use', async () => {
      const h = await harness(await open());
      await h.iamCall('CreatePolicy', { PolicyName: 'Boundary', PolicyDocument: allowS3 });
      const arn = `arn:aws:iam::${ACCOUNT}:policy/Boundary`;
      const u = (await h.iamCall('CreateUser', { UserName: 'bob', PermissionsBoundary: arn })).User;
      expect(u.PermissionsBoundary).toEqual({ PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn });
      await expectError(h.iamCall('CreateUser', { UserName: 'eve', PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/Nope` }), 'NoSuchEntity', /Scope ARN: .* does not exist or is not attachable\./);
      await expectError(h.iamCall('GetUser', { UserName: 'eve' }), 'NoSuchEntity'); // nothing half-created
      await h.iamCall('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }) });
      await h.iamCall('PutRolePermissionsBoundary', { RoleName: 'r', PermissionsBoundary: arn });
      expect((await h.iamCall('GetRole', { RoleName: 'r' })).Role.PermissionsBoundary.PermissionsBoundaryArn).toBe(arn);
      expect((await h.iamCall('GetPolicy', { PolicyArn: arn })).Policy.PermissionsBoundaryUsageCount).toBe(2);
      const bounded = await h.iamCall('ListEntitiesForPolicy', { PolicyArn: arn, PolicyUsageFilter: 'PermissionsBoundary' });
      expect(bounded.PolicyUsers).toHaveLength(1);
      expect(bounded.PolicyRoles).toHaveLength(1);
      await expectError(h.iamCall('DeletePolicy', { PolicyArn: arn }), 'DeleteConflict');
      await h.iamCall('DeleteUserPermissionsBoundary', { UserName: 'bob' });
      await h.iamCall('PutRolePermissionsBoundary', { RoleName: 'r', PermissionsBoundary: ADMIN });
      expect((await h.iamCall('GetUser', { UserName: 'bob' })).User.PermissionsBoundary).toBeUndefined();
      expect((await h.iamCall('GetPolicy', { PolicyArn: arn })).Policy.PermissionsBoundaryUsageCount).toBe(0);
      await h.iamCall('DeletePolicy', { PolicyArn: arn });
      await h.iamCall('DeleteRolePermissionsBoundary', { RoleName: 'r' });
      await h.iamCall('DeleteRole', { RoleName: 'r' });
    });
  });

  describe('GetAccountAuthorizationDetails', () => {
    it('returns users, groups, roles and policies with their policies', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateUser', { UserName: 'bob' });
      await h.iamCall('CreateGroup', { GroupName: 'devs' });
      await h.iamCall('AddUserToGroup', { GroupName: 'devs', UserName: 'bob' });
      await h.iamCall('PutUserPolicy', { UserName: 'bob', PolicyName: 'inline', PolicyDocument: allowS3 });
      await h.iamCall('AttachGroupPolicy', { GroupName: 'devs', PolicyArn: READONLY });
      await h.iamCall('CreatePolicy', { PolicyName: 'Local', PolicyDocument: allowS3 });
      await h.iamCall('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }) });

      const all = await h.iamCall('GetAccountAuthorizationDetails', {});
      expect(all.UserDetailList).toMatchObject([{ UserName: 'bob', GroupList: ['devs'], UserPolicyList: [{ PolicyName: 'inline', PolicyDocument: encoded(allowS3) }] }]);
      expect(all.GroupDetailList).toMatchObject([{ GroupName: 'devs', AttachedManagedPolicies: [{ PolicyName: 'ReadOnlyAccess', PolicyArn: READONLY }] }]);
      expect(all.RoleDetailList[0].RoleName).toBe('r');
      expect(all.Policies.map((p: { PolicyName: string }) => p.PolicyName).sort()).toEqual(['Local', 'ReadOnlyAccess']);
      expect(all.Policies.find((p: { PolicyName: string }) => p.PolicyName === 'Local').PolicyVersionList[0].IsDefaultVersion).toBe(true);
      const roles = await h.iamCall('GetAccountAuthorizationDetails', { Filter: ['Role'] });
      expect([roles.UserDetailList, roles.GroupDetailList, roles.Policies]).toEqual([[], [], []]);
      expect(roles.RoleDetailList).toHaveLength(1);
    });
  });
});
