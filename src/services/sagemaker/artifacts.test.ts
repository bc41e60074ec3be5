import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../auth/types.js';
import { MAX_ARTIFACT_BYTES } from '../../inference/runtimes/archive.js';
import { artifactFetcher, readBody } from './artifacts.js';
import type { Sm } from './context.js';

const role = { arn: 'arn:aws:sts::123456789012:assumed-role/model/s', accountId: '123456789012' } as Principal;

/** A Body that yields `chunks` chunks of `size` bytes and records how many were pulled and whether it was destroyed. */
function meteredBody(chunks: number, size: number): Readable & { pulled: () => number } {
  let pulled = 0;
  const stream = Readable.from((function* gen() {
    for (let i = 0; i < chunks; i++) {
      pulled++;
      yield Buffer.alloc(size, 1);
    }
  })(), { objectMode: false });
  return Object.assign(stream, { pulled: () => pulled });
}

function smWith(getObject: (input: Record<string, unknown>) => Record<string, unknown>, allowFileModels = false): Sm {
  return {
    deps: { internal: { call: async (_p: Principal, _s: string, _op: string, input: Record<string, unknown>) => getObject(input) } },
    serving: { allowFileModels },
  } as unknown as Sm;
}

describe('model artifact downloads', () => {
  it('defaults to the 1 GiB limit', async () => {
    expect(MAX_ARTIFACT_BYTES).toBe(1024 ** 3);
    expect(await readBody(Buffer.from('abc'))).toEqual(Buffer.from('abc'));
  });

  it('stops reading a body once it crosses the limit, and destroys the stream', async () => {
    const body = meteredBody(1000, 1024);
    await expect(readBody(body, 10 * 1024)).rejects.toThrow(
      'the object is more than 10240 bytes, over the 10 KiB (10240 bytes) limit on model artifacts');
    expect(body.pulled()).toBeLessThan(20);
    expect(body.destroyed).toBe(true);
    // At the limit exactly, and buffered bodies.
    expect((await readBody(meteredBody(10, 1024), 10 * 1024)).length).toBe(10 * 1024);
    await expect(readBody(Buffer.alloc(11), 10)).rejects.toThrow(/11 bytes, over the 10 bytes limit/);
  });

  it('fails an s3:// artifact over the limit with a clear reason: up front by ContentLength, else while reading', async () => {
    const limit = 4096;
    const declared = meteredBody(100, 1024);
    const byLength = artifactFetcher(smWith(() => ({ Body: declared, ContentLength: 100 * 1024 })), async () => role, 'us-east-1', limit);
    await expect(byLength.fetch('s3://models/big.tar.gz')).rejects.toThrow(
      `Could not download model data from "s3://models/big.tar.gz" as ${role.arn}: the object is 102400 bytes, over the 4 KiB (4096 bytes) limit on model artifacts`);
    expect(declared.pulled()).toBe(0);
    expect(declared.destroyed).toBe(true);

    const undeclared = meteredBody(100, 1024);
    const byStream = artifactFetcher(smWith(() => ({ Body: undeclared })), async () => role, 'us-east-1', limit);
    await expect(byStream.fetch('s3://models/big.tar.gz')).rejects.toThrow(/over the 4 KiB \(4096 bytes\) limit on model artifacts/);
    expect(undeclared.pulled()).toBeLessThan(10);

    const ok = artifactFetcher(smWith((i) => ({ Body: meteredBody(4, 1024), ContentLength: 4096, Key: i.Key })), async () => role, 'us-east-1', limit);
    expect((await ok.fetch('s3://models/ok.bin')).length).toBe(4096);
  });

  it('does not read a file:// artifact over the limit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-artifacts-test-'));
    try {
      const path = join(dir, 'model.bin');
      await writeFile(path, Buffer.alloc(2048));
      const fetcher = artifactFetcher(smWith(() => ({}), true), async () => role, 'us-east-1', 1024);
      await expect(fetcher.fetch(pathToFileURL(path).href)).rejects.toThrow(/the object is 2048 bytes, over the 1 KiB \(1024 bytes\) limit/);
      expect((await artifactFetcher(smWith(() => ({}), true), async () => role, 'us-east-1', 2048).fetch(pathToFileURL(path).href)).length).toBe(2048);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
