import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { ACCOUNT, ROLE, expectError, smHarness, type SmHarness } from './testing.js';

const variant = { VariantName: 'AllTraffic', ModelName: 'm', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' };
const capture = { InitialSamplingPercentage: 50, DestinationS3Uri: 's3://bucket/capture/', CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }] };

async function withModel(h: SmHarness): Promise<void> {
  await h.call('CreateModel', { ModelName: 'm', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'vigil/echo' } });
}

describe('SageMaker endpoint configs', () => {
  withEachBackend((_name, open) => {
    it('creates and describes a config (weight defaults to 1, capture and KMS key recorded)', async () => {
      const h = await smHarness(await open());
      await withModel(h);
      const out = await h.call('CreateEndpointConfig', { EndpointConfigName: 'Cfg', ProductionVariants: [variant], DataCaptureConfig: capture, KmsKeyId: 'alias/k' });
      expect(out.EndpointConfigArn).toBe(`arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint-config/cfg`);
      const d = await h.call('DescribeEndpointConfig', { EndpointConfigName: 'cfg' });
      expect(d.ProductionVariants[0]).toMatchObject({ ...variant, InitialVariantWeight: 1 });
      expect(d.DataCaptureConfig).toEqual(capture);
      expect(d.KmsKeyId).toBe('alias/k');
      await expectError(h.call('CreateEndpointConfig', { EndpointConfigName: 'CFG', ProductionVariants: [variant] }), 'ValidationException',
        `Cannot create already existing endpoint configuration "arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint-config/cfg".`);
      await h.call('DeleteEndpointConfig', { EndpointConfigName: 'Cfg' });
      await expectError(h.call('DescribeEndpointConfig', { EndpointConfigName: 'Cfg' }), 'ValidationException',
        `Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint-config/cfg".`);
    });

    it('needs the models to exist, distinct variant names and an instance count', async () => {
      const h = await smHarness(await open());
      await expectError(h.call('CreateEndpointConfig', { EndpointConfigName: 'c', ProductionVariants: [variant] }), 'ValidationException',
        `Could not find model "arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/m".`);
      await withModel(h);
      await expectError(h.call('CreateEndpointConfig', { EndpointConfigName: 'c', ProductionVariants: [variant, { ...variant, VariantName: 'alltraffic' }] }),
        'ValidationException', /more than once/);
      await expectError(h.call('CreateEndpointConfig', { EndpointConfigName: 'c', ProductionVariants: [{ VariantName: 'v', ModelName: 'm' }] }),
        'ValidationException', /InitialInstanceCount/);
      await expectError(h.call('CreateEndpointConfig', { EndpointConfigName: 'c', ProductionVariants: [variant], AsyncInferenceConfig: { OutputConfig: { S3OutputPath: 's3://b/o' } } }),
        'NotImplemented');
    });

    it('validates DataCaptureConfig with clear messages', async () => {
      const h = await smHarness(await open());
      await withModel(h);
      const create = (c: object) => h.call('CreateEndpointConfig', { EndpointConfigName: 'c', ProductionVariants: [variant], DataCaptureConfig: { ...capture, ...c } });
      await expectError(create({ InitialSamplingPercentage: 101 }), 'ValidationException', /initialSamplingPercentage|InitialSamplingPercentage/);
      await expectError(create({ DestinationS3Uri: 'https://example.com/x' }), 'ValidationException', /s3:\/\/bucket\/prefix/);
      await expectError(create({ CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Input' }] }), 'ValidationException', /more than once/);
      await expectError(create({ CaptureContentTypeHeader: { CsvContentTypes: ['not a type'] } }), 'ValidationException', /csvContentTypes/);
      await create({ CaptureOptions: [{ CaptureMode: 'InputAndOutput' }], CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'] } });
    });
  });
});
