/**
 * Gateway benchmark (issue 2): an authorized call (SigV4 + IAM evaluation + audit) through Vigil against a
 * bare node:http handler returning the same bytes, both driven by the same load generator in the same run.
 * Also the p99 of authenticate + authorize, timed stage by stage in-process.
 *
 *   npm run bench            (BENCH_SECONDS=10 BENCH_CONNECTIONS=32 by default; BENCH_CPU_PROF=DIR to profile Vigil,
 *                             then node bench/prof-summary.mjs DIR/*.cpuprofile)
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startVigil } from '../src/server/app.js';
import { STAGES } from '../src/gateway/pipeline.js';
import { buildAuditEvent } from '../src/gateway/audit-event.js';
import type { RequestContext } from '../src/gateway/context.js';
import { budget, budgetLine, dataDirClient, freePort, load as loadRun, row, signedHeaders, spawnPinned, type Creds } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [
  { Effect: 'Allow', Action: ['iam:GetUser', 'kms:GenerateRandom', 'kms:Encrypt', 'kms:Decrypt'], Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } },
] });

/** The benchmarked calls: an awsJson call with no store access (the gateway's own cost), and an awsQuery call that reads the store. */
interface Call { name: string; service: string; headers: Record<string, string>; body: string }
const CALLS: Call[] = [
  { name: 'kms:GenerateRandom (awsJson 1.1)', service: 'kms', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.GenerateRandom' }, body: '{"NumberOfBytes":32}' },
  { name: 'iam:GetUser (awsQuery, reads the user)', service: 'iam', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: 'Action=GetUser&Version=2010-05-08' },
];

/** KMS Encrypt and Decrypt of 64 bytes under a customer key (key policy + IAM + crypto), for API calls per second. */
async function kmsCalls(url: string, root: Creds, ca: string): Promise<Call[]> {
  const kms = new KMSClient({ region: 'us-east-1', endpoint: url, credentials: root, requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca }) }) });
  const key = await kms.send(new CreateKeyCommand({ Description: 'bench' }));
  const plaintext = Buffer.alloc(64, 7);
  const ct = await kms.send(new EncryptCommand({ KeyId: key.KeyMetadata!.Arn!, Plaintext: plaintext, EncryptionContext: { purpose: 'bench' } }));
  const json = { 'content-type': 'application/x-amz-json-1.1' };
  return [
    { name: 'kms:Encrypt 64 B', service: 'kms', headers: { ...json, 'x-amz-target': 'TrentService.Encrypt' },
      body: JSON.stringify({ KeyId: key.KeyMetadata!.Arn, Plaintext: plaintext.toString('base64'), EncryptionContext: { purpose: 'bench' } }) },
    { name: 'kms:Decrypt 64 B', service: 'kms', headers: { ...json, 'x-amz-target': 'TrentService.Decrypt' },
      body: JSON.stringify({ CiphertextBlob: Buffer.from(ct.CiphertextBlob!).toString('base64'), EncryptionContext: { purpose: 'bench' } }) },
  ];
}

async function benchUser(url: string, root: Creds, ca: string): Promise<Creds> {
  const iam = new IAMClient({ region: 'us-east-1', endpoint: url, credentials: root, requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca }) }) });
  await iam.send(new CreateUserCommand({ UserName: 'bench' }));
  await iam.send(new PutUserPolicyCommand({ UserName: 'bench', PolicyName: 'get-user', PolicyDocument: POLICY }));
  const k = await iam.send(new CreateAccessKeyCommand({ UserName: 'bench' }));
  return { accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! };
}

async function signed(call: Call, host: string, creds: Creds): Promise<Record<string, string>> {
  return signedHeaders({ service: call.service, host, headers: call.headers, body: call.body }, creds);
}

