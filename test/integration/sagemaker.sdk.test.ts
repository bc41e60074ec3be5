import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DeleteEndpointCommand, DeleteEndpointConfigCommand, DeleteModelCommand, DescribeEndpointCommand,
  ListEndpointsCommand, SageMakerClient, UpdateEndpointCommand, waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, makeUser } from '../helpers/kms.js';
import { bodyBytes, s3Client } from '../helpers/s3.js';
import { csvRows, deployEndpoint, expectedScore, sagemakerFixture, waitSettled, type Fixture } from '../helpers/sagemaker.js';
import { startTestVigil, type Creds, type TestVigil } from '../helpers/vigil.js';

let v: TestVigil;
let f: Fixture;
const rows = [[1, 2, 3, 4], [0, 0, 0, 0], [-1, 0.5, 2, -0.25]];

beforeAll(async () => {
  v = await startTestVigil({
    allowModelServerUrls: true,
    listeners: [
      // Inside the VPC endpoint but without TLS: only aws:SecureTransport tells the two listeners apart.
      { name: 'plain', host: '127.0.0.1', port: 0, plaintext: true, vpce: 'vpce-0fraud1234' },
      { name: 'vpc', host: '127.0.0.1', port: 0, plaintext: false, vpce: 'vpce-0fraud1234' },
    ],
  });
  f = await sagemakerFixture(v, 'sdk');
});
afterAll(async () => { await v?.stop(); });

