/**
 * S3 benchmark (issue 4): PUT and GET of a large object through Vigil over HTTPS with SSE-KMS, against a plain
 * file copy of the same bytes on the same disk in the same run; peak RSS of the server; 4 KiB PUT/GET ops/s.
 *
 *   npm run build && npx tsx bench/s3.bench.ts        (BENCH_BYTES=1073741824 by default)
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const BYTES = Number(process.env.BENCH_BYTES ?? 1024 ** 3);
const SMALL_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const MiB = 1024 * 1024;

async function makeFile(file: string, size: number): Promise<void> {
  const block = Buffer.alloc(MiB);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
  const fh = await open(file, 'w');
  for (let off = 0; off < size; off += MiB) await fh.write(block, 0, Math.min(MiB, size - off));
  await fh.close();
}

function coalesce(size: number): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* (source) {
    let parts: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of source) {
      parts.push(chunk);
      bytes += chunk.length;
      if (bytes >= size) {
        yield Buffer.concat(parts, bytes);
        parts = [];
        bytes = 0;
      }
    }
    if (bytes > 0) yield Buffer.concat(parts, bytes);
  };
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function peakRssMiB(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((s) => Number(/VmHWM:\s+(\d+)/.exec(s)![1]) / 1024);
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-s3-bench-'));
const server = spawn(process.execPath, [path.resolve('bin/vigil.js'), 'serve', '--data-dir', path.join(dir, 'data'), '--port', '0', '--log-level', 'warn'],
  { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve, reject) => {
  server.stdout!.on('data', (d: Buffer) => { const m = /listening on (\S+)/.exec(d.toString()); if (m) resolve(m[1]); });
  server.on('exit', (code) => reject(new Error(`server exited ${code}`)));
});
try {
  const creds = await readFile(path.join(dir, 'data', 'credentials'), 'utf8');
  const credentials = { accessKeyId: /aws_access_key_id = (\S+)/.exec(creds)![1], secretAccessKey: /aws_secret_access_key = (\S+)/.exec(creds)![1] };
  const ca = await readFile(path.join(dir, 'data', 'tls', 'ca.pem'), 'utf8');
  const requestHandler = new NodeHttpHandler({ httpsAgent: new https.Agent({ ca, keepAlive: true, maxSockets: 32 }) });
  const cfg = { region: 'us-east-1', endpoint: url, credentials, requestHandler, forcePathStyle: true };
  // The SDK's own CRC32 (pure JavaScript, ~150 MB/s) would be what this measures: leave checksums to Vigil's
  // SigV4 payload signing and its envelope's per-frame authentication, as `aws s3 cp` does by default on 2.9.
  const s3 = new S3Client({ ...cfg, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const key = await new KMSClient(cfg).send(new CreateKeyCommand({ Description: 's3 bench' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  const sse = { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: key.KeyMetadata!.Arn };

  const src = path.join(dir, 'big.bin');
  await makeFile(src, BYTES);
  const copy = await timed(() => pipeline(createReadStream(src), createWriteStream(path.join(dir, 'copy.bin'))));
  await rm(path.join(dir, 'copy.bin'));
  const put = await timed(async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'big', Body: createReadStream(src), ContentLength: BYTES, ...sse }));
  });
  const get = await timed(async () => {
    const out = await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: 'big' }));
    // Write in 1 MiB blocks, as `aws s3 cp` does, rather than one syscall per 16 KiB TLS record.
    await pipeline(out.Body as Readable, coalesce(MiB), createWriteStream(path.join(dir, 'back.bin')));
  });
  if ((await stat(path.join(dir, 'back.bin'))).size !== BYTES) throw new Error('GET returned the wrong size');
  await rm(path.join(dir, 'back.bin'));
  const mbps = (s: number) => (BYTES / MiB / s).toFixed(0);
  console.log(`\n${(BYTES / MiB).toFixed(0)} MiB object, HTTPS, SSE-KMS (customer key):`);
  console.log(`  plain file copy  ${copy.toFixed(2)} s  ${mbps(copy)} MiB/s`);
  console.log(`  PUT              ${put.toFixed(2)} s  ${mbps(put)} MiB/s   ratio vs copy ${(copy / put).toFixed(2)}  (target >= 0.5)`);
  console.log(`  GET              ${get.toFixed(2)} s  ${mbps(get)} MiB/s   ratio vs copy ${(copy / get).toFixed(2)}  (target >= 0.5)`);
  console.log(`  server peak RSS  ${(await peakRssMiB(server.pid!)).toFixed(0)} MiB  (target < 200 MiB)`);

  const small = Buffer.alloc(4096, 1);
  for (const op of ['PUT', 'GET'] as const) {
    let n = 0;
    const until = Date.now() + SMALL_SECONDS * 1000;
    await Promise.all(Array.from({ length: 16 }, async (_, w) => {
      for (let i = 0; Date.now() < until; i++) {
        const k = `small/${w}/${i % 50}`;
        if (op === 'PUT') await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: k, Body: small, ...sse }));
        else await (await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: `small/${w}/0` }))).Body!.transformToByteArray();
        n++;
      }
    }));
    console.log(`  4 KiB ${op}        ${(n / SMALL_SECONDS).toFixed(0)} ops/s (16 concurrent, SSE-KMS)`);
  }
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await rm(dir, { recursive: true, force: true });
}
