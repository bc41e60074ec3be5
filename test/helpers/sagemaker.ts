import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DescribeEndpointCommand, SageMakerClient,
  type CreateEndpointConfigCommandInput, type DescribeEndpointCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { logisticRegressionOnnx } from '../../src/onnx/logistic.js';
import { s3Client } from './s3.js';
import type { Creds, TestVigil } from './vigil.js';

/** The test model: logistic regression over 4 features, p = sigmoid(w·x + b). */
export const WEIGHTS = [0.8, -1.2, 0.5, 2.0];
export const BIAS = -0.3;
export const FEATURES = WEIGHTS.length;

export function expectedScore(row: number[]): number {
  return 1 / (1 + Math.exp(-(row.reduce((s, x, k) => s + x * WEIGHTS[k], 0) + BIAS)));
}

/** model.onnx of the test model: MatMul + Add + Sigmoid, input X float [N, 4], output [N, 1]. */
export function logisticModel(): Buffer {
  return Buffer.from(logisticRegressionOnnx({ weights: WEIGHTS, bias: BIAS, name: 'test-logreg' }));
}

export interface Fixture {
  bucket: string;
  modelUrl: string;
  keyArn: string;
  roleArn: string;
}

const trustSageMaker = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/**
 * What a SageMaker deployment needs, made through the APIs as root: a bucket holding model.onnx (SSE-KMS under a
 * customer key), and an execution role SageMaker may assume that can read the model and write captures.
 */
export async function sagemakerFixture(v: TestVigil, prefix: string, opts: { roleCan?: 'everything' | 'nothing' } = {}): Promise<Fixture> {
  const bucket = `${prefix}-models`;
  const kms = new KMSClient(v.sdk(v.root));
  const key = await kms.send(new CreateKeyCommand({ Description: `${prefix} models and captures` }));
  const keyArn = key.KeyMetadata!.Arn!;
  const s3 = s3Client(v, v.root);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({
    Bucket: bucket, Key: 'fraud/model.onnx', Body: logisticModel(), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn,
  }));
  const roleArn = await executionRole(v, `${prefix}-exec`, opts.roleCan === 'nothing' ? undefined : {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::${bucket}/*` },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn },
    ],
  });
  return { bucket, modelUrl: `s3://${bucket}/fraud/model.onnx`, keyArn, roleArn };
}

/** A role whose trust policy lets SageMaker assume it, with an optional inline policy. */
export async function executionRole(v: TestVigil, name: string, policy?: object): Promise<string> {
  const iam = new IAMClient(v.sdk(v.root));
  const role = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustSageMaker }));
  if (policy) await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'exec', PolicyDocument: JSON.stringify(policy) }));
  return role.Role!.Arn!;
}

/** CreateModel + CreateEndpointConfig + CreateEndpoint with the SDK, then waits until it is no longer Creating. */
export async function deployEndpoint(v: TestVigil, creds: Creds, f: Fixture, name: string,
  config: Partial<CreateEndpointConfigCommandInput> = {}, modelUrl = f.modelUrl): Promise<DescribeEndpointCommandOutput> {
  const sm = new SageMakerClient(v.sdk(creds));
  await sm.send(new CreateModelCommand({
    ModelName: `${name}-model`, ExecutionRoleArn: f.roleArn, PrimaryContainer: { Image: 'vigil/onnx', ModelDataUrl: modelUrl },
  }));
  await sm.send(new CreateEndpointConfigCommand({
    EndpointConfigName: `${name}-config`,
    ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: `${name}-model`, InitialInstanceCount: 1, InstanceType: 'ml.m5.large' }],
    ...config,
  }));
  await sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: `${name}-config` }));
  return waitSettled(sm, name);
}

export async function waitSettled(sm: SageMakerClient, name: string, timeoutMs = 20_000): Promise<DescribeEndpointCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
    if (d.EndpointStatus !== 'Creating' && d.EndpointStatus !== 'Updating') return d;
    if (Date.now() > deadline) throw new Error(`endpoint ${name} still ${d.EndpointStatus}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function csvRows(rows: number[][]): string {
  return rows.map((r) => r.join(',')).join('\n') + '\n';
}
