import { open, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, describe, expect, it } from 'vitest';
import { exitOf, serveVigil, stopVigil, type Served } from '../helpers/binary.js';
import { failure } from '../helpers/kms.js';
import { bodyBytes, filesIn, generated, md5Hex, slowBody } from '../helpers/s3.js';

const MiB = 1024 * 1024;

/** Crash safety and integrity of stored objects, against the real `vigil serve` binary. */
describe('S3 durability: kill -9 during an upload, corrupted ciphertext', () => {
  let dir: string;
  const running: Served[] = [];
  afterAll(async () => {
    for (const s of running) if (s.child.exitCode === null && s.child.signalCode === null) await stopVigil(s.child);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const serve = async () => {
    const s = await serveVigil(['--data-dir', dir, '--port', '0']);
    running.push(s);
    return s;
  };
  const client = async (url: string) => {
    const creds = await readFile(path.join(dir, 'credentials'), 'utf8');
    const ca = await readFile(path.join(dir, 'tls', 'ca.pem'), 'utf8');
    return new S3Client({
      region: 'us-east-1', endpoint: url, forcePathStyle: true, maxAttempts: 1,
      credentials: { accessKeyId: /aws_access_key_id = (\S+)/.exec(creds)![1], secretAccessKey: /aws_secret_access_key = (\S+)/.exec(creds)![1] },
      requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca }) }),
    });
  };
  /** Waits until `check` holds (polling), or fails after `ms`. */
  const until = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const sizeOf = async (f: string) => (await stat(f).catch(() => ({ size: 0 }))).size;

  it('kill -9 mid-upload leaves no visible partial object, no temp file after restart, and the store keeps working', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-s3-crash-'));
    const first = await serve();
    const s3 = await client(first.url);
    await s3.send(new CreateBucketCommand({ Bucket: 'durable' }));

    const total = 50 * MiB;
    const body = slowBody(total, 64 * 1024, 3, 'crash');
    const upload = s3.send(new PutObjectCommand({ Bucket: 'durable', Key: 'partial.bin', Body: body.stream, ContentLength: total }))
      .then(() => 'completed', (e: Error) => e.name);
    // The server is mid-write: its temp file holds more than a MiB of ciphertext, and the client has more to send.
    const tmpDir = path.join(dir, 'blobs', 'tmp');
    await until('a temp file of the upload', async () => {
      const files = await filesIn(tmpDir);
      return files.length > 0 && (await sizeOf(files[0])) > 2 * MiB;
    });
    expect(body.sent()).toBeLessThan(total);
    const exited = exitOf(first.child);
    first.child.kill('SIGKILL');
    expect(await exited).toBe('signal SIGKILL');
    expect(await upload).not.toBe('completed');
    // The crash left the write's temp file behind; nothing reached the object directory.
    expect((await filesIn(tmpDir)).length).toBeGreaterThan(0);
    expect(await filesIn(path.join(dir, 'blobs', 'objects'))).toEqual([]);

    const second = await serve();
    const again = await client(second.url);
    const head = await failure(again.send(new HeadObjectCommand({ Bucket: 'durable', Key: 'partial.bin' })));
    expect(head.name).toBe('NotFound');
    expect(head.$metadata?.httpStatusCode).toBe(404);
    expect((await failure(again.send(new GetObjectCommand({ Bucket: 'durable', Key: 'partial.bin' })))).name).toBe('NoSuchKey');
    const listed = await again.send(new ListObjectsV2Command({ Bucket: 'durable' }));
    expect(listed.KeyCount).toBe(0);
    expect(listed.Contents ?? []).toEqual([]);
    expect((await again.send(new ListMultipartUploadsCommand({ Bucket: 'durable' }))).Uploads ?? []).toEqual([]);
    // The restart swept the temp file.
    expect(await filesIn(tmpDir)).toEqual([]);

    const fresh = generated(3 * MiB + 17, 'after-restart');
    const put = await again.send(new PutObjectCommand({ Bucket: 'durable', Key: 'after.bin', Body: fresh }));
    expect(put.ETag).toBe(`"${md5Hex(fresh)}"`);
    const got = await bodyBytes((await again.send(new GetObjectCommand({ Bucket: 'durable', Key: 'after.bin' }))).Body);
    expect(got.equals(fresh)).toBe(true);
    expect((await again.send(new ListObjectsV2Command({ Bucket: 'durable' }))).Contents?.map((c) => c.Key)).toEqual(['after.bin']);
    expect(await filesIn(tmpDir)).toEqual([]);
    await stopVigil(second.child);
  });

  it('SIGTERM lets an upload in flight finish before the server exits 0 (graceful shutdown)', async () => {
    const server = await serve();
    const s3 = await client(server.url);
    await s3.send(new CreateBucketCommand({ Bucket: 'graceful' }));
    const total = 4 * MiB;
    const body = slowBody(total, 64 * 1024, 5, 'graceful');
    const upload = s3.send(new PutObjectCommand({ Bucket: 'graceful', Key: 'in-flight.bin', Body: body.stream, ContentLength: total }));
    await until('the upload to be under way', async () => body.sent() > MiB);
    const exited = exitOf(server.child);
    server.child.kill('SIGTERM');
    const put = await upload;
    expect(body.sent()).toBe(total);
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await exited).toBe(0);
    const after = await serve();
    const head = await (await client(after.url)).send(new HeadObjectCommand({ Bucket: 'graceful', Key: 'in-flight.bin' }));
    expect(head.ContentLength).toBe(total);
    await stopVigil(after.child);
  });

  it('a flipped byte in a stored ciphertext yields an error, never wrong bytes', async () => {
    const server = await serve();
    const s3 = await client(server.url);
    const objectsDir = path.join(dir, 'blobs', 'objects');
    const before = new Set(await filesIn(objectsDir));
    const original = generated(300 * 1024, 'to-corrupt');
    await s3.send(new PutObjectCommand({ Bucket: 'durable', Key: 'corrupt.bin', Body: original }));
    const added = (await filesIn(objectsDir)).filter((f) => !before.has(f));
    expect(added).toHaveLength(1);
    const blob = added[0];
    const size = (await stat(blob)).size;
    expect(size).toBeGreaterThan(original.length);
    // Intact first: the object reads back whole.
    expect((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: 'durable', Key: 'corrupt.bin' }))).Body)).equals(original)).toBe(true);

    // Flip one bit in the middle of the file (inside the third 64 KiB frame of ciphertext).
    const at = Math.floor(size / 2);
    const fh = await open(blob, 'r+');
    try {
      const one = Buffer.alloc(1);
      await fh.read(one, 0, 1, at);
      one[0] ^= 0x01;
      await fh.write(one, 0, 1, at);
    } finally {
      await fh.close();
    }

    /** 'bytes' only when the whole body arrived; an error of the call or of the body stream otherwise. */
    const read = (range?: string) => s3.send(new GetObjectCommand({ Bucket: 'durable', Key: 'corrupt.bin', ...(range ? { Range: range } : {}) }))
      .then(async (out) => {
        try {
          return { bytes: await bodyBytes(out.Body) };
        } catch (err) {
          return { streamError: (err as Error).message };
        }
      }, (err: Error) => ({ error: err.name }));

    for (let i = 0; i < 3; i++) {
      const whole = await read();
      expect(whole, 'whole object').not.toHaveProperty('bytes');
    }
    const around = await read('bytes=140000-160000');
    expect(around, 'range over the damaged frame').not.toHaveProperty('bytes');
    // Frames are authenticated one by one: an undamaged frame still reads correctly.
    const head = await read('bytes=0-9');
    expect(head).toEqual({ bytes: original.subarray(0, 10) });
    // The server survives and keeps serving other objects.
    const after = await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: 'durable', Key: 'after.bin' }))).Body);
    expect(after.length).toBe(3 * MiB + 17);
    await stopVigil(server.child);
  });
});
