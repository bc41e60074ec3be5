import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { SageMakerRoleSessions } from './index.js';
import { ACCOUNT, REGION, smHarness, type SmHarness } from './testing.js';

const trust = (service: string) => JSON.stringify({
  Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
});

async function role(h: SmHarness, name: string, service = 'sagemaker.amazonaws.com'): Promise<string> {
  const out = await h.iamCall('CreateRole', { RoleName: name, AssumeRolePolicyDocument: trust(service) });
  await h.iamCall('PutRolePolicy', { RoleName: name, PolicyName: 'p', PolicyDocument: JSON.stringify({
    Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
  }) });
  return out.Role.Arn;
}

describe('SageMakerRoleSessions', () => {
  withEachBackend((_name, open) => {
    it('assumes a role trusting sagemaker.amazonaws.com through STS and caches the session', async () => {
      const h = await smHarness(await open());
      const arn = await role(h, 'exec');
      const sessions = new SageMakerRoleSessions(h.deps);
      const [p1, p2] = await Promise.all([sessions.principalFor(arn, ACCOUNT, REGION), sessions.principalFor(arn, ACCOUNT, REGION)]);
      expect(p1).toMatchObject({ type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/exec/SageMaker`, roleArn: arn });
      expect(p2.accessKeyId).toBe(p1.accessKeyId);
      const sessionsOfRole = async () => (await h.state.resources.list('123456789012', 'sts', 'session')).length;
      expect(await sessionsOfRole()).toBe(1);
      // Cached until 5 minutes before expiry (1 hour sessions), then assumed again.
      h.clock.advance(50 * 60);
      expect((await sessions.principalFor(arn, ACCOUNT, REGION)).accessKeyId).toBe(p1.accessKeyId);
      h.clock.advance(6 * 60);
      expect((await sessions.principalFor(arn, ACCOUNT, REGION)).accessKeyId).not.toBe(p1.accessKeyId);
      sessions.invalidate(arn);
      const p3 = await sessions.principalFor(arn, ACCOUNT, REGION);
      expect(p3.identityPolicies).toHaveLength(1);
    });

    it('names the account it acts for in aws:SourceAccount, so trust policies can pin it', async () => {
      const h = await smHarness(await open());
      const pinned = (account: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{
        Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': account } },
      }] });
      const mine = (await h.iamCall('CreateRole', { RoleName: 'pinned', AssumeRolePolicyDocument: pinned(ACCOUNT) })).Role.Arn;
      const other = (await h.iamCall('CreateRole', { RoleName: 'pinned-other', AssumeRolePolicyDocument: pinned('210987654321') })).Role.Arn;
      const sessions = new SageMakerRoleSessions(h.deps);
      expect((await sessions.principalFor(mine, ACCOUNT, REGION)).roleArn).toBe(mine);
      await expect(sessions.principalFor(other, ACCOUNT, REGION)).rejects.toThrow(/Could not assume role/);
    });

    it('explains a role that does not trust SageMaker', async () => {
      const h = await smHarness(await open());
      const arn = await role(h, 'lambda-only', 'lambda.amazonaws.com');
      const sessions = new SageMakerRoleSessions(h.deps);
      await expect(sessions.principalFor(arn, ACCOUNT, REGION)).rejects.toThrow(
        new RegExp(`Could not assume role ${arn}\\. Please ensure that the role exists and allows principal 'sagemaker.amazonaws.com' to assume the role\\. \\(.*not authorized to perform: sts:AssumeRole`),
      );
      await expect(sessions.principalFor(`arn:aws:iam::${ACCOUNT}:role/missing`, ACCOUNT, REGION)).rejects.toThrow(/Could not assume role/);
    });
  });
});
