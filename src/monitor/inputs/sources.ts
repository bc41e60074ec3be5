import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** One input file, local or in S3, opened lazily so a directory of thousands costs nothing up front. */
export interface InputFile {
  /** Path relative to the input root (or the S3 key), for messages. */
  name: string;
  /** Local files only: the path, for readers that want random access (parallel CSV profiling). */
  path?: string;
  /** Bytes as stored (compressed size for .gz); undefined when unknown. */
  size: number | undefined;
  /** The file's bytes, gunzipped when the name ends in `.gz`. */
  open(onBytes?: (n: number) => void): Promise<Readable>;
}

/** 64 KiB reads: bigger chunks made CSV profiling slower (batches outlived V8's young generation). */
const READ_CHUNK = 64 * 1024;

export function isS3Uri(location: string): boolean {
  return location.startsWith('s3://');
}

/**
 * FILE → that file; DIR → every regular file below it, recursively, in path order, skipping names that start
 * with `.` or `_` (Hadoop/Spark markers such as `_SUCCESS`, `.crc`); s3://bucket/key → that object if it exists,
 * else every object under `key/`. Throws a one-line Error when nothing is there.
 */
export async function listInputs(location: string, s3?: S3Client): Promise<InputFile[]> {
  if (isS3Uri(location)) return listS3(location, s3 ?? s3Client());
  const st = await stat(location).catch((err: NodeJS.ErrnoException) => {
    throw new Error(err.code === 'ENOENT' ? `${location}: no such file or directory` : `${location}: ${err.message}`);
  });
  if (st.isFile()) return [localFile(location, location, st.size)];
  if (!st.isDirectory()) throw new Error(`${location}: not a file or directory`);
  const files: InputFile[] = [];
  await walk(location, location, files);
  if (files.length === 0) throw new Error(`${location}: directory has no input files`);
  return files;
}

async function walk(root: string, dir: string, out: InputFile[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name.startsWith('_')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) await walk(root, path, out);
    else if (e.isFile()) out.push(localFile(path, relative(root, path), (await stat(path)).size));
  }
}

function localFile(path: string, name: string, size: number): InputFile {
  return {
    name,
    path,
    size,
    open: async (onBytes) => decompress(counted(createReadStream(path, { highWaterMark: READ_CHUNK }), onBytes), name),
  };
}

function counted(stream: Readable, onBytes?: (n: number) => void): Readable {
  if (onBytes) stream.on('data', (chunk: Buffer) => onBytes(chunk.length));
  return stream;
}

function decompress(stream: Readable, name: string): Readable {
  if (!name.endsWith('.gz')) return stream;
  const gunzip = createGunzip({ chunkSize: READ_CHUNK });
  stream.on('error', (err) => gunzip.destroy(err));
  return stream.pipe(gunzip);
}

/**
 * An S3 client from the standard AWS environment (credentials chain, AWS_REGION, AWS_ENDPOINT_URL). The JS SDK
 * ignores AWS_CA_BUNDLE, which `vigil env` exports for Vigil's own CA, so it is honoured here; a custom endpoint
 * gets path-style addressing because `bucket.127.0.0.1` cannot resolve.
 */
export function s3Client(): S3Client {
  const ca = process.env.AWS_CA_BUNDLE;
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  return new S3Client({
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(ca ? { requestHandler: { httpsAgent: new https.Agent({ ca: readFileSync(ca) }) } } : {}),
  });
}

export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new Error(`${uri}: not an s3://bucket/key URI`);
  return { bucket: m[1], key: m[2] };
}

async function listS3(uri: string, s3: S3Client): Promise<InputFile[]> {
  const { bucket, key } = parseS3Uri(uri);
  const objects: { key: string; size: number | undefined }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key !== undefined) objects.push({ key: o.Key, size: o.Size });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const exact = objects.find((o) => o.key === key);
  const dir = key === '' || key.endsWith('/') ? key : `${key}/`;
  const chosen = exact ? [exact] : objects.filter((o) => o.key.startsWith(dir) && !o.key.endsWith('/') && !hidden(o.key.slice(dir.length)));
  if (chosen.length === 0) throw new Error(`${uri}: no objects found`);
  chosen.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return chosen.map((o) => ({
    name: o.key,
    size: o.size,
    open: async (onBytes) => {
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.key }));
      return decompress(counted(res.Body as Readable, onBytes), o.key);
    },
  }));
}

function hidden(rel: string): boolean {
  return rel.split('/').some((part) => part.startsWith('.') || part.startsWith('_'));
}

/** Reads a whole (small) object or file as text: baseline statistics.json / constraints.json. */
export async function readText(location: string, s3?: S3Client): Promise<string> {
  if (!isS3Uri(location)) return readFileSync(location, 'utf8');
  const { bucket, key } = parseS3Uri(location);
  const res = await (s3 ?? s3Client()).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await res.Body?.transformToString('utf8')) ?? '';
}

/** Writes a small output file to S3 (`s3://bucket/prefix` + `/name`). */
export async function putText(prefix: string, name: string, text: string, s3?: S3Client): Promise<void> {
  const { bucket, key } = parseS3Uri(prefix);
  const full = key === '' ? name : `${key.replace(/\/$/, '')}/${name}`;
  await (s3 ?? s3Client()).send(new PutObjectCommand({ Bucket: bucket, Key: full, Body: text }));
}
