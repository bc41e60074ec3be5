/**
 * Streaming in bounded memory: a 256 MiB object written and read through the vault and the local blob store
 * must not grow RSS by anything near its size (issue 4 §5: a 5 GB upload never sits in memory). Its own file,
 * so it runs in a fresh worker whose RSS is not inflated by other tests.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { Principal } from '../../auth/types.js';
import { MemoryDataKeyProvider } from '../../crypto/memory-data-key-provider.js';
import { FsBlobStore } from '../../state/blobs/fs-blob-store.js';
import { EnvelopeVault } from './vault.js';

const SIZE = 256 * 1024 * 1024;
const CHUNK = 1024 * 1024;
const principal: Principal = { type: 'Root', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012', userId: '123456789012', tags: {}, identityPolicies: [] };
const context = { 'aws:s3:arn': 'arn:aws:s3:::big/object' };

/** Fresh chunks of a cheap deterministic pattern (a source must not reuse a chunk's memory after yielding it). */
async function* pattern(hash: ReturnType<typeof createHash>): AsyncGenerator<Buffer> {
  for (let i = 0; i < SIZE / CHUNK; i++) {
    const b = Buffer.allocUnsafe(CHUNK);
    for (let o = 0; o < CHUNK; o += 4) b.writeUInt32LE(((i * CHUNK + o) ^ 0x9e3779b9) >>> 0, o);
    hash.update(b);
    yield b;
  }
}

it('writes and reads 256 MiB with RSS growth under 100 MiB', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-vault-big-'));
  try {
    const kms = new MemoryDataKeyProvider();
    const keyArn = kms.createKey();
    const vault = new EnvelopeVault({ store: new FsBlobStore(dir), providerFor: () => kms, resolveManagedKey: async () => keyArn });
    global.gc?.();
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 20);
    try {
      const t0 = performance.now();
      const written = createHash('sha256');
      const w = await vault.write(pattern(written), { principal, region: 'us-east-1', kmsKeyId: keyArn, context, expectedSize: SIZE });
      const t1 = performance.now();
      const read = createHash('sha256');
      let n = 0;
      for await (const c of await vault.read(w.blobId, { principal, region: 'us-east-1', context })) {
        read.update(c as Buffer);
        n += (c as Buffer).length;
      }
      const t2 = performance.now();
      peak = Math.max(peak, process.memoryUsage.rss());
      expect(n).toBe(SIZE);
      expect(read.digest('hex')).toBe(written.digest('hex'));
      const growth = (peak - baseline) / 2 ** 20;
      console.log(`vault 256 MiB: write ${((SIZE / 2 ** 20) / ((t1 - t0) / 1000)).toFixed(0)} MiB/s, ` +
        `read ${((SIZE / 2 ** 20) / ((t2 - t1) / 1000)).toFixed(0)} MiB/s, RSS growth ${growth.toFixed(1)} MiB`);
      expect(growth).toBeLessThan(100);
    } finally {
      clearInterval(sampler);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
