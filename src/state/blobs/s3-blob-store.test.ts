/**
 * The BlobStore contract against S3BlobStore over a real S3 wire protocol: moto_server (moto's standalone S3), when
 * it is on PATH. The same contract always runs against Vigil's own S3 in test/integration/s3.internal.test.ts.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, describe, it } from 'vitest';
import { S3BlobStore } from './s3-blob-store.js';
import { blobStoreContract } from './testing.js';

const MOTO = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).stdout.trim();
const BUCKET = 'vigil-blob-contract';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

let moto: { proc: ChildProcess; endpoint: string } | undefined;
let starting: Promise<string> | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** One moto per test file; each contract test gets its own prefix in one bucket. */
function motoEndpoint(): Promise<string> {
  starting ??= (async () => {
    const port = await freePort();
    const proc = spawn(MOTO, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    const endpoint = `http://127.0.0.1:${port}`;
    moto = { proc, endpoint };
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${endpoint}/moto-api/`)).status < 500) break;
      } catch {
        if (i > 150) throw new Error('moto_server did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const client = new S3Client({ region: 'us-east-1', endpoint, credentials, forcePathStyle: true });
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    client.destroy();
    return endpoint;
  })();
  return starting;
}

afterAll(() => {
  moto?.proc.kill('SIGTERM');
});

if (MOTO) {
  blobStoreContract('S3BlobStore (moto_server)', async () => {
    const endpoint = await motoEndpoint();
    const store = new S3BlobStore({
      bucket: BUCKET, prefix: `t-${randomBytes(6).toString('hex')}`, endpoint, region: 'us-east-1', credentials, forcePathStyle: true,
    });
    return { store, cleanup: async () => store.destroy() };
  }, { largeSize: 20 * 1024 * 1024 + 12345 });
} else {
  describe('BlobStore contract: S3BlobStore', () => {
    it.skip('needs moto_server on PATH (the contract also runs against Vigil\'s own S3 in test/integration)', () => undefined);
  });
  console.warn('s3-blob-store.test.ts: moto_server not found, S3BlobStore contract skipped');
}
