import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import type { Creds, TestVigil } from './vigil.js';

/** An S3 client for these credentials against the main (or a named) listener; path-style, as 127.0.0.1 needs. */
export function s3Client(v: TestVigil, creds: Creds, listener?: string): S3Client {
  return new S3Client({ ...v.sdk(creds, listener), forcePathStyle: true });
}

export const md5Hex = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');
export const md5Base64 = (b: Uint8Array): string => createHash('md5').update(b).digest('base64');
export const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The ETag S3 gives a multipart object: MD5 of the parts' binary MD5s, then `-<parts>`, quoted. */
export function multipartEtag(body: Buffer, partSize: number): string {
  const digests: Buffer[] = [];
  for (let o = 0; o < body.length; o += partSize) digests.push(createHash('md5').update(body.subarray(o, o + partSize)).digest());
  return `"${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${digests.length}"`;
}

/** Reads a GetObject Body (a Node stream from the SDK) to the end. Rejects when the stream fails. */
export async function bodyBytes(body: unknown): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/**
 * Deterministic pseudo-random bytes (SHA-256 in counter mode): big bodies without holding a seed elsewhere, and
 * every 32-byte block distinct, so a misplaced frame or part cannot compare equal by accident.
 */
export function generated(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  for (let o = 0, i = 0; o < size; o += 32, i++) {
    createHash('sha256').update(`${seed}:${i}`).digest().copy(out, o);
  }
  return out;
}

/**
 * A body that trickles: `total` bytes in `chunk`-byte pieces, pausing `delayMs` between pieces. `sent()` says
 * how many bytes have been handed to the HTTP client so far.
 */
export function slowBody(total: number, chunk: number, delayMs: number, seed = 'slow'): { stream: Readable; sent: () => number } {
  let sent = 0;
  const piece = generated(chunk, seed);
  async function* gen(): AsyncGenerator<Buffer> {
    while (sent < total) {
      const n = Math.min(chunk, total - sent);
      sent += n;
      yield piece.subarray(0, n);
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
  return { stream: Readable.from(gen(), { objectMode: false }), sent: () => sent };
}

/** Every file under `dir` (recursively); an absent directory has none. */
export async function filesIn(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesIn(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** A bucket policy document with these statements. */
export function bucketPolicy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** The PCI rule "encrypted uploads only": deny s3:PutObject unless the request asks for aws:kms. */
export function denyUnencryptedPuts(bucket: string): string {
  return bucketPolicy({
    Sid: 'DenyUnencryptedObjectUploads', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${bucket}/*`,
    Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
  });
}

/** The PCI rule "TLS only": deny every S3 action on the bucket and its objects without TLS. */
export function denyInsecureTransport(bucket: string): string {
  return bucketPolicy({
    Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*',
    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
}