async function throughput(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-'));
  const plainPort = await freePort();
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const vigil = await spawnPinned([...prof, path.resolve('bin/vigil.js'), 'serve', '--data-dir', dir, '--port', '0', '--log-level', 'warn',
    '--listen', `bench=127.0.0.1:${plainPort},plaintext`], /listening on/);
  let bare: ChildProcess | undefined;
  try {
    const { root, ca, httpsUrl } = await dataDirClient(dir);
    const user = await benchUser(httpsUrl, root, ca);
    const host = `127.0.0.1:${plainPort}`;
    for (const call of [...CALLS, ...await kmsCalls(httpsUrl, root, ca)]) {
      const headers = await signed(call, host, user);
      const sample = await fetch(`http://${host}/`, { method: 'POST', headers, body: call.body });
      const sampleBody = Buffer.from(await sample.arrayBuffer());
      if (sample.status !== 200) throw new Error(`benchmark call failed: ${sample.status} ${sampleBody.toString()}`);
      const barePort = await freePort();
      const startBare = (env?: NodeJS.ProcessEnv) => spawnPinned([path.resolve('bench/bare-server.mjs'), String(barePort), JSON.stringify({
        status: 200, headers: { 'content-type': sample.headers.get('content-type') ?? 'text/xml' }, body: sampleBody.toString('base64'),
      })], /ready/, env);
      bare = await startBare();
      const run = (url: string) => loadRun(url, headers, call.body, { connections: CONNECTIONS, seconds: SECONDS });
      const baseline = await run(`http://127.0.0.1:${barePort}/`);
      const gateway = await run(`http://${host}/`);
      bare.kill('SIGTERM');
      bare = undefined;
      console.log(`\n${call.name}: throughput, ${CONNECTIONS} connections, ${SECONDS} s (SigV4 + IAM policy with a condition + audit):`);
      console.log(row('bare node:http', baseline));
      console.log(row('vigil gateway', gateway));
      console.log(`  ratio vigil / bare = ${(gateway.rps / baseline.rps).toFixed(3)}  (target >= 0.6)`);
      console.log(`  vigil's time per request above bare's: ${(1e6 / gateway.rps - 1e6 / baseline.rps).toFixed(1)} µs on the server's core`);
      if (call === CALLS[0]) {
        console.log(budgetLine(await budget(startBare, run, `http://127.0.0.1:${barePort}/`, baseline.rps, 0.6), 0.6, baseline.rps));
      }
    }
  } finally {
    bare?.kill('SIGTERM');
    vigil.kill('SIGTERM');
    await new Promise((r) => vigil.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
}

/** Times the authenticate and authorize stages alone, on a real in-process Vigil with warm caches. */
async function stageLatency(iterations = 20_000): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-'));
  const server = await startVigil({ dataDir: dir, host: '127.0.0.1', port: 0, listeners: [], tlsSans: [], clockSkewSeconds: 300,
    authBurst: 20, logLevel: 'warn', env: {}, announce: () => undefined });
  try {
    const { root, ca } = await dataDirClient(dir);
    const user = await benchUser(server.url, root, ca);
    const host = new URL(server.url).host;
    const call = CALLS[0];
    const headers = await signed(call, host, user);
    const stage = (name: string) => STAGES.find(([n]) => n === name)![1];
    const [route, authenticate, decode, validate, authorize] = ['route', 'authenticate', 'decode', 'validate', 'authorize'].map(stage);
    const samples: number[] = [];
    let lastCtx: RequestContext | undefined;
    for (let i = 0; i < iterations; i++) {
      const ctx: RequestContext = lastCtx = {
        requestId: String(i), receivedAt: new Date(), listener: { name: 'bench', secure: true }, sourceIp: '127.0.0.1',
        userAgent: 'bench', region: 'us-east-1',
        request: { method: 'POST', path: '/', rawQuery: '', headers: { ...headers }, body: Buffer.from(call.body) },
      };
      await route(ctx, server.pipeline);
      const t0 = process.hrtime.bigint();
      await authenticate(ctx, server.pipeline);
      const t1 = process.hrtime.bigint();
      await decode(ctx, server.pipeline);
      await validate(ctx, server.pipeline);
      const t2 = process.hrtime.bigint();
      await authorize(ctx, server.pipeline);
      const t3 = process.hrtime.bigint();
      samples.push(Number(t1 - t0 + (t3 - t2)) / 1000);
    }
    const warm = samples.slice(Math.floor(iterations / 10)).sort((a, b) => a - b);
    const q = (p: number) => warm[Math.min(warm.length - 1, Math.floor(p * warm.length))].toFixed(1);
    console.log(`\n${call.name}: authenticate + authorize, in-process, ${warm.length} warm samples: p50 ${q(0.5)} µs  p90 ${q(0.9)} µs  p99 ${q(0.99)} µs  (target p99 <= 200 µs)`);
    // The audit record of the same call: built, buffered and group-committed to the state store, per call.
    const ctx = lastCtx!;
    ctx.output = { Plaintext: Buffer.alloc(32) };
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) server.pipeline.audit.enqueue(buildAuditEvent(ctx, new Date()));
    await server.pipeline.audit.flush();
    console.log(`${call.name}: its audit record (build + group-committed SQLite append), in-process: ${(Number(process.hrtime.bigint() - t0) / 1000 / iterations).toFixed(1)} µs per call`);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await stageLatency();
await throughput();
