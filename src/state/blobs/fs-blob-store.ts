import { createHash, randomBytes } from 'node:crypto';
import { constants, type Dirent } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { BlobNotFoundError, checkBlobKey, checkRange, type BlobStore, type ByteRange } from './types.js';

/** Chunks are gathered up to this size and written with one writev: the encryptor yields many small pieces. */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** …or this many chunks, well under IOV_MAX, so a source of tiny chunks cannot build a huge iovec. */
const WRITE_BATCH_CHUNKS = 256;
const READ_CHUNK_BYTES = 256 * 1024;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/**
 * Blobs on local disk (the embedded default). Crash safety the classic way: write `tmp/<random>`, fsync it,
 * rename it into place, fsync the directory. rename() is atomic on POSIX, so a blob is either absent or
 * complete; a crash leaves at most a temp file, which sweepTemp() removes at the next start.
 *
 * Layout: `<dir>/objects/ab/cd/<key>` where ab/cd come from SHA-256(key), so no directory grows past ~65k/256
 * entries whatever the keys look like. Files are 0600 and directories 0700: ciphertext only, but still nobody
 * else's business.
 */
export class FsBlobStore implements BlobStore {
  readonly #objects: string;
  readonly #tmp: string;
  #ready: Promise<void> | undefined;

  constructor(readonly dir: string) {
    this.#objects = path.join(dir, 'objects');
    this.#tmp = path.join(dir, 'tmp');
  }

  async put(key: string, source: AsyncIterable<Buffer>): Promise<{ size: number }> {
    checkBlobKey(key);
    await this.#init();
    const tmp = path.join(this.#tmp, randomBytes(16).toString('hex'));
    const file = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, FILE_MODE);
    let size = 0;
    try {
      size = await writeAll(file, source);
      await file.sync();
    } catch (err) {
      await file.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await file.close();
    try {
      const target = await this.#ensureShard(key);
      await rename(tmp, target);
      await syncDir(path.dirname(target));
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    return { size };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const file = await this.#open(key);
    try {
      const size = (await file.stat()).size;
      // Opened before sizing: a concurrent replace or delete cannot mix two blobs into one read.
      const r = range ? checkRange(range, size) : undefined;
      if (!r && size === 0) return emptyStream(file);
      return file.createReadStream({ start: r?.start ?? 0, end: r?.end ?? size - 1, highWaterMark: READ_CHUNK_BYTES, autoClose: true });
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  async size(key: string): Promise<number> {
    checkBlobKey(key);
    try {
      return (await stat(this.#path(key))).size;
    } catch (err) {
      throw notFound(err, key);
    }
  }

  async delete(key: string): Promise<void> {
    checkBlobKey(key);
    const target = this.#path(key);
    try {
      await unlink(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await syncDir(path.dirname(target));
  }

  async *list(prefix: string): AsyncIterable<string> {
    for (const a of await entries(this.#objects)) {
      if (!a.isDirectory()) continue;
      for (const b of await entries(path.join(this.#objects, a.name))) {
        if (!b.isDirectory()) continue;
        for (const f of await entries(path.join(this.#objects, a.name, b.name))) {
          if (f.isFile() && f.name.startsWith(prefix)) yield f.name;
        }
      }
    }
  }

  /**
   * Removes temp files left by writes a crash interrupted. Run it at startup, before serving: a put in flight
   * in this process would lose its temp file. Returns how many it removed.
   */
  async sweepTemp(): Promise<number> {
    await this.#init();
    let removed = 0;
    for (const e of await entries(this.#tmp)) {
      await rm(path.join(this.#tmp, e.name), { recursive: true, force: true });
      removed++;
    }
    if (removed > 0) await syncDir(this.#tmp);
    return removed;
  }

  #init(): Promise<void> {
    this.#ready ??= (async () => {
      await mkdir(this.dir, { recursive: true, mode: DIR_MODE });
      for (const d of [this.#objects, this.#tmp]) await mkdir(d, { recursive: true, mode: DIR_MODE });
    })().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  #path(key: string): string {
    const h = createHash('sha256').update(key).digest('hex');
    return path.join(this.#objects, h.slice(0, 2), h.slice(2, 4), key);
  }

  /** Creates the shard directories on first use and makes their own entries durable too. */
  async #ensureShard(key: string): Promise<string> {
    const target = this.#path(key);
    const created = await mkdir(path.dirname(target), { recursive: true, mode: DIR_MODE });
    if (created !== undefined) {
      // `created` is the topmost new directory: its parent and every new directory need their entries synced.
      for (let d = path.dirname(target); ; d = path.dirname(d)) {
        await syncDir(path.dirname(d));
        if (d === created) break;
      }
    }
    return target;
  }

  async #open(key: string): Promise<FileHandle> {
    checkBlobKey(key);
    try {
      return await open(this.#path(key), 'r');
    } catch (err) {
      throw notFound(err, key);
    }
  }
}

async function writeAll(file: FileHandle, source: AsyncIterable<Buffer>): Promise<number> {
  let batch: Buffer[] = [];
  let batched = 0;
  let size = 0;
  for await (const chunk of source) {
    if (chunk.length === 0) continue;
    batch.push(chunk);
    batched += chunk.length;
    size += chunk.length;
    if (batched >= WRITE_BATCH_BYTES || batch.length >= WRITE_BATCH_CHUNKS) {
      await writevAll(file, batch);
      batch = [];
      batched = 0;
    }
  }
  if (batched > 0) await writevAll(file, batch);
  return size;
}

/** writev may write less than asked (disk full, signals); loop over what is left. */
async function writevAll(file: FileHandle, buffers: Buffer[]): Promise<void> {
  let pending = buffers;
  while (pending.length > 0) {
    let { bytesWritten } = await file.writev(pending);
    const rest: Buffer[] = [];
    for (const b of pending) {
      if (bytesWritten >= b.length) bytesWritten -= b.length;
      else {
        rest.push(bytesWritten > 0 ? b.subarray(bytesWritten) : b);
        bytesWritten = 0;
      }
    }
    pending = rest;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function notFound(err: unknown, key: string): unknown {
  return (err as NodeJS.ErrnoException).code === 'ENOENT' ? new BlobNotFoundError(key) : err;
}

/** createReadStream with end = -1 would read the whole file; a 0-byte blob needs an explicitly empty stream. */
async function emptyStream(file: FileHandle): Promise<Readable> {
  await file.close();
  return Readable.from([]);
}
