import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { findSecrets } from '../../../test/helpers/kms.js';
import type { Principal } from '../../auth/types.js';
import { EnvelopeError } from '../../crypto/envelope-error.js';
import type { DataKeyProvider } from '../../crypto/envelope-message.js';
import { MemoryDataKeyProvider } from '../../crypto/memory-data-key-provider.js';
import { FsBlobStore } from '../../state/blobs/fs-blob-store.js';
import { chunked, readAll } from '../../state/blobs/testing.js';
import { BlobNotFoundError } from '../../state/blobs/types.js';
import { ContentLengthMismatchError, EnvelopeVault, S3_SERVICE_PRINCIPAL } from './vault.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const FRAME = 64 * 1024;
const alice: Principal = {
  type: 'User', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, userId: 'AIDAALICE', tags: {}, identityPolicies: [],
};
const ctx = { 'aws:s3:arn': 'arn:aws:s3:::bucket/key.bin' };

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function setup() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-vault-'));
  dirs.push(dir);
  const kms = new MemoryDataKeyProvider();
  const customerKey = kms.createKey(REGION, ACCOUNT);
  const managedKey = kms.createKey(REGION, ACCOUNT);
  const actors: string[] = [];
  let provider: DataKeyProvider = kms;
  const store = new FsBlobStore(dir);
  const vault = new EnvelopeVault({
    store,
    providerFor: (p) => {
      actors.push(p.type === 'Service' ? `service:${p.arn}` : p.arn);
      return provider;
    },
    resolveManagedKey: async (region, account) => {
      expect([region, account]).toEqual([REGION, ACCOUNT]);
      return managedKey;
    },
  });
  const use = (p: DataKeyProvider) => { provider = p; };
  return { dir, kms, customerKey, managedKey, actors, store, vault, use };
}

type Setup = Awaited<ReturnType<typeof setup>>;

async function put(s: Setup, data: Buffer, extra: Partial<Parameters<EnvelopeVault['write']>[1]> = {}) {
  return s.vault.write(chunked(data, 100_003), { principal: alice, region: REGION, kmsKeyId: s.customerKey, context: ctx, ...extra });
}

async function get(s: Setup, blobId: string, range?: { start: number; end: number }, context = ctx) {
  return readAll(await s.vault.read(blobId, { principal: alice, region: REGION, context, range }));
}

