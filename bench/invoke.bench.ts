/**
 * InvokeEndpoint benchmark (issue 5): SigV4 + IAM + 100 % data capture + metrics + audit through Vigil, against
 * a bare node:http server running the same ONNX model (bench/bare-onnx-server.mjs), same load generator
 * (autocannon, 50 keep-alive connections), same run, plaintext for both; HTTPS reported separately. Then the p99
 * of OverheadLatency (Vigil's own time around the model) at half of the bare server's maximum rate, read from the
 * per-minute metrics Vigil stored.
 *
 *   npm run bench:invoke     (BENCH_SECONDS=10 BENCH_CONNECTIONS=50 by default; BENCH_CPU_PROF=DIR to profile Vigil)
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetRoleCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DescribeEndpointCommand, SageMakerClient, waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { build } from '../examples/fraud-detection/build.js';
import { encodeOnnxModel } from '../src/onnx/model-builder.js';
import { openState } from '../src/state/index.js';
import { SqlMetricStore } from '../src/metrics/index.js';
import { budget, budgetLine, dataDirClient, freePort, load, row, signedHeaders, spawnPinned, stop, type Creds } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ENDPOINT = 'fraud-bench';

interface Deployed { invoker: Creds; accountId: string }

/** Model in S3 under a KMS key, an execution role, an endpoint capturing 100 % of traffic, and an invoker user. */
async function deploy(httpsUrl: string, root: Creds, ca: string, modelPath: string): Promise<Deployed> {
  const cfg = { region: 'us-east-1', endpoint: httpsUrl, credentials: root, requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca }) }) };
  const key = (await new KMSClient(cfg).send(new CreateKeyCommand({ Description: 'bench captures' }))).KeyMetadata!.Arn!;
  const s3 = new S3Client({ ...cfg, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'model/model.onnx', Body: await readFile(modelPath), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key }));
  const iam = new IAMClient(cfg);
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  const role = (await iam.send(new CreateRoleCommand({ RoleName: 'bench-exec', AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role!;
  await iam.send(new PutRolePolicyCommand({ RoleName: 'bench-exec', PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::bench/*' },
    { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: key },
  ] }) }));
  const sm = new SageMakerClient(cfg);
  await sm.send(new CreateModelCommand({ ModelName: 'bench', ExecutionRoleArn: role.Arn!, PrimaryContainer: { Image: 'vigil/onnx', ModelDataUrl: 's3://bench/model/model.onnx' } }));
  await sm.send(new CreateEndpointConfigCommand({
    EndpointConfigName: 'bench',
    ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'bench', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' }],
    DataCaptureConfig: {
      InitialSamplingPercentage: 100, DestinationS3Uri: 's3://bench/capture', KmsKeyId: key,
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }], CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'] },
    },
  }));
  await sm.send(new CreateEndpointCommand({ EndpointName: ENDPOINT, EndpointConfigName: 'bench' }));
  await waitUntilEndpointInService({ client: sm, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { EndpointName: ENDPOINT });
  await iam.send(new CreateUserCommand({ UserName: 'invoker' }));
  const accountId = role.Arn!.split(':')[4];
  await iam.send(new PutUserPolicyCommand({ UserName: 'invoker', PolicyName: 'invoke', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [
    { Effect: 'Allow', Action: 'sagemaker:InvokeEndpoint', Resource: `arn:aws:sagemaker:us-east-1:${accountId}:endpoint/${ENDPOINT}`,
      Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } },
  ] }) }));
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'invoker' }))).AccessKey!;
  return { invoker: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! }, accountId };
}

/** A 15 → 1024 → 1024 → 1 MLP (about 4.3 MB of float weights): "an ONNX model of a few MB". */
function mlpModel(): Uint8Array {
  const weights = (n: number) => Array.from({ length: n }, (_, i) => Math.sin(i) / 32);
  return encodeOnnxModel({
    name: 'mlp', inputs: [{ name: 'X', elemType: 'float', shape: ['N', 15] }], outputs: [{ name: 'p', elemType: 'float', shape: ['N', 1] }],
    initializers: [
      { name: 'W1', elemType: 'float', dims: [15, 1024], values: weights(15 * 1024) }, { name: 'B1', elemType: 'float', dims: [1024], values: weights(1024) },
      { name: 'W2', elemType: 'float', dims: [1024, 1024], values: weights(1024 * 1024) }, { name: 'B2', elemType: 'float', dims: [1024], values: weights(1024) },
      { name: 'W3', elemType: 'float', dims: [1024, 1], values: weights(1024) }, { name: 'B3', elemType: 'float', dims: [1], values: [0] },
    ],
    nodes: [
      { opType: 'Gemm', inputs: ['X', 'W1', 'B1'], outputs: ['h1'] }, { opType: 'Relu', inputs: ['h1'], outputs: ['a1'] },
      { opType: 'Gemm', inputs: ['a1', 'W2', 'B2'], outputs: ['h2'] }, { opType: 'Relu', inputs: ['h2'], outputs: ['a2'] },
      { opType: 'Gemm', inputs: ['a2', 'W3', 'B3'], outputs: ['z'] }, { opType: 'Sigmoid', inputs: ['z'], outputs: ['p'] },
    ],
  });
}

/** CreateEndpoint → InService for the few-MB model (read from S3 as the role, decrypted, loaded), polled every 5 ms. */
async function deployTime(httpsUrl: string, root: Creds, ca: string): Promise<{ ms: number; bytes: number }> {
  const cfg = { region: 'us-east-1', endpoint: httpsUrl, credentials: root, requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca, keepAlive: true }) }) };
  const model = mlpModel();
  await new S3Client({ ...cfg, forcePathStyle: true }).send(new PutObjectCommand({ Bucket: 'bench', Key: 'mlp/model.onnx', Body: model }));
  const sm = new SageMakerClient(cfg);
  const roleArn = (await new IAMClient(cfg).send(new GetRoleCommand({ RoleName: 'bench-exec' }))).Role!.Arn!;
  await sm.send(new CreateModelCommand({ ModelName: 'mlp', ExecutionRoleArn: roleArn, PrimaryContainer: { Image: 'vigil/onnx', ModelDataUrl: 's3://bench/mlp/model.onnx' } }));
  await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'mlp', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'mlp', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' }] }));
  const t0 = performance.now();
  await sm.send(new CreateEndpointCommand({ EndpointName: 'mlp', EndpointConfigName: 'mlp' }));
  for (;;) {
    const status = (await sm.send(new DescribeEndpointCommand({ EndpointName: 'mlp' }))).EndpointStatus;
    if (status === 'InService') return { ms: performance.now() - t0, bytes: model.length };
    if (status !== 'Creating') throw new Error(`mlp endpoint ${status}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** p99 of OverheadLatency since `since`, merged from the per-minute sketches Vigil stored. */
async function overheadP99(dir: string, accountId: string, since: Date): Promise<{ p99: number; count: number }> {
  const state = await openState({ sqlitePath: path.join(dir, 'state.db') });
  try {
    const store = new SqlMetricStore(state.db, 'bench-reader');
    const points = await store.query({
      accountId, region: 'us-east-1', namespace: 'AWS/SageMaker', metricName: 'OverheadLatency',
      dimensions: { EndpointName: ENDPOINT, VariantName: 'AllTraffic' },
      start: since, end: new Date(Date.now() + 3_600_000), periodSeconds: 86_400 * 7,
    });
    const p = points[0];
    return { p99: p?.percentile(99) ?? NaN, count: p?.count ?? 0 };
  } finally {
    await state.close();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-invoke-'));
  const modelDir = path.join(dir, 'model');
  await build(modelDir, 5000, 42);
  const rowCsv = (await readFile(path.join(modelDir, 'row.csv'), 'utf8'));
  const plainPort = await freePort();
  const dataDir = path.join(dir, 'vigil');
  // BENCH_CPU_PROF=DIR writes a V8 CPU profile of each Vigil process (open it in Chrome DevTools).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const serve = () => spawnPinned([...prof, path.resolve('bin/vigil.js'), 'serve', '--data-dir', dataDir, '--port', '0', '--log-level', 'warn',
    '--listen', `bench=127.0.0.1:${plainPort},plaintext`], /listening on/);
  let vigil: ChildProcess | undefined;
  let bare: ChildProcess | undefined;
  try {
    vigil = await serve();
    const { root, ca, httpsUrl } = await dataDirClient(dataDir);
    const { invoker, accountId } = await deploy(httpsUrl, root, ca, path.join(modelDir, 'model.onnx'));
    const plainHost = `127.0.0.1:${plainPort}`;
    const request = { service: 'sagemaker', path: `/endpoints/${ENDPOINT}/invocations`, headers: { 'content-type': 'text/csv' }, body: rowCsv };
    const plainHeaders = await signedHeaders({ ...request, host: plainHost }, invoker);
    const plainUrl = `http://${plainHost}${request.path}`;
    const sample = await fetch(plainUrl, { method: 'POST', headers: plainHeaders, body: rowCsv });
    if (sample.status !== 200) throw new Error(`benchmark call failed: ${sample.status} ${await sample.text()}`);

    const barePort = await freePort();
    const startBare = (env?: NodeJS.ProcessEnv) =>
      spawnPinned([path.resolve('bench/bare-onnx-server.mjs'), String(barePort), path.join(modelDir, 'model.onnx')], /ready/, env);
    bare = await startBare();
    const run = { connections: CONNECTIONS, seconds: SECONDS };
    const baseline = await load(`http://127.0.0.1:${barePort}${request.path}`, plainHeaders, rowCsv, run);
    await stop(bare);
    bare = undefined;

    // The paced run first, on a process that has seen no other load, so the stored metrics hold only its latencies.
    const halfRate = Math.max(1, Math.floor(baseline.rps / 2));
    const paced = await load(plainUrl, plainHeaders, rowCsv, { ...run, rate: halfRate });
    await stop(vigil); // flushes metrics, captures and audit
    const overhead = await overheadP99(dataDir, accountId, new Date(0));
    vigil = await serve(); // the endpoint comes back InService from the stored state
    const plain = await load(plainUrl, plainHeaders, rowCsv, run);
    const restarted = await dataDirClient(dataDir);
    const httpsHost = new URL(restarted.httpsUrl).host;
    const tls = await load(`https://${httpsHost}${request.path}`, await signedHeaders({ ...request, host: httpsHost }, invoker), rowCsv, run);

    const bareUrl = `http://127.0.0.1:${barePort}${request.path}`;
    const calibration = await budget(startBare, (url) => load(url, plainHeaders, rowCsv, run), bareUrl, baseline.rps, 0.75);
    const deployed = await deployTime(restarted.httpsUrl, root, restarted.ca);
    console.log(`\nCreateEndpoint → InService, ${(deployed.bytes / 1e6).toFixed(1)} MB ONNX MLP read from S3 as the execution role: ${deployed.ms.toFixed(0)} ms  (target <= 1000 ms)`);
    console.log(`\nInvokeEndpoint, fraud model (${rowCsv.split(',').length} features, 1 row), ${CONNECTIONS} connections, ${SECONDS} s:`);
    console.log(row('bare node:http + ONNX', baseline));
    console.log(row('vigil (plaintext)', plain));
    console.log(row('vigil (HTTPS)', tls));
    console.log(`  ratio vigil / bare (plaintext) = ${(plain.rps / baseline.rps).toFixed(3)}  (target >= 0.75)`);
    console.log(`  ratio vigil HTTPS / bare        = ${(tls.rps / baseline.rps).toFixed(3)}`);
    console.log(`  vigil's time per request above bare's: ${(1e6 / plain.rps - 1e6 / baseline.rps).toFixed(1)} µs on the server's core (plaintext)`);
    console.log(budgetLine(calibration, 0.75, baseline.rps));
    console.log(`\nAt half of bare's maximum (${halfRate} req/s offered): vigil served ${paced.rps.toFixed(0)} req/s, client p99 ${paced.p99} ms`);
    console.log(`  OverheadLatency p99 = ${(overhead.p99 / 1000).toFixed(3)} ms over ${overhead.count} invocations  (target <= 1 ms)`);
  } finally {
    await stop(bare);
    await stop(vigil);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
