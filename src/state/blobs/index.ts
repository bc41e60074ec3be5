import { fileURLToPath } from 'node:url';
import { FsBlobStore } from './fs-blob-store.js';
import { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.js';
import type { BlobStore } from './types.js';

export { FsBlobStore } from './fs-blob-store.js';
export { DEFAULT_PART_SIZE, S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.js';
export { BlobNotFoundError, checkBlobKey, type BlobStore, type ByteRange } from './types.js';

export type BlobStoreLocation = { kind: 'fs'; dir: string } | { kind: 's3'; bucket: string; prefix: string };

/** `--blob-store file:///var/lib/vigil/blobs` or `--blob-store s3://bucket/prefix`. */
export function parseBlobStoreUrl(url: string): BlobStoreLocation {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RangeError(`blob store must be a file:// or s3:// URL, got ${JSON.stringify(url)}`);
  }
  if (u.protocol === 'file:') {
    if (u.search || u.hash) throw new RangeError('a file:// blob store URL takes no query or fragment');
    return { kind: 'fs', dir: fileURLToPath(u) };
  }
  if (u.protocol === 's3:') {
    // Bucket names are lower-case DNS labels; URL parsing lower-cases the host, so check the original text.
    const bucket = /^s3:\/\/([^/?#]*)/.exec(url)?.[1] ?? '';
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new RangeError(`invalid bucket name in blob store URL: ${JSON.stringify(bucket)}`);
    if (u.search || u.hash) throw new RangeError('an s3:// blob store URL takes no query or fragment');
    const prefix = decodeURIComponent(u.pathname.replace(/^\/+/, ''));
    return { kind: 's3', bucket, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
  }
  throw new RangeError(`unsupported blob store scheme ${u.protocol} (use file:// or s3://)`);
}

/** Opens the store a URL names; S3 options (endpoint, region, credentials…) come from the caller's flags. */
export function openBlobStore(url: string, s3: Omit<S3BlobStoreOptions, 'bucket' | 'prefix'> = { region: 'us-east-1' }): BlobStore {
  const loc = parseBlobStoreUrl(url);
  return loc.kind === 'fs' ? new FsBlobStore(loc.dir) : new S3BlobStore({ ...s3, bucket: loc.bucket, prefix: loc.prefix });
}
