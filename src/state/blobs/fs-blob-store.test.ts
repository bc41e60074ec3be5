import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsBlobStore } from './fs-blob-store.js';
import { parseBlobStoreUrl } from './index.js';
import { blobStoreContract, chunked, failingAfter, readAll } from './testing.js';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'vigil-blobs-'));
}

blobStoreContract('FsBlobStore', async () => {
  const dir = await tempDir();
  return { store: new FsBlobStore(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  }
  return out;
}

describe('FsBlobStore on disk', () => {
  it('writes files 0600 in directories 0700 and leaves no temp file behind', async () => {
    const dir = await tempDir();
    try {
      const s = new FsBlobStore(dir);
      await s.put('blob-1', chunked(Buffer.from('ciphertext')));
      await expect(s.put('blob-2', failingAfter(Buffer.alloc(100_000)))).rejects.toThrow();
      const files = await filesUnder(dir);
      expect(files.map((f) => path.basename(f))).toEqual(['blob-1']);
      expect((await stat(files[0])).mode & 0o777).toBe(0o600);
      for (let d = path.dirname(files[0]); d !== dir; d = path.dirname(d)) expect((await stat(d)).mode & 0o777).toBe(0o700);
      expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sweeps temp files a crash left behind, at the next start', async () => {
    const dir = await tempDir();
    try {
      const before = new FsBlobStore(dir);
      await before.put('survivor', chunked(Buffer.from('complete')));
      // What a process killed between open() and rename() leaves: a partial temp file, never a visible blob.
      await writeFile(path.join(dir, 'tmp', 'deadbeefdeadbeefdeadbeefdeadbeef'), Buffer.alloc(4096, 1), { mode: 0o600 });
      const after = new FsBlobStore(dir);
      expect(await after.sweepTemp()).toBe(1);
      expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
      const keys: string[] = [];
      for await (const k of after.list('')) keys.push(k);
      expect(keys).toEqual(['survivor']);
      expect((await readAll(await after.get('survivor'))).toString()).toBe('complete');
      expect(await after.sweepTemp()).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps serving a blob opened before it was deleted (one consistent read)', async () => {
    const dir = await tempDir();
    try {
      const s = new FsBlobStore(dir);
      const data = Buffer.alloc(2_000_000, 7);
      await s.put('x', chunked(data));
      const stream = await s.get('x');
      await s.delete('x');
      expect((await readAll(stream)).equals(data)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseBlobStoreUrl', () => {
  it('parses file:// and s3:// locations', () => {
    expect(parseBlobStoreUrl('file:///var/lib/vigil/blobs')).toEqual({ kind: 'fs', dir: '/var/lib/vigil/blobs' });
    expect(parseBlobStoreUrl('s3://my-bucket/vigil/blobs')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: 'vigil/blobs/' });
    expect(parseBlobStoreUrl('s3://my-bucket')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: '' });
    expect(parseBlobStoreUrl('s3://my-bucket/p/')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: 'p/' });
  });

  it('rejects anything else', () => {
    for (const bad of ['/plain/path', 'http://x/y', 's3://Bad_Bucket/x', 's3:///x', 'file:///x?y=1', 'gs://b/p']) {
      expect(() => parseBlobStoreUrl(bad), bad).toThrow(RangeError);
    }
  });
});
