import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { endpointTags } from './index.js';
import { ANALYZER, baselineJob, scheduleRequest, withMemoryS3 } from './monitoring/testing.js';
import { ACCOUNT, REGION, ROLE, deployEcho, expectError, smHarness } from './testing.js';

describe('SageMaker tags', () => {
  withEachBackend((_name, open) => {
    it('adds, replaces, lists and deletes tags on models, configs and endpoints', async () => {
      const h = await smHarness(await open());
      const { ModelArn } = await h.call('CreateModel', { ModelName: 'm', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'x' }, Tags: [{ Key: 'team', Value: 'risk' }] });
      const added = await h.call('AddTags', { ResourceArn: ModelArn, Tags: [{ Key: 'team', Value: 'fraud' }, { Key: 'env', Value: 'prod' }] });
      expect(added.Tags).toEqual([{ Key: 'team', Value: 'fraud' }, { Key: 'env', Value: 'prod' }]);
      expect((await h.call('ListTags', { ResourceArn: ModelArn })).Tags).toEqual([{ Key: 'team', Value: 'fraud' }, { Key: 'env', Value: 'prod' }]);
      await h.call('DeleteTags', { ResourceArn: ModelArn, TagKeys: ['team', 'absent'] });
      expect((await h.call('ListTags', { ResourceArn: ModelArn })).Tags).toEqual([{ Key: 'env', Value: 'prod' }]);

      const many = Array.from({ length: 50 }, (_, n) => ({ Key: `k${n}`, Value: String(n) }));
      const { EndpointConfigArn } = await h.call('CreateEndpointConfig', { EndpointConfigName: 'c', Tags: many,
        ProductionVariants: [{ VariantName: 'v', ModelName: 'm', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' }] });
      const page = await h.call('ListTags', { ResourceArn: EndpointConfigArn, MaxResults: 50 });
      expect(page.Tags).toHaveLength(50);
      expect(page.NextToken).toBeUndefined();
      await expectError(h.call('AddTags', { ResourceArn: EndpointConfigArn, Tags: [{ Key: 'one-more', Value: 'x' }] }), 'ResourceLimitExceeded');

      const missing = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/nope`;
      await expectError(h.call('ListTags', { ResourceArn: missing }), 'ValidationException', `Could not find endpoint "${missing}".`);
      await expectError(h.call('AddTags', { ResourceArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/t`, Tags: [{ Key: 'a', Value: 'b' }] }), 'NotImplemented');
    });

    it("tags Model Monitor's resources: processing jobs, job definitions and monitoring schedules", async () => {
      const h = await smHarness(await open());
      withMemoryS3(h);
      const inline = (scheduleRequest('x').MonitoringScheduleConfig as Record<string, Record<string, unknown>>).MonitoringJobDefinition;
      const { JobDefinitionArn } = await h.call('CreateDataQualityJobDefinition', {
        JobDefinitionName: 'dq', DataQualityAppSpecification: { ImageUri: ANALYZER }, DataQualityBaselineConfig: inline.BaselineConfig,
        DataQualityJobInput: { EndpointInput: { EndpointName: 'ep', LocalPath: '/opt/ml/processing/input/endpoint' } },
        DataQualityJobOutputConfig: inline.MonitoringOutputConfig, JobResources: inline.MonitoringResources, RoleArn: ROLE,
        Tags: [{ Key: 'team', Value: 'risk' }],
      });
      const { MonitoringScheduleArn } = await h.call('CreateMonitoringSchedule', { ...scheduleRequest('Hourly'), Tags: [{ Key: 'tier', Value: 'gold' }] });
      const { ProcessingJobArn } = await h.call('CreateProcessingJob', { ...baselineJob('Baseline-1', ROLE, 's3://data/train.csv', 's3://data/baseline'), Tags: [{ Key: 'a', Value: '1' }] });
      for (const [arn, initial] of [[JobDefinitionArn, { Key: 'team', Value: 'risk' }], [MonitoringScheduleArn, { Key: 'tier', Value: 'gold' }], [ProcessingJobArn, { Key: 'a', Value: '1' }]]) {
        expect((await h.call('ListTags', { ResourceArn: arn })).Tags).toEqual([initial]);
        await h.call('AddTags', { ResourceArn: arn, Tags: [{ Key: 'env', Value: 'prod' }] });
        await h.call('DeleteTags', { ResourceArn: arn, TagKeys: [(initial as { Key: string }).Key] });
        expect((await h.call('ListTags', { ResourceArn: arn })).Tags).toEqual([{ Key: 'env', Value: 'prod' }]);
      }
      // The schedule keeps working with its tags changed: the scheduler's own updates and the tag update do not clobber each other.
      expect((await h.call('DescribeMonitoringSchedule', { MonitoringScheduleName: 'Hourly' })).MonitoringScheduleStatus).toBe('Scheduled');
      const missing = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:monitoring-schedule/nope`;
      await expectError(h.call('AddTags', { ResourceArn: missing, Tags: [{ Key: 'a', Value: 'b' }] }), 'ValidationException', `Could not find monitoring schedule "${missing}".`);
    });

    it('keeps endpoint tags in memory for InvokeEndpoint, refreshed on change', async () => {
      const h = await smHarness(await open());
      await deployEcho(h, 'Tagged');
      await h.waitFor('Tagged', ['InService']);
      expect(endpointTags(h.registry, ACCOUNT, REGION, 'tagged')).toEqual({});
      const arn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/tagged`;
      await h.call('AddTags', { ResourceArn: arn, Tags: [{ Key: 'tier', Value: 'gold' }] });
      await h.sm.close();
      expect(h.sm.endpointTags(ACCOUNT, REGION, 'Tagged')).toEqual({ tier: 'gold' });
      await h.call('DeleteEndpoint', { EndpointName: 'Tagged' });
      await h.sm.close();
      expect(endpointTags(h.registry, ACCOUNT, REGION, 'Tagged')).toBeUndefined();
    });
  });
});