const sm = (creds: Creds = v.root) => new SageMakerClient(v.sdk(creds));
const runtime = (creds: Creds = v.root, listener?: string) => new SageMakerRuntimeClient(v.sdk(creds, listener));
const text = (b: Uint8Array | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');

function scoresOf(csv: string): number[] {
  return csv.trim().split('\n').map(Number);
}

describe('SageMaker endpoint lifecycle with the AWS SDK for JavaScript v3', () => {
  it('creates, waits with the SDK waiter, invokes (CSV and JSON), updates and deletes', async () => {
    const created = await deployEndpoint(v, v.root, f, 'fraud');
    expect(created.EndpointStatus).toBe('InService');
    await waitUntilEndpointInService({ client: sm(), maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { EndpointName: 'fraud' });
    const d = await sm().send(new DescribeEndpointCommand({ EndpointName: 'fraud' }));
    expect(d.EndpointArn).toBe(`arn:aws:sagemaker:us-east-1:${v.accountId}:endpoint/fraud`);
    expect(d.ProductionVariants?.[0]).toMatchObject({ VariantName: 'AllTraffic', CurrentWeight: 1, CurrentInstanceCount: 1 });

    const csv = await runtime().send(new InvokeEndpointCommand({ EndpointName: 'fraud', ContentType: 'text/csv', Body: Buffer.from(csvRows(rows)) }));
    expect(csv.InvokedProductionVariant).toBe('AllTraffic');
    scoresOf(text(csv.Body)).forEach((s, k) => expect(s).toBeCloseTo(expectedScore(rows[k]), 5));

    const json = await runtime().send(new InvokeEndpointCommand({
      EndpointName: 'fraud', ContentType: 'application/json', Accept: 'application/json', Body: Buffer.from(JSON.stringify({ instances: rows })),
    }));
    expect(json.ContentType).toMatch(/^application\/json/);
    const predictions = (JSON.parse(text(json.Body)) as { predictions: { score: number }[] }).predictions;
    predictions.forEach((p, k) => expect(p.score).toBeCloseTo(expectedScore(rows[k]), 5));

    // A second config with two variants; after UpdateEndpoint, TargetVariant reaches the new one.
    await sm().send(new CreateEndpointConfigCommand({
      EndpointConfigName: 'fraud-config-2',
      ProductionVariants: [
        { VariantName: 'Blue', ModelName: 'fraud-model', InitialInstanceCount: 1, InstanceType: 'ml.m5.large', InitialVariantWeight: 1 },
        { VariantName: 'Green', ModelName: 'fraud-model', InitialInstanceCount: 2, InstanceType: 'ml.m5.large', InitialVariantWeight: 1 },
      ],
    }));
    await sm().send(new UpdateEndpointCommand({ EndpointName: 'fraud', EndpointConfigName: 'fraud-config-2' }));
    const updated = await waitSettled(sm(), 'fraud');
    expect(updated.EndpointStatus).toBe('InService');
    expect(updated.EndpointConfigName).toBe('fraud-config-2');
    const green = await runtime().send(new InvokeEndpointCommand({
      EndpointName: 'fraud', ContentType: 'text/csv', TargetVariant: 'Green', Body: Buffer.from('1,2,3,4\n'),
    }));
    expect(green.InvokedProductionVariant).toBe('Green');

    const listed = await sm().send(new ListEndpointsCommand({ NameContains: 'frau' }));
    expect(listed.Endpoints?.map((e) => e.EndpointName)).toContain('fraud');

    await sm().send(new DeleteEndpointCommand({ EndpointName: 'fraud' }));
    const gone = await failure(runtime().send(new InvokeEndpointCommand({ EndpointName: 'fraud', ContentType: 'text/csv', Body: Buffer.from('1,2,3,4') })));
    expect(gone.name).toBe('ValidationError');
    expect(gone.message).toBe(`Endpoint fraud of account ${v.accountId} not found.`);
    await sm().send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'fraud-config' }));
    await sm().send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'fraud-config-2' }));
    await sm().send(new DeleteModelCommand({ ModelName: 'fraud-model' }));
  });

  it('answers bad payloads with ModelError or ValidationError and a clear message', async () => {
    await deployEndpoint(v, v.root, f, 'payloads');
    const invoke = (body: Buffer | string, contentType = 'text/csv') =>
      failure(runtime().send(new InvokeEndpointCommand({ EndpointName: 'payloads', ContentType: contentType, Body: Buffer.from(body) })));
    const wrongCount = await invoke('1,2,3\n');
    expect(wrongCount.name).toBe('ModelError');
    expect(wrongCount.message).toMatch(/3 .*4|4 .*3/);
    const nonNumeric = await invoke('1,abc,3,4\n');
    expect(nonNumeric.name).toBe('ModelError');
    expect(nonNumeric.message).toMatch(/abc/);
    const wrongType = await invoke('<x/>', 'application/xml');
    expect(wrongType.name).toBe('ModelError');
    expect(wrongType.message).toMatch(/application\/xml/);
    const badJson = await invoke('{"instances": [[1,2', 'application/json');
    expect(badJson.name).toBe('ModelError');
    const empty = await failure(runtime().send(new InvokeEndpointCommand({ EndpointName: 'payloads', ContentType: 'text/csv', Body: new Uint8Array() })));
    expect(['ValidationError', 'ModelError']).toContain(empty.name);
    const huge = await invoke(Buffer.alloc(6 * 1024 * 1024 + 1, 0x31));
    expect(huge.name).toBe('ValidationError');
    expect(huge.message).toMatch(/6291456/);
  });

  it('fails the deployment with a FailureReason when the model cannot be loaded or read', async () => {
    const s3 = s3Client(v, v.root);
    await s3.send(new (await import('@aws-sdk/client-s3')).PutObjectCommand({ Bucket: f.bucket, Key: 'broken/model.onnx', Body: Buffer.from('not an onnx model') }));
    const broken = await deployEndpoint(v, v.root, f, 'broken', {}, `s3://${f.bucket}/broken/model.onnx`);
    expect(broken.EndpointStatus).toBe('Failed');
    expect(broken.FailureReason).toMatch(/\S/);

    const noAccess = await sagemakerFixture(v, 'noaccess', { roleCan: 'nothing' });
    const denied = await deployEndpoint(v, v.root, noAccess, 'denied');
    expect(denied.EndpointStatus).toBe('Failed');
    expect(denied.FailureReason).toMatch(/s3:GetObject|not authorized|AccessDenied/);
  });
});

