import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import * as tar from 'tar-stream';

/**
 * Model artifacts as SageMaker ships them: `model.tar.gz` (the usual), a bare tar, or a single file. Only regular
 * files are kept: links and devices in an archive could point outside the model directory, and no model needs them.
 */

const gunzipAsync = promisify(gunzip);

/**
 * The most bytes a model artifact may take, both as downloaded (compressed) and once gunzipped: 1 GiB. Artifacts
 * are held in memory on the shared server, so a huge object or a gzip bomb must fail the variant rather than take
 * the process down (Node buffers also top out a little under 4 GiB). See docs/model-runtimes.md.
 */
export const MAX_ARTIFACT_BYTES = 1024 ** 3;

/** `1 GiB (1073741824 bytes)`, for messages that name the limit. */
export function describeByteLimit(limit: number): string {
  const units: [number, string][] = [[1024 ** 3, 'GiB'], [1024 ** 2, 'MiB'], [1024, 'KiB']];
  const unit = units.find(([size]) => limit >= size && limit % size === 0);
  return unit ? `${limit / unit[0]} ${unit[1]} (${limit} bytes)` : `${limit} bytes`;
}

export interface ArchiveEntry {
  /** Normalised relative path (`model.onnx`, `code/inference.py`); empty for a single non-archive file. */
  path: string;
  data: Buffer;
}

export const isGzip = (b: Buffer): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
/** POSIX (ustar) and GNU tar both put `ustar` at offset 257 of the first header. */
export const isTar = (b: Buffer): boolean => b.length >= 262 && b.toString('latin1', 257, 262) === 'ustar';

/** A tar member path made safe to join under a directory, or undefined when it would escape it. */
export function safeRelativePath(name: string): string | undefined {
  const normal = posix.normalize(name.replace(/\\/g, '/')).replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (normal === '' || normal === '.' || normal.startsWith('/') || normal === '..' || normal.startsWith('../')) return undefined;
  return normal;
}

async function readTar(bytes: Buffer): Promise<ArchiveEntry[]> {
  const extract = tar.extract();
  const entries: ArchiveEntry[] = [];
  const consume = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      // Every entry's stream must be drained, even one we skip, or the extractor stalls.
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const type = entry.header.type ?? 'file';
      const path = safeRelativePath(entry.header.name);
      if ((type === 'file' || type === 'contiguous-file') && path !== undefined) entries.push({ path, data: Buffer.concat(chunks) });
    }
  })();
  extract.end(bytes);
  await consume;
  return entries;
}

/**
 * The files of an artifact: the members of a (gzipped) tar, or the artifact itself as one unnamed file. A gzipped
 * artifact may unpack to at most `maxBytes` (zlib stops there, so a gzip bomb never gets allocated).
 */
export async function readArtifact(bytes: Buffer, maxBytes: number = MAX_ARTIFACT_BYTES): Promise<ArchiveEntry[]> {
  let data = bytes;
  if (isGzip(data)) {
    try {
      data = await gunzipAsync(data, { maxOutputLength: maxBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new Error(`the model artifact unpacks to more than the ${describeByteLimit(maxBytes)} limit on model artifacts`);
      }
      throw new Error(`the model artifact looks gzip-compressed but cannot be decompressed: ${(err as Error).message}`);
    }
  }
  if (!isTar(data)) return [{ path: '', data }];
  try {
    return await readTar(data);
  } catch (err) {
    throw new Error(`the model artifact is not a readable tar archive: ${(err as Error).message}`);
  }
}

/**
 * Writes an artifact's files under `dir` (which must exist). A single non-archive file is written as `fallbackName`
 * (the last segment of its ModelDataUrl), since a container looks for its model by file name.
 */
export async function unpackArtifact(bytes: Buffer, dir: string, fallbackName: string, maxBytes: number = MAX_ARTIFACT_BYTES): Promise<number> {
  const entries = await readArtifact(bytes, maxBytes);
  for (const e of entries) {
    const target = join(dir, e.path === '' ? fallbackName : e.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, e.data, { mode: 0o600 });
  }
  return entries.length;
}
