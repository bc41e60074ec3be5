import { createHash } from 'node:crypto';
import type { ChecksumAlgorithm, StorageClass } from './api.generated.js';
import type { S3 } from './context.js';
import { MAX_OBJECT_SIZE, s3Errors } from './errors.js';
import { S3_SERVICE, loadBucket, objectId, removeBlobs, type BucketDoc, type ContentHeaders, type ObjectDoc } from './store.js';
import type { VaultWriteResult } from './vault-types.js';

/** The representation headers of PutObject, CopyObject (REPLACE) and CreateMultipartUpload. */
export interface HeaderInput {
  ContentType?: string;
  ContentEncoding?: string;
  ContentDisposition?: string;
  ContentLanguage?: string;
  CacheControl?: string;
  Expires?: Date;
  WebsiteRedirectLocation?: string;
}

export function contentHeaders(i: HeaderInput): ContentHeaders {
  const h: ContentHeaders = {};
  if (i.ContentType !== undefined) h.ContentType = i.ContentType;
  if (i.ContentEncoding !== undefined) h.ContentEncoding = i.ContentEncoding;
  if (i.ContentDisposition !== undefined) h.ContentDisposition = i.ContentDisposition;
  if (i.ContentLanguage !== undefined) h.ContentLanguage = i.ContentLanguage;
  if (i.CacheControl !== undefined) h.CacheControl = i.CacheControl;
  if (i.Expires !== undefined) h.Expires = new Date(i.Expires).toISOString();
  if (i.WebsiteRedirectLocation !== undefined) h.WebsiteRedirectLocation = i.WebsiteRedirectLocation;
  return h;
}

export function storageClassOf(s: StorageClass | undefined): StorageClass {
  if (s === undefined || s === 'STANDARD') return 'STANDARD';
  // Every class is stored alike; archive classes would need RestoreObject semantics Vigil does not have.
  if (s === 'GLACIER' || s === 'DEEP_ARCHIVE') throw s3Errors.notImplemented(`Storage class ${s}`);
  return s;
}

export function checkSize(size: number | undefined): void {
  if (size !== undefined && size > MAX_OBJECT_SIZE) throw s3Errors.entityTooLarge(size);
}

/** Content-MD5 must be the base64 of 16 bytes; checked before any byte is stored. */
export function parseContentMd5(value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  const raw = Buffer.from(value, 'base64');
  if (raw.length !== 16 || raw.toString('base64') !== value.trim()) throw s3Errors.invalidDigest(value);
  return raw;
}

export interface ChecksumInput {
  ChecksumAlgorithm?: ChecksumAlgorithm;
  ChecksumCRC32?: string;
  ChecksumCRC32C?: string;
  ChecksumSHA1?: string;
  ChecksumSHA256?: string;
}

/** Which checksum to compute: the one whose value the client sent, else the algorithm it named. */
export function requestedChecksum(i: ChecksumInput): { algorithm?: ChecksumAlgorithm; expected?: string } {
  for (const algorithm of ['CRC32', 'CRC32C', 'SHA1', 'SHA256'] as const) {
    const expected = i[`Checksum${algorithm}`];
    if (expected !== undefined) return { algorithm, expected };
  }
  return { algorithm: i.ChecksumAlgorithm };
}

export function checksumMember(algorithm: ChecksumAlgorithm | undefined, value: string | undefined): Partial<Record<`Checksum${ChecksumAlgorithm}`, string>> {
  return algorithm && value ? { [`Checksum${algorithm}`]: value } : {};
}

/**
 * Content-MD5 and x-amz-checksum-* are verified after the vault has the bytes (they stream through once); on a
 * mismatch the blob is deleted before the error, so nothing becomes visible.
 */
export async function verifyDigests(k: S3, result: VaultWriteResult, md5: Buffer | undefined, contentMd5: string | undefined,
  checksum: { algorithm?: ChecksumAlgorithm; expected?: string }): Promise<void> {
  if (md5 && !md5.equals(result.md5)) {
    await removeBlobs(k, [result.blobId]);
    throw s3Errors.badDigest(contentMd5!, result.md5.toString('base64'));
  }
  if (checksum.expected !== undefined && checksum.expected !== result.checksum) {
    await removeBlobs(k, [result.blobId]);
    throw s3Errors.badChecksum(checksum.algorithm!.toLowerCase());
  }
}

/**
 * Makes `doc` the object's current version: the metadata commit is the moment the object appears or changes.
 * If the commit fails the new blobs are removed; the blobs of the version it replaced are removed only after it.
 */
export async function commitObject(k: S3, b: BucketDoc, doc: ObjectDoc): Promise<void> {
  const fresh = new Set(doc.Blobs.map((x) => x.BlobId));
  let old: ObjectDoc | undefined;
  try {
    await k.tx(async () => {
      const current = await loadBucket(k, b.Name);
      if (current.Owner !== b.Owner) throw s3Errors.noSuchBucket(b.Name);
      const id = objectId(b.Name, doc.Key);
      old = (await k.res.get<ObjectDoc>(b.Owner, S3_SERVICE, 'object', id))?.doc;
      if (old) await k.res.update(b.Owner, S3_SERVICE, 'object', id, doc);
      else await k.res.create(b.Owner, S3_SERVICE, 'object', id, doc);
    });
  } catch (err) {
    await removeBlobs(k, [...fresh]);
    throw err;
  }
  const replaced = old as ObjectDoc | undefined;
  if (replaced) await removeBlobs(k, replaced.Blobs.map((x) => x.BlobId).filter((id) => !fresh.has(id)));
}

/** MD5 of the concatenated binary part MD5s, then `-<parts>`: S3's multipart ETag. */
export function multipartEtag(partEtagsHex: string[]): string {
  const h = createHash('md5');
  for (const e of partEtagsHex) h.update(Buffer.from(e, 'hex'));
  return `"${h.digest('hex')}-${partEtagsHex.length}"`;
}