describe('the PCI invoker role: least privilege, TLS and the private network', () => {
  let invoker: Creds;

  beforeAll(async () => {
    await deployEndpoint(v, v.root, f, 'pci');
    const iam = new IAMClient(v.sdk(v.root));
    const user = await makeUser(v, 'pci-app');
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: user.arn }, Action: 'sts:AssumeRole' }] };
    const role = await iam.send(new CreateRoleCommand({ RoleName: 'pci-invoker', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'pci-invoker', PolicyName: 'invoke-only', PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'sagemaker:InvokeEndpoint', Resource: `arn:aws:sagemaker:us-east-1:${v.accountId}:endpoint/pci`,
          Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: f.keyArn },
        { Effect: 'Deny', Action: 'sagemaker:DeleteEndpoint', Resource: '*' },
        { Effect: 'Deny', Action: 'sagemaker:InvokeEndpoint', Resource: '*',
          Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-0fraud1234' } } },
      ],
    }) }));
    const out = await new STSClient(v.sdk(user.creds)).send(new AssumeRoleCommand({ RoleArn: role.Role!.Arn!, RoleSessionName: 'app' }));
    invoker = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
  });

  const invoke = (listener?: string) => runtime(invoker, listener).send(new InvokeEndpointCommand({
    EndpointName: 'pci', ContentType: 'text/csv', Body: Buffer.from('1,2,3,4\n'),
  }));

  it('invokes through the VPC endpoint listener over TLS', async () => {
    const out = await invoke('vpc');
    expect(scoresOf(text(out.Body))[0]).toBeCloseTo(expectedScore([1, 2, 3, 4]), 5);
  });

  it('is denied outside the VPC endpoint, naming the endpoint ARN', async () => {
    const err = await failure(invoke());
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toContain(`sagemaker:InvokeEndpoint on resource: arn:aws:sagemaker:us-east-1:${v.accountId}:endpoint/pci`);
    expect(err.message).toMatch(/explicit deny/);
  });

  it('is denied over plaintext by the aws:SecureTransport condition', async () => {
    const err = await failure(invoke('plain'));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toMatch(/because no identity-based policy allows the sagemaker:InvokeEndpoint action/);
  });

  it('cannot delete the endpoint (explicit deny) nor touch other endpoints', async () => {
    const del = await failure(sm(invoker).send(new DeleteEndpointCommand({ EndpointName: 'pci' })));
    expect(del.name).toBe('AccessDeniedException');
    expect(del.message).toMatch(/sagemaker:DeleteEndpoint .*explicit deny/);
    const describe = await failure(sm(invoker).send(new DescribeEndpointCommand({ EndpointName: 'pci' })));
    expect(describe.name).toBe('AccessDeniedException');
    expect((await sm().send(new DescribeEndpointCommand({ EndpointName: 'pci' }))).EndpointStatus).toBe('InService');
  });
});

describe('data capture', () => {
  it('writes SageMaker-format JSONL, encrypted under the configured key, decrypted by GetObject', async () => {
    await deployEndpoint(v, v.root, f, 'captured', {
      DataCaptureConfig: {
        EnableCapture: true, InitialSamplingPercentage: 100, DestinationS3Uri: `s3://${f.bucket}/capture`, KmsKeyId: f.keyArn,
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
        CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'], JsonContentTypes: ['application/json'] },
      },
    });
    const d = await sm().send(new DescribeEndpointCommand({ EndpointName: 'captured' }));
    expect(d.DataCaptureConfig).toMatchObject({ EnableCapture: true, CaptureStatus: 'Started', CurrentSamplingPercentage: 100 });
    for (let k = 0; k < 5; k++) {
      await runtime().send(new InvokeEndpointCommand({
        EndpointName: 'captured', ContentType: 'text/csv', InferenceId: `inf-${k}`, Body: Buffer.from(`${k},1,2,3\n`),
      }));
    }
    await v.server.capture.flush();
    const s3 = s3Client(v, v.root);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: f.bucket, Prefix: 'capture/captured/AllTraffic/' }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(/^capture\/captured\/AllTraffic\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/\d{2}-\d{2}-\d{3}-[0-9a-f-]{36}\.jsonl$/);
    const records = [];
    for (const key of keys) {
      const got = await s3.send(new GetObjectCommand({ Bucket: f.bucket, Key: key }));
      expect(got.ServerSideEncryption).toBe('aws:kms');
      expect(got.SSEKMSKeyId).toBe(f.keyArn);
      for (const line of (await bodyBytes(got.Body)).toString('utf8').trim().split('\n')) records.push(JSON.parse(line));
    }
    expect(records).toHaveLength(5);
    const first = records.find((r) => r.eventMetadata.inferenceId === 'inf-0');
    expect(first.captureData.endpointInput).toEqual({ observedContentType: 'text/csv', mode: 'INPUT', data: '0,1,2,3\n', encoding: 'CSV' });
    expect(first.captureData.endpointOutput.mode).toBe('OUTPUT');
    expect(Number(first.captureData.endpointOutput.data)).toBeCloseTo(expectedScore([0, 1, 2, 3]), 5);
    expect(first.eventVersion).toBe('0');
    expect(first.eventMetadata.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.eventMetadata.inferenceTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('captures the sampled share of traffic (within 3σ)', async () => {
    await deployEndpoint(v, v.root, f, 'sampled', {
      DataCaptureConfig: {
        InitialSamplingPercentage: 30, DestinationS3Uri: `s3://${f.bucket}/sampled`, CaptureOptions: [{ CaptureMode: 'Input' }],
      },
    });
    const n = 600;
    const client = runtime();
    for (let k = 0; k < n; k += 50) {
      await Promise.all(Array.from({ length: 50 }, () =>
        client.send(new InvokeEndpointCommand({ EndpointName: 'sampled', ContentType: 'text/csv', Body: Buffer.from('1,1,1,1\n') }))));
    }
    await v.server.capture.flush();
    const s3 = s3Client(v, v.root);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: f.bucket, Prefix: 'sampled/' }));
    let captured = 0;
    for (const o of listed.Contents ?? []) {
      const got = await s3.send(new GetObjectCommand({ Bucket: f.bucket, Key: o.Key! }));
      const lines = (await bodyBytes(got.Body)).toString('utf8').trim().split('\n');
      for (const line of lines) {
        const r = JSON.parse(line);
        // No default content-type lists: SageMaker base64-encodes, and Input-only leaves the output out.
        expect(r.captureData.endpointInput.encoding).toBe('BASE64');
        expect(Buffer.from(r.captureData.endpointInput.data, 'base64').toString()).toBe('1,1,1,1\n');
        expect(r.captureData.endpointOutput).toBeUndefined();
      }
      captured += lines.length;
    }
    const sigma = Math.sqrt(n * 0.3 * 0.7);
    expect(Math.abs(captured - n * 0.3)).toBeLessThan(3 * sigma);
  });
});

