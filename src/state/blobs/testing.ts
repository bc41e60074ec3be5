/**
 * The BlobStore contract, run against every implementation (imported by tests only: it uses vitest).
 *
 *   blobStoreContract('FsBlobStore', async () => ({ store: new FsBlobStore(dir), cleanup }));
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobNotFoundError, type BlobStore } from './types.js';

export interface ContractTarget {
  store: BlobStore;
  cleanup(): Promise<void>;
}

export interface ContractOptions {
  /** A size that takes the store's large-object path (S3: more than one multipart part). */
  largeSize?: number;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function* chunked(data: Buffer, size = 64 * 1024): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

/** Yields `data`, then fails: a client that disconnects, or an encryptor that detects a short body. */
export async function* failingAfter(data: Buffer, error = new Error('source failed')): AsyncGenerator<Buffer> {
  yield* chunked(data);
  throw error;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e);
}

export function blobStoreContract(name: string, open: () => Promise<ContractTarget>, opts: ContractOptions = {}): void {
  describe(`BlobStore contract: ${name}`, () => {
    let target: ContractTarget | undefined;
    afterEach(async () => {
      await target?.cleanup();
      target = undefined;
    });
    const store = async () => (target = await open()).store;

    it('stores, sizes, reads back and replaces', async () => {
      const s = await store();
      const a = randomBytes(300_000);
      expect(await s.put('k1', chunked(a))).toEqual({ size: a.length });
      expect(await s.size('k1')).toBe(a.length);
      expect((await readAll(await s.get('k1'))).equals(a)).toBe(true);
      const b = randomBytes(1000);
      await s.put('k1', chunked(b));
      expect((await readAll(await s.get('k1'))).equals(b)).toBe(true);
    });

    it('handles an empty blob', async () => {
      const s = await store();
      expect(await s.put('empty', chunked(Buffer.alloc(0)))).toEqual({ size: 0 });
      expect(await s.size('empty')).toBe(0);
      expect((await readAll(await s.get('empty'))).length).toBe(0);
    });

    it('reads inclusive byte ranges, clamps the end, rejects a start past the end', async () => {
      const s = await store();
      const a = randomBytes(100_000);
      await s.put('r', chunked(a));
      for (const [start, end] of [[0, 0], [0, 99_999], [1, 1], [65_535, 65_537], [99_999, 99_999], [12_345, 67_890]]) {
        expect((await readAll(await s.get('r', { start, end }))).equals(a.subarray(start, end + 1))).toBe(true);
      }
      expect((await readAll(await s.get('r', { start: 99_990, end: 1_000_000 }))).equals(a.subarray(99_990))).toBe(true);
      expect(await rejection(s.get('r', { start: 100_000, end: 100_010 }))).toBeInstanceOf(RangeError);
      expect(await rejection(s.get('r', { start: 5, end: 4 }))).toBeInstanceOf(RangeError);
    });

    it('reports missing blobs as BlobNotFoundError; delete is idempotent', async () => {
      const s = await store();
      expect(await rejection(s.get('nope'))).toBeInstanceOf(BlobNotFoundError);
      expect(await rejection(s.size('nope'))).toBeInstanceOf(BlobNotFoundError);
      await s.delete('nope');
      await s.put('d', chunked(Buffer.from('x')));
      await s.delete('d');
      expect(await rejection(s.get('d'))).toBeInstanceOf(BlobNotFoundError);
    });

    it('lists keys by prefix', async () => {
      const s = await store();
      for (const k of ['a-1', 'a-2', 'b-1']) await s.put(k, chunked(Buffer.from(k)));
      const listed: string[] = [];
      for await (const k of s.list('a-')) listed.push(k);
      expect(listed.sort()).toEqual(['a-1', 'a-2']);
      const all: string[] = [];
      for await (const k of s.list('')) all.push(k);
      expect(all.sort()).toEqual(['a-1', 'a-2', 'b-1']);
    });

    it('rejects unsafe keys', async () => {
      const s = await store();
      for (const k of ['', '../x', '.hidden', 'a/b', 'x'.repeat(201), 'sp ace']) {
        expect(await rejection(s.put(k, chunked(Buffer.from('x'))))).toBeInstanceOf(RangeError);
      }
    });

    it('makes nothing visible from a failed put, and keeps the blob it would have replaced', async () => {
      const s = await store();
      const big = randomBytes(opts.largeSize ?? 2_000_000);
      await expect(s.put('fail', failingAfter(big))).rejects.toThrow('source failed');
      expect(await rejection(s.get('fail'))).toBeInstanceOf(BlobNotFoundError);
      const old = randomBytes(5000);
      await s.put('keep', chunked(old));
      await expect(s.put('keep', failingAfter(big))).rejects.toThrow('source failed');
      expect((await readAll(await s.get('keep'))).equals(old)).toBe(true);
      const keys: string[] = [];
      for await (const k of s.list('')) keys.push(k);
      expect(keys).toEqual(['keep']);
    });

    it('shows nothing until a put completes', async () => {
      const s = await store();
      let release!: () => void;
      const gate = new Promise<void>((r) => { release = r; });
      async function* slow(): AsyncGenerator<Buffer> {
        yield randomBytes(10_000);
        await gate;
        yield randomBytes(10_000);
      }
      const put = s.put('slow', slow());
      await new Promise((r) => setTimeout(r, 50));
      expect(await rejection(s.get('slow'))).toBeInstanceOf(BlobNotFoundError);
      release();
      expect(await put).toEqual({ size: 20_000 });
      expect(await s.size('slow')).toBe(20_000);
    });

    it('runs concurrent puts independently; racing puts to one key leave exactly one of them', async () => {
      const s = await store();
      const blobs = Array.from({ length: 12 }, () => randomBytes(50_000 + Math.floor(Math.random() * 50_000)));
      await Promise.all(blobs.map((b, i) => s.put(`c-${i}`, chunked(b, 7000))));
      for (const [i, b] of blobs.entries()) expect((await readAll(await s.get(`c-${i}`))).equals(b)).toBe(true);
      const racers = Array.from({ length: 6 }, () => randomBytes(80_000));
      await Promise.all(racers.map((b) => s.put('race', chunked(b, 5000))));
      const got = await readAll(await s.get('race'));
      expect(racers.some((b) => b.equals(got))).toBe(true);
    });

    if (opts.largeSize) {
      it(`streams a ${opts.largeSize}-byte blob through the large-object path`, async () => {
        const s = await store();
        const data = randomBytes(opts.largeSize!);
        expect(await s.put('large', chunked(data, 1 << 20))).toEqual({ size: data.length });
        const back = await readAll(await s.get('large'));
        expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
        const mid = Math.floor(opts.largeSize! / 2);
        expect((await readAll(await s.get('large', { start: mid - 10, end: mid + 10 }))).equals(data.subarray(mid - 10, mid + 11))).toBe(true);
      });
    }
  });
}