async function blobFiles(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(dir, 'objects'), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('EnvelopeVault', () => {
  it('round-trips 0 B, 1 B, 64 KiB ± 1 and 3 MiB, whole and in ranges at and around frame boundaries', async () => {
    const s = await setup();
    for (const size of [0, 1, FRAME - 1, FRAME, FRAME + 1, 3 * 1024 * 1024]) {
      const data = randomBytes(size);
      const w = await put(s, data, { expectedSize: size });
      expect(w).toMatchObject({ size, keyArn: s.customerKey });
      expect(w.md5.equals(createHash('md5').update(data).digest())).toBe(true);
      expect((await get(s, w.blobId)).equals(data), `${size} whole`).toBe(true);
      if (size === 0) {
        await expect(s.vault.read(w.blobId, { principal: alice, region: REGION, context: ctx, range: { start: 0, end: 0 } })).rejects.toThrow(RangeError);
        continue;
      }
      const ranges: [number, number][] = [[0, 0], [0, size - 1], [size - 1, size - 1], [0, size + 100]];
      for (let b = FRAME; b < size; b += FRAME * 7) ranges.push([b - 1, b], [b, b], [b - FRAME, b - 1], [b, Math.min(b + FRAME - 1, size - 1)]);
      for (let i = 0; i < 20; i++) {
        const start = Math.floor(Math.random() * size);
        ranges.push([start, start + Math.floor(Math.random() * Math.min(size - start, 300_000))]);
      }
      for (const [start, end] of ranges) {
        expect((await get(s, w.blobId, { start, end })).equals(data.subarray(start, end + 1)), `${size}: ${start}-${end}`).toBe(true);
      }
    }
  });

  it('computes the requested checksum of the plaintext as S3 spells it', async () => {
    const s = await setup();
    const data = randomBytes(200_001);
    const crc = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b.toString('base64'); };
    const expected = {
      CRC32: crc(zlib.crc32(data)),
      SHA1: createHash('sha1').update(data).digest('base64'),
      SHA256: createHash('sha256').update(data).digest('base64'),
    };
    for (const [alg, sum] of Object.entries(expected)) {
      expect((await put(s, data, { checksumAlgorithm: alg as 'CRC32' })).checksum, alg).toBe(sum);
    }
    // The CRC-32C check value ("123456789" → 0xE3069283), across chunk boundaries.
    const w = await s.vault.write(chunked(Buffer.from('123456789'), 4), { principal: alice, region: REGION, kmsKeyId: s.customerKey, context: ctx, checksumAlgorithm: 'CRC32C' });
    expect(w.checksum).toBe(crc(0xe3069283));
  });

  it('fails reads of tampered ciphertext: header → read() rejects; frame → the stream errors', async () => {
    const s = await setup();
    const data = randomBytes(5 * FRAME);
    const w = await put(s, data);
    const [file] = await blobFiles(s.dir);
    const original = await readFile(file);
    const frameByte = Buffer.from(original);
    frameByte[original.length - 2 * FRAME] ^= 0x01; // inside frame 4
    await writeFile(file, frameByte);
    await expect(get(s, w.blobId)).rejects.toThrow(new EnvelopeError('envelope frame 4 failed authentication'));
    await expect(get(s, w.blobId, { start: 3 * FRAME + 5, end: 3 * FRAME + 9 })).rejects.toThrow(EnvelopeError);
    expect((await get(s, w.blobId, { start: 0, end: FRAME })).equals(data.subarray(0, FRAME + 1))).toBe(true); // frames 1-2 intact
    const headerByte = Buffer.from(original);
    headerByte[10] ^= 0x01; // messageId: the key commitment no longer matches
    await writeFile(file, headerByte);
    await expect(s.vault.read(w.blobId, { principal: alice, region: REGION, context: ctx })).rejects.toThrow(EnvelopeError);
    await writeFile(file, original.subarray(0, original.length - 1));
    await expect(get(s, w.blobId)).rejects.toThrow(EnvelopeError);
  });

  it('refuses a read under the wrong encryption context before asking KMS', async () => {
    const s = await setup();
    const w = await put(s, Buffer.from('hello'));
    const calls = s.kms.calls.decryptDataKey;
    await expect(s.vault.read(w.blobId, { principal: alice, region: REGION, context: { 'aws:s3:arn': 'arn:aws:s3:::bucket/other' } }))
      .rejects.toThrow(EnvelopeError);
    expect(s.kms.calls.decryptDataKey).toBe(calls);
  });

  it('fails a body shorter or longer than expectedSize and stores nothing', async () => {
    const s = await setup();
    const data = randomBytes(300_000);
    await expect(put(s, data, { expectedSize: data.length + 1 })).rejects.toBeInstanceOf(ContentLengthMismatchError);
    await expect(put(s, data, { expectedSize: data.length - 1 })).rejects.toThrow(/longer than the declared/);
    const keys: string[] = [];
    for await (const k of s.store.list('')) keys.push(k);
    expect(keys).toEqual([]);
    expect(await readdir(path.join(s.dir, 'tmp'))).toEqual([]);
  });

  it('leaves no plaintext byte pattern of the test data anywhere in the blob dir', async () => {
    const s = await setup();
    const secret = Buffer.from('VIGIL-DISTINCTIVE-PLAINTEXT-7f3a9c1e-card=4111111111111111');
    const body = Buffer.concat(Array.from({ length: 5000 }, () => secret));
    await put(s, body);
    await s.vault.write(chunked(body), { principal: alice, region: REGION, context: ctx }); // SSE-S3
    const found = await findSecrets(s.dir, [secret, secret.subarray(0, 16), secret.subarray(20, 36)]);
    expect(found.files.length).toBe(2);
    expect(found.hits).toEqual([]);
  });

  it('SSE-S3 writes and reads as the S3 service under the managed key; SSE-KMS as the caller', async () => {
    const s = await setup();
    const w = await s.vault.write(chunked(Buffer.from('sse-s3 body')), { principal: alice, region: REGION, context: ctx });
    expect(w.keyArn).toBe(s.managedKey);
    expect(w.blobId.startsWith('s3-')).toBe(true);
    expect((await get(s, w.blobId)).toString()).toBe('sse-s3 body');
    expect(s.actors).toEqual([`service:${S3_SERVICE_PRINCIPAL}`, `service:${S3_SERVICE_PRINCIPAL}`]);
    s.actors.length = 0;
    const k = await put(s, Buffer.from('sse-kms body'));
    expect((await get(s, k.blobId)).toString()).toBe('sse-kms body');
    expect(s.actors).toEqual([alice.arn, alice.arn]);
    const d = await put(s, Buffer.from('default key'), { kmsKeyId: 'alias/aws/s3' });
    expect(d.keyArn).toBe(s.managedKey); // aws:kms with no key id: the managed key, but as the caller
    expect(s.actors.at(-1)).toBe(alice.arn);
  });

  it('never decrypts an SSE-S3 blob id as the S3 service unless the blob is under the managed key', async () => {
    const s = await setup();
    const k = await put(s, Buffer.from('customer-key data'));
    const planted = `s3-${randomBytes(16).toString('hex')}`;
    await s.store.put(planted, await s.store.get(k.blobId));
    const calls = s.kms.calls.decryptDataKey;
    await expect(get(s, planted)).rejects.toThrow(/not allowed/);
    expect(s.kms.calls.decryptDataKey).toBe(calls);
  });

  it('passes KMS errors through unchanged', async () => {
    const s = await setup();
    const w = await put(s, Buffer.from('x'));
    const denied = Object.assign(new Error('User: alice is not authorized to perform: kms:Decrypt'), { name: 'AccessDeniedException' });
    s.use({ generateDataKey: () => Promise.reject(denied), decryptDataKey: () => Promise.reject(denied) });
    await expect(s.vault.read(w.blobId, { principal: alice, region: REGION, context: ctx })).rejects.toBe(denied);
    await expect(put(s, Buffer.from('y'))).rejects.toBe(denied);
  });

  it('deletes blobs; reading or deleting unknown ids fails cleanly', async () => {
    const s = await setup();
    const w = await put(s, Buffer.from('bye'));
    await s.vault.delete(w.blobId);
    await expect(get(s, w.blobId)).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(get(s, 'nonsense')).rejects.toThrow(RangeError);
  });

  it('stops reading when the consumer stops', async () => {
    const s = await setup();
    const w = await put(s, randomBytes(40 * FRAME));
    const stream = await s.vault.read(w.blobId, { principal: alice, region: REGION, context: ctx });
    for await (const chunk of stream) {
      expect((chunk as Buffer).length).toBeGreaterThan(0);
      break;
    }
    expect(stream.destroyed).toBe(true);
  });
});
