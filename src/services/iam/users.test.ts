import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { ACCOUNT, doc, expectError, harness } from './testing.js';

withEachBackend((_name, open) => {
  describe('users', () => {
    it('creates, gets, lists with paths and pagination, updates and deletes', async () => {
      const h = await harness(await open());
      const created = await h.iamCall('CreateUser', { UserName: 'bob', Path: '/eng/', Tags: [{ Key: 'team', Value: 'ml' }] });
      expect(created.User).toMatchObject({ UserName: 'bob', Path: '/eng/', Arn: `arn:aws:iam::${ACCOUNT}:user/eng/bob`, Tags: [{ Key: 'team', Value: 'ml' }] });
      expect(created.User.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
      expect(created.User.CreateDate).toBeInstanceOf(Date);
      // Names are unique whatever their case, and lookups ignore case.
      await expectError(h.iamCall('CreateUser', { UserName: 'BOB' }), 'EntityAlreadyExists', 'User with name BOB already exists.');
      expect((await h.iamCall('GetUser', { UserName: 'Bob' })).User.UserName).toBe('bob');
      await expectError(h.iamCall('GetUser', { UserName: 'nobody' }), 'NoSuchEntity', 'The user with name nobody cannot be found.');

      for (const n of ['carol', 'dave', 'erin']) await h.iamCall('CreateUser', { UserName: n });
      const eng = await h.iamCall('ListUsers', { PathPrefix: '/eng/' });
      expect(eng.Users.map((u: { UserName: string }) => u.UserName)).toEqual(['bob']);
      expect(eng.Users[0].Tags).toBeUndefined(); // list calls leave tags out, as AWS does
      const p1 = await h.iamCall('ListUsers', { MaxItems: 3 });
      expect(p1.IsTruncated).toBe(true);
      const p2 = await h.iamCall('ListUsers', { MaxItems: 3, Marker: p1.Marker });
      expect(p2.IsTruncated).toBe(false);
      expect([...p1.Users, ...p2.Users].map((u: { UserName: string }) => u.UserName)).toEqual(['bob', 'carol', 'dave', 'erin']);

      await h.iamCall('UpdateUser', { UserName: 'bob', NewUserName: 'robert', NewPath: '/ops/' });
      await expectError(h.iamCall('GetUser', { UserName: 'bob' }), 'NoSuchEntity');
      expect((await h.iamCall('GetUser', { UserName: 'robert' })).User.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/ops/robert`);
      await expectError(h.iamCall('UpdateUser', { UserName: 'robert', NewUserName: 'carol' }), 'EntityAlreadyExists');
      await h.iamCall('DeleteUser', { UserName: 'robert' });
      await expectError(h.iamCall('DeleteUser', { UserName: 'robert' }), 'NoSuchEntity');
    });

    it('GetUser without a name describes the caller; root gets the root user shape', async () => {
      const h = await harness(await open());
      const rootUser = (await h.iamCall('GetUser', {})).User;
      expect(rootUser).toMatchObject({ UserId: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` });
      await h.iamCall('CreateUser', { UserName: 'alice' });
      await h.iamCall('PutUserPolicy', { UserName: 'alice', PolicyName: 'self', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }) });
      const key = (await h.iamCall('CreateAccessKey', { UserName: 'alice' })).AccessKey.AccessKeyId;
      expect((await h.iamCall('GetUser', {}, await h.principalOf(key))).User.UserName).toBe('alice');
    });

    it('refuses to delete a user that still owns keys, policies, memberships or attachments', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateUser', { UserName: 'bob' });
      const key = (await h.iamCall('CreateAccessKey', { UserName: 'bob' })).AccessKey.AccessKeyId;
      await expectError(h.iamCall('DeleteUser', { UserName: 'bob' }), 'DeleteConflict', 'Cannot delete entity, must delete access keys first.');
      await h.iamCall('DeleteAccessKey', { UserName: 'bob', AccessKeyId: key });

      await h.iamCall('PutUserPolicy', { UserName: 'bob', PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) });
      await expectError(h.iamCall('DeleteUser', { UserName: 'bob' }), 'DeleteConflict', /must delete policies first/);
      await h.iamCall('DeleteUserPolicy', { UserName: 'bob', PolicyName: 'p' });

      await h.iamCall('AttachUserPolicy', { UserName: 'bob', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
      await expectError(h.iamCall('DeleteUser', { UserName: 'bob' }), 'DeleteConflict', /must detach all policies first/);
      await h.iamCall('DetachUserPolicy', { UserName: 'bob', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });

      await h.iamCall('CreateGroup', { GroupName: 'devs' });
      await h.iamCall('AddUserToGroup', { GroupName: 'devs', UserName: 'bob' });
      await expectError(h.iamCall('DeleteUser', { UserName: 'bob' }), 'DeleteConflict', /remove users from group/);
      await expectError(h.iamCall('DeleteGroup', { GroupName: 'devs' }), 'DeleteConflict', /remove users from group/);
      await h.iamCall('RemoveUserFromGroup', { GroupName: 'devs', UserName: 'bob' });
      await h.iamCall('DeleteUser', { UserName: 'bob' });
      await h.iamCall('DeleteGroup', { GroupName: 'devs' });
    });

    it('renaming a user carries its keys, policies, memberships and attachments along', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateUser', { UserName: 'bob' });
      const key = (await h.iamCall('CreateAccessKey', { UserName: 'bob' })).AccessKey.AccessKeyId;
      await h.iamCall('PutUserPolicy', { UserName: 'bob', PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) });
      await h.iamCall('AttachUserPolicy', { UserName: 'bob', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
      await h.iamCall('CreateGroup', { GroupName: 'devs' });
      await h.iamCall('AddUserToGroup', { GroupName: 'devs', UserName: 'bob' });
      await h.iamCall('UpdateUser', { UserName: 'bob', NewUserName: 'Robert' });

      expect((await h.iamCall('ListAccessKeys', { UserName: 'robert' })).AccessKeyMetadata).toMatchObject([{ AccessKeyId: key, UserName: 'Robert' }]);
      expect((await h.iamCall('ListUserPolicies', { UserName: 'Robert' })).PolicyNames).toEqual(['p']);
      expect((await h.iamCall('ListAttachedUserPolicies', { UserName: 'Robert' })).AttachedPolicies).toHaveLength(1);
      expect((await h.iamCall('GetGroup', { GroupName: 'devs' })).Users.map((u: { UserName: string }) => u.UserName)).toEqual(['Robert']);
      const p = await h.principalOf(key);
      expect(p.arn).toBe(`arn:aws:iam::${ACCOUNT}:user/Robert`);
      expect(p.identityPolicies).toHaveLength(2);
    });

    it('tags users (keys are case-insensitive) and lists them', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateUser', { UserName: 'bob' });
      await h.iamCall('TagUser', { UserName: 'bob', Tags: [{ Key: 'Team', Value: 'a' }, { Key: 'env', Value: 'prod' }] });
      await h.iamCall('TagUser', { UserName: 'bob', Tags: [{ Key: 'team', Value: 'b' }] });
      expect((await h.iamCall('ListUserTags', { UserName: 'bob' })).Tags).toEqual([{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'b' }]);
      await h.iamCall('UntagUser', { UserName: 'bob', TagKeys: ['ENV'] });
      expect((await h.iamCall('ListUserTags', { UserName: 'bob' })).Tags).toEqual([{ Key: 'team', Value: 'b' }]);
      await expectError(h.iamCall('TagUser', { UserName: 'bob', Tags: [{ Key: 'x', Value: '1' }, { Key: 'X', Value: '2' }] }), 'InvalidInput', /Duplicate tag keys/);
      await expectError(h.iamCall('TagUser', { UserName: 'ghost', Tags: [{ Key: 'x', Value: '1' }] }), 'NoSuchEntity');
    });
  });

  describe('access keys', () => {
    it('creates at most two keys per user, updates status, deletes, and reports last use', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateUser', { UserName: 'bob' });
      const k1 = (await h.iamCall('CreateAccessKey', { UserName: 'bob' })).AccessKey;
      expect(k1.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
      expect(k1.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
      expect(k1).toMatchObject({ UserName: 'bob', Status: 'Active' });
      await h.iamCall('CreateAccessKey', { UserName: 'bob' });
      await expectError(h.iamCall('CreateAccessKey', { UserName: 'bob' }), 'LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2');

      // The secret is stored sealed, never in plaintext.
      const raw = JSON.stringify(await h.state.resources.findById('iam', 'access-key', k1.AccessKeyId));
      expect(raw).not.toContain(k1.SecretAccessKey);

      await h.iamCall('UpdateAccessKey', { UserName: 'bob', AccessKeyId: k1.AccessKeyId, Status: 'Inactive' });
      expect((await h.resolver.resolve(k1.AccessKeyId))!.status).toBe('Inactive');
      const listed = await h.iamCall('ListAccessKeys', { UserName: 'bob' });
      expect(listed.AccessKeyMetadata).toHaveLength(2);

      const never = await h.iamCall('GetAccessKeyLastUsed', { AccessKeyId: k1.AccessKeyId });
      expect(never).toMatchObject({ UserName: 'bob', AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } });
      const { recordAccessKeyUse } = await import('./access-keys.js');
      const when = new Date('2026-01-01T10:00:00Z');
      await recordAccessKeyUse(h.deps, k1.AccessKeyId, 'iam', 'us-east-1', when);
      // A second use within the minute does not write again.
      await recordAccessKeyUse(h.deps, k1.AccessKeyId, 's3', 'eu-west-1', new Date(when.getTime() + 5000));
      const used = await h.iamCall('GetAccessKeyLastUsed', { AccessKeyId: k1.AccessKeyId });
      expect(used.AccessKeyLastUsed).toEqual({ LastUsedDate: when, ServiceName: 'iam', Region: 'us-east-1' });
      // Recording use must not undo the deactivation.
      expect((await h.iamCall('ListAccessKeys', { UserName: 'bob' })).AccessKeyMetadata.find((k: { AccessKeyId: string }) => k.AccessKeyId === k1.AccessKeyId).Status).toBe('Inactive');

      await expectError(h.iamCall('DeleteAccessKey', { UserName: 'bob', AccessKeyId: 'AKIAAAAAAAAAAAAAAAAA' }), 'NoSuchEntity', /cannot be found/);
      await h.iamCall('DeleteAccessKey', { UserName: 'bob', AccessKeyId: k1.AccessKeyId });
      expect(await h.resolver.resolve(k1.AccessKeyId)).toBeUndefined();
    });

    it('a user manages its own keys without naming itself; another user\'s key is not found', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateUser', { UserName: 'alice' });
      await h.iamCall('CreateUser', { UserName: 'bob' });
      await h.iamCall('PutUserPolicy', { UserName: 'alice', PolicyName: 'keys', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:*AccessKey*', Resource: '*' }) });
      const aliceKey = (await h.iamCall('CreateAccessKey', { UserName: 'alice' })).AccessKey.AccessKeyId;
      const bobKey = (await h.iamCall('CreateAccessKey', { UserName: 'bob' })).AccessKey.AccessKeyId;
      const alice = await h.principalOf(aliceKey);
      const second = await h.iamCall('CreateAccessKey', {}, alice);
      expect(second.AccessKey.UserName).toBe('alice');
      expect((await h.iamCall('ListAccessKeys', {}, alice)).AccessKeyMetadata).toHaveLength(2);
      await expectError(h.iamCall('DeleteAccessKey', { AccessKeyId: bobKey }, alice), 'NoSuchEntity');
    });

    it('root manages root keys', async () => {
      const h = await harness(await open());
      const listed = await h.iamCall('ListAccessKeys', {});
      expect(listed.AccessKeyMetadata.map((k: { AccessKeyId: string }) => k.AccessKeyId)).toEqual([h.rootKey.accessKeyId]);
      await h.iamCall('CreateAccessKey', {});
      await expectError(h.iamCall('CreateAccessKey', {}), 'LimitExceeded');
    });
  });

  describe('groups', () => {
    it('creates groups, manages membership and lists groups for a user', async () => {
      const h = await harness(await open());
      await h.iamCall('CreateUser', { UserName: 'bob' });
      const g = await h.iamCall('CreateGroup', { GroupName: 'devs', Path: '/eng/' });
      expect(g.Group.GroupId).toMatch(/^AGPA[A-Z2-7]{17}$/);
      expect(g.Group.Arn).toBe(`arn:aws:iam::${ACCOUNT}:group/eng/devs`);
      await expectError(h.iamCall('CreateGroup', { GroupName: 'DEVS' }), 'EntityAlreadyExists', 'Group with name DEVS already exists.');
      await h.iamCall('CreateGroup', { GroupName: 'ops' });
      await h.iamCall('AddUserToGroup', { GroupName: 'devs', UserName: 'bob' });
      await h.iamCall('AddUserToGroup', { GroupName: 'devs', UserName: 'bob' }); // idempotent
      await h.iamCall('AddUserToGroup', { GroupName: 'ops', UserName: 'bob' });
      await expectError(h.iamCall('AddUserToGroup', { GroupName: 'nope', UserName: 'bob' }), 'NoSuchEntity', 'The group with name nope cannot be found.');
      const got = await h.iamCall('GetGroup', { GroupName: 'devs' });
      expect(got.Users.map((u: { UserName: string }) => u.UserName)).toEqual(['bob']);
      expect((await h.iamCall('ListGroupsForUser', { UserName: 'bob' })).Groups.map((x: { GroupName: string }) => x.GroupName)).toEqual(['devs', 'ops']);
      expect((await h.iamCall('ListGroups', { PathPrefix: '/eng' })).Groups).toHaveLength(1);
      await h.iamCall('RemoveUserFromGroup', { GroupName: 'devs', UserName: 'bob' });
      await expectError(h.iamCall('RemoveUserFromGroup', { GroupName: 'devs', UserName: 'bob' }), 'NoSuchEntity');
      await h.iamCall('DeleteGroup', { GroupName: 'devs' });
    });
  });
});
