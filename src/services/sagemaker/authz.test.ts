import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { ACCOUNT, REGION, ROLE, allow, deployEcho, expectError, smHarness } from './testing.js';

const modelInput = { ModelName: 'm', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'x' } };

describe('SageMaker authorization', () => {
  withEachBackend((_name, open) => {
    it('CreateModel needs iam:PassRole on the execution role, passed to SageMaker', async () => {
      const h = await smHarness(await open());
      const noPass = await h.user('no-pass', allow('sagemaker:*'));
      await expectError(h.call('CreateModel', modelInput, noPass), 'AccessDeniedException', new RegExp(`not authorized to perform: iam:PassRole on resource: ${ROLE}`));
      const otherService = await h.user('pass-to-ec2', { Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Action: 'sagemaker:*', Resource: '*' },
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: ROLE, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } },
      ] });
      await expectError(h.call('CreateModel', modelInput, otherService), 'AccessDeniedException', /iam:PassRole/);
      const ok = await h.user('ok', { Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Action: 'sagemaker:CreateModel', Resource: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model/*` },
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: ROLE, Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } } },
      ] });
      await h.call('CreateModel', modelInput, ok);
      // Even iam:PassRole on * does not let a model run as another account's role.
      await expectError(h.call('CreateModel', { ...modelInput, ModelName: 'x', ExecutionRoleArn: 'arn:aws:iam::210987654321:role/theirs' }),
        'AccessDeniedException', 'Cross-account pass role is not allowed.');
    });

    it('condition keys: aws:RequestTag, sagemaker:ResourceTag, sagemaker:NetworkIsolation, sagemaker:InstanceTypes', async () => {
      const h = await smHarness(await open());
      const isolated = await h.user('isolated', { Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
        { Effect: 'Allow', Action: 'sagemaker:CreateModel', Resource: '*', Condition: { Bool: { 'sagemaker:NetworkIsolation': 'true' }, StringEquals: { 'aws:RequestTag/team': 'risk' } } },
        { Effect: 'Allow', Action: 'sagemaker:CreateEndpointConfig', Resource: '*', Condition: { 'ForAllValues:StringLike': { 'sagemaker:InstanceTypes': 'ml.m5.*' } } },
      ] });
      await expectError(h.call('CreateModel', { ...modelInput, Tags: [{ Key: 'team', Value: 'risk' }] }, isolated), 'AccessDeniedException');
      await h.call('CreateModel', { ...modelInput, EnableNetworkIsolation: true, Tags: [{ Key: 'team', Value: 'risk' }] }, isolated);
      const variant = { VariantName: 'v', ModelName: 'm', InitialInstanceCount: 1 };
      await expectError(h.call('CreateEndpointConfig', { EndpointConfigName: 'c', ProductionVariants: [{ ...variant, InstanceType: 'ml.g4dn.xlarge' }] }, isolated), 'AccessDeniedException');
      await h.call('CreateEndpointConfig', { EndpointConfigName: 'c', ProductionVariants: [{ ...variant, InstanceType: 'ml.m5.large' }] }, isolated);

      await deployEcho(h, 'gold');
      await h.call('AddTags', { ResourceArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/gold`, Tags: [{ Key: 'tier', Value: 'gold' }] });
      await deployEcho(h, 'plain');
      const goldOnly = await h.user('gold-only', { Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Action: 'sagemaker:DescribeEndpoint', Resource: '*', Condition: { StringEquals: { 'sagemaker:ResourceTag/tier': 'gold' } } },
      ] });
      expect((await h.call('DescribeEndpoint', { EndpointName: 'gold' }, goldOnly)).EndpointName).toBe('gold');
      await expectError(h.call('DescribeEndpoint', { EndpointName: 'plain' }, goldOnly), 'AccessDeniedException',
        new RegExp(`sagemaker:DescribeEndpoint on resource: arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/plain`));
      await h.sm.close();
    });

    it('CreateEndpoint is authorized on the endpoint and on its config; List* on *', async () => {
      const h = await smHarness(await open());
      await h.call('CreateModel', modelInput);
      await h.call('CreateEndpointConfig', { EndpointConfigName: 'c', ProductionVariants: [{ VariantName: 'v', ModelName: 'm', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' }] });
      const endpointOnly = await h.user('endpoint-only', allow(['sagemaker:CreateEndpoint', 'sagemaker:ListEndpoints'], `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/*`));
      await expectError(h.call('CreateEndpoint', { EndpointName: 'e', EndpointConfigName: 'c' }, endpointOnly), 'AccessDeniedException', /endpoint-config\/c/);
      await expectError(h.call('ListEndpoints', {}, endpointOnly), 'AccessDeniedException', /sagemaker:ListEndpoints/);
    });
  });
});
