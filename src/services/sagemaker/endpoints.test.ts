import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { ACCOUNT, REGION, ROLE, deployEcho, expectError, smHarness, type SmHarness } from './testing.js';

async function invokeLive(h: SmHarness, name: string, body: string): Promise<string> {
  const lease = h.registry.acquire(ACCOUNT, REGION, name);
  if (!lease) throw new Error(`${name} is not live`);
  try {
    const out = await lease.endpoint.variants[0].runtime.invoke({ body: Buffer.from(body), contentType: 'text/plain' });
    return out.body.toString('utf8');
  } finally {
    lease.release();
  }
}

describe('SageMaker endpoints', () => {
  withEachBackend((_name, open) => {
    it('goes Creating → InService and serves the model read from S3 as the execution role', async () => {
      const h = await smHarness(await open());
      h.s3.objects.set('models/echo.bin', 'weights-v1');
      const release = h.runtimes.hold();
      await deployEcho(h, 'Fraud', { modelData: 's3://models/echo.bin', capture: {
        InitialSamplingPercentage: 100, DestinationS3Uri: 's3://capture/fraud/', CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
        CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'] },
      } });
      expect((await h.call('DescribeEndpoint', { EndpointName: 'Fraud' })).EndpointStatus).toBe('Creating');
      release();
      const d = await h.waitFor('Fraud', ['InService', 'Failed']);
      expect(d).toMatchObject({
        EndpointName: 'Fraud', EndpointArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/fraud`, EndpointConfigName: 'Fraud-config', EndpointStatus: 'InService',
        DataCaptureConfig: { EnableCapture: true, CaptureStatus: 'Started', CurrentSamplingPercentage: 100, DestinationS3Uri: 's3://capture/fraud/' },
      });
      expect(d.ProductionVariants).toEqual([{
        VariantName: 'AllTraffic', CurrentWeight: 1, DesiredWeight: 1, CurrentInstanceCount: 1, DesiredInstanceCount: 1,
        DeployedImages: [{ SpecifiedImage: 'vigil/echo', ResolvedImage: 'vigil/echo', ResolutionTime: expect.any(Date) }],
      }]);
      expect(h.s3.calls).toEqual([{ principal: `${ROLE}/SageMaker`, bucket: 'models', key: 'echo.bin', viaService: 'sagemaker.amazonaws.com' }]);
      const live = h.registry.get(ACCOUNT, REGION, 'Fraud')!;
      expect(live).toMatchObject({ arn: d.EndpointArn, configName: 'Fraud-config' });
      expect(live.variants[0]).toMatchObject({ name: 'AllTraffic', modelName: 'Fraud-model', executionRoleArn: ROLE, weight: 1, instanceCount: 1 });
      expect(live.capture).toEqual({ enabled: true, samplingPercentage: 100, destinationS3Uri: 's3://capture/fraud', captureInput: true, captureOutput: true,
        csvContentTypes: ['text/csv'], jsonContentTypes: [] });
      expect(await invokeLive(h, 'Fraud', 'x')).toBe('Fraud/AllTraffic|weights-v1|x');
      await expectError(h.call('CreateEndpoint', { EndpointName: 'fraud', EndpointConfigName: 'Fraud-config' }), 'ValidationException',
        `Cannot create already existing endpoint "arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/fraud".`);
      await h.sm.close();
    });

    it('fails with a FailureReason naming the variant when the loader throws, and serves nothing', async () => {
      const h = await smHarness(await open());
      h.runtimes.failing.set('broken', 'model.onnx is not a valid ONNX model');
      await deployEcho(h, 'bad', { image: 'broken' });
      const d = await h.waitFor('bad', ['InService', 'Failed']);
      expect(d.EndpointStatus).toBe('Failed');
      expect(d.FailureReason).toBe('Production variant "AllTraffic": failed to load model "bad-model": model.onnx is not a valid ONNX model');
      expect(d.ProductionVariants).toBeUndefined();
      expect(h.registry.get(ACCOUNT, REGION, 'bad')).toBeUndefined();
      await expectError(h.call('UpdateEndpoint', { EndpointName: 'bad', EndpointConfigName: 'bad-config' }), 'ValidationException', /Cannot update failed endpoint/);
    });

    it('fails when S3 refuses the role (AccessDenied in the reason), when the role cannot be assumed, and for file:// models', async () => {
      const h = await smHarness(await open());
      h.s3.denied.add('models/secret.bin');
      await deployEcho(h, 'denied', { modelData: 's3://models/secret.bin' });
      const denied = await h.waitFor('denied', ['InService', 'Failed']);
      expect(denied.EndpointStatus).toBe('Failed');
      expect(denied.FailureReason).toMatch(/Production variant "AllTraffic".*Could not download model data from "s3:\/\/models\/secret.bin".*not authorized to perform: s3:GetObject/);

      h.roles.refused.add(ROLE);
      await deployEcho(h, 'norole');
      const norole = await h.waitFor('norole', ['InService', 'Failed']);
      expect(norole.FailureReason).toMatch(new RegExp(`could not assume the execution role "${ROLE}" of model "norole-model"`));
      h.roles.refused.clear();

      await deployEcho(h, 'local', { modelData: 'file:///tmp/model.bin' });
      const local = await h.waitFor('local', ['InService', 'Failed']);
      expect(local.FailureReason).toMatch(/file:\/\/ models/);
    });

    it('fails when a model of the config was deleted before the endpoint was created', async () => {
      const h = await smHarness(await open());
      await h.call('CreateModel', { ModelName: 'gone', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'vigil/echo' } });
      await h.call('CreateEndpointConfig', { EndpointConfigName: 'c', ProductionVariants: [{ VariantName: 'v1', ModelName: 'gone', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' }] });
      await h.call('DeleteModel', { ModelName: 'gone' });
      await h.call('CreateEndpoint', { EndpointName: 'e', EndpointConfigName: 'c' });
      const d = await h.waitFor('e', ['InService', 'Failed']);
      expect(d.FailureReason).toBe(`Could not find model "arn:aws:sagemaker:${REGION}:${ACCOUNT}:model/gone" for production variant "v1".`);
      await expectError(h.call('CreateEndpoint', { EndpointName: 'e2', EndpointConfigName: 'nope' }), 'ValidationException',
        `Could not find endpoint configuration "arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint-config/nope".`);
    });

    it('keeps serving after its config and model are deleted; DeleteEndpoint stops serving and closes the runtime', async () => {
      const h = await smHarness(await open());
      await deployEcho(h, 'keep');
      await h.waitFor('keep', ['InService']);
      await h.call('DeleteEndpointConfig', { EndpointConfigName: 'keep-config' });
      await h.call('DeleteModel', { ModelName: 'keep-model' });
      expect(await invokeLive(h, 'keep', 'y')).toBe('keep/AllTraffic|vigil/echo|y');
      expect((await h.call('DescribeEndpoint', { EndpointName: 'keep' })).EndpointStatus).toBe('InService');
      await h.call('DeleteEndpoint', { EndpointName: 'KEEP' });
      expect(h.registry.get(ACCOUNT, REGION, 'keep')).toBeUndefined();
      await h.sm.close();
      expect(h.runtimes.closes).toBe(1);
      await expectError(h.call('DescribeEndpoint', { EndpointName: 'keep' }), 'ValidationException',
        `Could not find endpoint "arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/keep".`);
      await expectError(h.call('DeleteEndpoint', { EndpointName: 'keep' }), 'ValidationException', /Could not find endpoint/);
    });

    it('deleting an endpoint while it is Creating leaves nothing serving', async () => {
      const h = await smHarness(await open());
      const release = h.runtimes.hold();
      await deployEcho(h, 'quick');
      await h.call('DeleteEndpoint', { EndpointName: 'quick' });
      release();
      await h.sm.close();
      expect(h.registry.get(ACCOUNT, REGION, 'quick')).toBeUndefined();
      expect(h.runtimes.closes).toBe(h.runtimes.loads);
    });
  });
});