describe('the SageMaker container contract', () => {
  it('proxies to a model server over /ping and /invocations and maps its failures', async () => {
    // A small model server: doubles each number; "fail" answers 400, "crash" 500, anything else echoes a header.
    const seen: Record<string, string | undefined>[] = [];
    const server = http.createServer((req, res) => {
      if (req.url === '/ping') return void res.writeHead(200).end();
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        seen.push({ type: req.headers['content-type'], attrs: req.headers['x-amzn-sagemaker-custom-attributes'] as string | undefined });
        if (body.startsWith('fail')) return void res.writeHead(400, { 'content-type': 'text/plain' }).end('feature 3 is out of range');
        if (body.startsWith('crash')) return void res.writeHead(500, { 'content-type': 'text/plain' }).end('segfault in the model');
        res.writeHead(200, { 'content-type': 'text/csv', 'x-amzn-sagemaker-custom-attributes': 'scored-by=test' });
        res.end(body.trim().split(',').map((x) => Number(x) * 2).join(','));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await sm().send(new CreateModelCommand({ ModelName: 'container-model', ExecutionRoleArn: f.roleArn, PrimaryContainer: { Image: url } }));
      await sm().send(new CreateEndpointConfigCommand({
        EndpointConfigName: 'container-config',
        ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'container-model', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' }],
      }));
      await sm().send(new CreateEndpointCommand({ EndpointName: 'container', EndpointConfigName: 'container-config' }));
      expect((await waitSettled(sm(), 'container')).EndpointStatus).toBe('InService');
      const call = (body: string) => runtime().send(new InvokeEndpointCommand({
        EndpointName: 'container', ContentType: 'text/csv', CustomAttributes: 'trace=1', Body: Buffer.from(body),
      }));
      const ok = await call('1,2,3');
      expect(text(ok.Body)).toBe('2,4,6');
      expect(ok.CustomAttributes).toBe('scored-by=test');
      expect(seen.at(-1)).toEqual({ type: 'text/csv', attrs: 'trace=1' });
      const client = await failure(call('fail'));
      expect(client.name).toBe('ModelError');
      expect((client as unknown as { OriginalStatusCode?: number }).OriginalStatusCode).toBe(400);
      expect((client as unknown as { OriginalMessage?: string }).OriginalMessage).toBe('feature 3 is out of range');
      const crash = await failure(call('crash'));
      expect(crash.name).toBe('ModelError');
      expect((crash as unknown as { OriginalStatusCode?: number }).OriginalStatusCode).toBe(500);
      expect(crash.message).toMatch(/server error \(500\)/);
    } finally {
      await new Promise((r) => server.close(r));
      server.closeAllConnections();
    }
    // With the server gone, the endpoint answers ServiceUnavailable rather than hanging.
    const down = await failure(runtime().send(new InvokeEndpointCommand({ EndpointName: 'container', ContentType: 'text/csv', Body: Buffer.from('1') })));
    expect(['ServiceUnavailable', 'ModelError']).toContain(down.name);
  });
});
