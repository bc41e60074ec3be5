import { describe, expect, it } from 'vitest';
import { withEachBackend } from '../../state/testing.js';
import { ACCOUNT, ROLE, expectError, smHarness } from './testing.js';

describe('SageMaker models', () => {
  withEachBackend((_name, open) => {
    it('creates, describes, lists and deletes a model (ARN lowercased, names unique case-insensitively)', async () => {
      const h = await smHarness(await open());
      const out = await h.call('CreateModel', {
        ModelName: 'Fraud-Model', ExecutionRoleArn: ROLE, EnableNetworkIsolation: true,
        PrimaryContainer: { Image: 'vigil/onnx', ModelDataUrl: 's3://models/fraud.onnx', Environment: { A: '1' } },
        VpcConfig: { Subnets: ['subnet-1'], SecurityGroupIds: ['sg-1'] },
      });
      expect(out.ModelArn).toBe(`arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/fraud-model`);
      const d = await h.call('DescribeModel', { ModelName: 'fraud-MODEL' });
      expect(d).toMatchObject({ ModelName: 'Fraud-Model', ExecutionRoleArn: ROLE, EnableNetworkIsolation: true, VpcConfig: { Subnets: ['subnet-1'] } });
      expect(d.PrimaryContainer.ModelDataUrl).toBe('s3://models/fraud.onnx');
      expect(d.CreationTime).toBeInstanceOf(Date);
      await expectError(h.call('CreateModel', { ModelName: 'FRAUD-model', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'x' } }),
        'ValidationException', `Cannot create already existing model "arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/fraud-model".`);
      expect((await h.call('ListModels', {})).Models.map((m: { ModelName: string }) => m.ModelName)).toEqual(['Fraud-Model']);
      await h.call('DeleteModel', { ModelName: 'Fraud-Model' });
      await expectError(h.call('DescribeModel', { ModelName: 'Fraud-Model' }), 'ValidationException',
        `Could not find model "arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/fraud-model".`);
      await expectError(h.call('DeleteModel', { ModelName: 'Fraud-Model' }), 'ValidationException', /Could not find model/);
    });

    it('validates containers and refuses what Vigil does not implement by name', async () => {
      const h = await smHarness(await open());
      await expectError(h.call('CreateModel', { ModelName: 'm', ExecutionRoleArn: ROLE }), 'ValidationException', /PrimaryContainer or Containers/);
      await expectError(h.call('CreateModel', { ModelName: 'm', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'a' }, Containers: [{ Image: 'b' }] }),
        'ValidationException', /not both/);
      await expectError(h.call('CreateModel', { ModelName: 'm', ExecutionRoleArn: ROLE, PrimaryContainer: { ModelPackageName: 'pkg' } }), 'NotImplemented');
      await expectError(h.call('CreateModel', { ModelName: 'm', ExecutionRoleArn: 'not-a-role', PrimaryContainer: { Image: 'a' } }),
        'ValidationException', /executionRoleArn|ExecutionRoleArn/);
      await expectError(h.call('CreateModel', { ModelName: 'm', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'a' }, Tags: [{ Key: 'aws:x', Value: '1' }] }),
        'ValidationException', /reserved/);
    });

    it('accepts inference pipelines (Containers) and file:// model data URLs', async () => {
      const h = await smHarness(await open());
      await h.call('CreateModel', {
        ModelName: 'pipe', ExecutionRoleArn: ROLE,
        Containers: [{ Image: 'pre' }, { Image: 'vigil/onnx', ModelDataUrl: 'file:///tmp/model.onnx' }],
      });
      const d = await h.call('DescribeModel', { ModelName: 'pipe' });
      expect(d.Containers).toHaveLength(2);
      expect(d.PrimaryContainer).toBeUndefined();
    });
  });
});
